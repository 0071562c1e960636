package webhook

import (
	"context"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/connectctl/connectctl/cmd/cmdutil"
	"github.com/connectctl/connectctl/cmd/factory"
	"github.com/connectctl/connectctl/internal/iostreams"
)

const good, badLuhn = "8944478600000205337", "8944474600000109299"

func TestRegisterValidation(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantType string
		wantURL  string
		wantErr  string // empty: valid
		wantWarn bool
	}{
		{name: "usage", args: []string{good, "--type", "usage", "--url", "https://h.example.com/x"}, wantType: "USAGE_THRESHOLD", wantURL: "https://h.example.com/x"},
		{name: "end", args: []string{good, "--type", "END", "--url", "https://h.example.com/x"}, wantType: "SUBSCRIPTION_END"},
		{name: "API name any case", args: []string{good, "--type", "usage_threshold", "--url", "https://h.example.com/x"}, wantType: "USAGE_THRESHOLD"},
		{name: "misspelt API name", args: []string{good, "--type", "SUBSCRITPION_END", "--url", "https://h.example.com/x"}, wantType: "SUBSCRIPTION_END"},
		{name: "http to loopback", args: []string{good, "--type", "end", "--url", "http://127.0.0.1:8787/hook"}, wantType: "SUBSCRIPTION_END"},
		{name: "http to localhost", args: []string{good, "--type", "end", "--url", " http://localhost/hook "}, wantURL: "http://localhost/hook"},
		{name: "filler F stripped", args: []string{good + "F", "--type", "end", "--url", "https://h.example.com/x"}},
		{name: "wrong Luhn overridden", args: []string{badLuhn, "--type", "end", "--url", "https://h.example.com/x", "--ignore-checksum"}, wantWarn: true},

		{name: "wrong Luhn", args: []string{badLuhn, "--type", "end", "--url", "https://h.example.com/x"}, wantErr: "--ignore-checksum"},
		{name: "bad ICCID", args: []string{"1234", "--type", "end", "--url", "https://h.example.com/x"}, wantErr: `ICCID "1234"`},
		{name: "no ICCID", args: []string{"--type", "end", "--url", "https://h.example.com/x"}, wantErr: "ICCID is required"},
		{name: "two ICCIDs", args: []string{good, good, "--type", "end", "--url", "https://h.example.com/x"}, wantErr: "too many arguments"},
		{name: "bad type", args: []string{good, "--type", "daily", "--url", "https://h.example.com/x"}, wantErr: `--type "daily": want usage (USAGE_THRESHOLD) or end (SUBSCRIPTION_END)`},
		{name: "no type", args: []string{good, "--url", "https://h.example.com/x"}, wantErr: "--type is required"},
		{name: "no url", args: []string{good, "--type", "end"}, wantErr: "--url is required"},
		{name: "http elsewhere", args: []string{good, "--type", "end", "--url", "http://h.example.com/x"}, wantErr: `--url: webhook URL "http://h.example.com/x"`},
		{name: "not absolute", args: []string{good, "--type", "end", "--url", "h.example.com/x"}, wantErr: "--url"},
		{name: "other scheme", args: []string{good, "--type", "end", "--url", "ws://h.example.com/x"}, wantErr: `scheme "ws"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, _, _, errOut := iostreams.Test()
			var got *RegisterOptions
			cmd := NewCmdRegister(&factory.Factory{IOStreams: ios}, func(_ context.Context, o *RegisterOptions) error { got = o; return nil })
			err := execute(cmd, tt.args)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || cmdutil.ExitCodeFor(err) != cmdutil.ExitUsage {
					t.Fatalf("err = %v; want exit 2 with %q", err, tt.wantErr)
				}
				if got != nil {
					t.Fatal("the command ran despite bad input")
				}
				return
			}
			if err != nil || got == nil {
				t.Fatalf("err = %v", err)
			}
			if tt.wantType != "" && got.Type != tt.wantType {
				t.Errorf("type %q, want %q", got.Type, tt.wantType)
			}
			if tt.wantURL != "" && got.URL != tt.wantURL {
				t.Errorf("url %q, want %q", got.URL, tt.wantURL)
			}
			if len(got.ICCID) != 19 {
				t.Errorf("ICCID %q", got.ICCID)
			}
			if (errOut.Len() > 0) != tt.wantWarn {
				t.Errorf("stderr %q", errOut.String())
			}
		})
	}
}

func TestUnregisterAndListValidation(t *testing.T) {
	tests := []struct {
		name     string
		list     bool
		args     []string
		wantErr  string
		wantWarn bool
	}{
		{name: "unregister", args: []string{good, "--type", "usage"}},
		{name: "unregister wrong Luhn", args: []string{badLuhn, "--type", "usage"}, wantErr: "--ignore-checksum"},
		{name: "unregister override", args: []string{badLuhn, "--type", "usage", "--ignore-checksum"}, wantWarn: true},
		{name: "unregister bad type", args: []string{good, "--type", "x"}, wantErr: `--type "x"`},
		{name: "unregister no type", args: []string{good}, wantErr: "--type is required"},
		{name: "list", list: true, args: []string{good}},
		{name: "list wrong Luhn only warns", list: true, args: []string{badLuhn}, wantWarn: true},
		{name: "list bad ICCID", list: true, args: []string{"89"}, wantErr: "ICCID"},
		{name: "list no ICCID", list: true, wantErr: "ICCID is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, _, _, errOut := iostreams.Test()
			f := &factory.Factory{IOStreams: ios}
			ran := false
			var cmd *cobra.Command
			if tt.list {
				cmd = NewCmdList(f, func(context.Context, *ListOptions) error { ran = true; return nil })
			} else {
				cmd = NewCmdUnregister(f, func(_ context.Context, o *UnregisterOptions) error {
					ran = o.Type == "USAGE_THRESHOLD"
					return nil
				})
			}
			err := execute(cmd, tt.args)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || cmdutil.ExitCodeFor(err) != cmdutil.ExitUsage || ran {
					t.Fatalf("err = %v, ran %v; want exit 2 with %q", err, ran, tt.wantErr)
				}
				return
			}
			if err != nil || !ran {
				t.Fatalf("err = %v, ran %v", err, ran)
			}
			if (errOut.Len() > 0) != tt.wantWarn {
				t.Errorf("stderr %q", errOut.String())
			}
		})
	}
}

func TestWebhookIsAParent(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	cmd := NewCmdWebhook(&factory.Factory{IOStreams: ios})
	var names []string
	for _, c := range cmd.Commands() {
		names = append(names, c.Name())
	}
	if strings.Join(names, ",") != "list,listen,register,unregister" || cmd.RunE != nil {
		t.Fatalf("subcommands %v", names)
	}
}

func execute(cmd *cobra.Command, args []string) error {
	cmd.SetArgs(args)
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &cmdutil.FlagError{Err: err} })
	return cmd.Execute()
}
