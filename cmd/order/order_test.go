package order

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/connectctl/connectctl/cmd/cmdutil"
	"github.com/connectctl/connectctl/cmd/factory"
	"github.com/connectctl/connectctl/internal/config"
	"github.com/connectctl/connectctl/internal/connect"
	"github.com/connectctl/connectctl/internal/iostreams"
	"github.com/connectctl/connectctl/internal/output"
)

const (
	europe1GB = "qJ+qU2v/9vFgX3rpyPlEV1CihTo96AWUmsQTIZEn/jI="
	goodICCID = "8944478600000205337"
	badICCID  = "8944474600000109299" // wrong Luhn digit
	goodEID   = "89049032004008882600019002594762"
	badEID    = "89049032004008882600019002594763"
)

var fixedNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func execute(t *testing.T, cmd *cobra.Command, args ...string) error {
	t.Helper()
	cmd.SetArgs(args)
	cmd.SetOut(&bytes.Buffer{})
	cmd.SetErr(&bytes.Buffer{})
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &cmdutil.FlagError{Err: err} })
	return cmd.ExecuteContext(context.Background())
}

func TestNewValidation(t *testing.T) {
	base := []string{"--product", europe1GB, "--email", "Ana@Example.com"}
	tests := []struct {
		name     string
		args     []string
		defaults config.Defaults
		prompt   bool   // stdin and stderr are terminals
		stdin    string // answers to the prompt
		wantErr  string // substring; empty: success
		check    func(t *testing.T, o *NewOptions)
	}{
		{name: "all flags", args: append(base, "--country", "pt", "--device-type", "IOS"), check: func(t *testing.T, o *NewOptions) {
			if o.Country != "PT" || o.DeviceType != "ios" || o.Email == "" {
				t.Errorf("got country %q device type %q email %q", o.Country, o.DeviceType, o.Email)
			}
			if o.DeviceID == "" {
				t.Error("no device id generated")
			}
		}},
		{name: "profile defaults fill country and device type", args: base,
			defaults: config.Defaults{Country: "es", DeviceType: "android"}, check: func(t *testing.T, o *NewOptions) {
				if o.Country != "ES" || o.DeviceType != "android" {
					t.Errorf("got %q %q", o.Country, o.DeviceType)
				}
			}},
		{name: "flags beat defaults", args: append(base, "--country", "FR", "--device-type", "iot"),
			defaults: config.Defaults{Country: "ES", DeviceType: "android"}, check: func(t *testing.T, o *NewOptions) {
				if o.Country != "FR" || o.DeviceType != "iot" {
					t.Errorf("got %q %q", o.Country, o.DeviceType)
				}
			}},
		{name: "bad default country", args: base, defaults: config.Defaults{Country: "UK", DeviceType: "ios"}, wantErr: "defaults.country"},
		{name: "no country", args: append(base, "--device-type", "ios"), wantErr: "--country is required"},
		{name: "UK", args: append(base, "--country", "UK", "--device-type", "ios"), wantErr: `--country: country code "UK"`},
		{name: "no device type without a terminal", args: append(base, "--country", "PT"), wantErr: "--device-type is required"},
		{name: "prompt by number", args: append(base, "--country", "PT"), prompt: true, stdin: "2\n",
			check: func(t *testing.T, o *NewOptions) {
				if o.DeviceType != "android" {
					t.Errorf("device type %q", o.DeviceType)
				}
			}},
		{name: "prompt by name after a bad answer", args: append(base, "--country", "PT"), prompt: true, stdin: "phone\nIOT\n",
			check: func(t *testing.T, o *NewOptions) {
				if o.DeviceType != "iot" {
					t.Errorf("device type %q", o.DeviceType)
				}
			}},
		{name: "prompt with no answer", args: append(base, "--country", "PT"), prompt: true, stdin: "", wantErr: "--device-type: no answer"},
		{name: "prompt with only bad answers", args: append(base, "--country", "PT"), prompt: true, stdin: "0\n4\nx\n", wantErr: "no valid answer after 3 tries"},
		{name: "bad device type", args: append(base, "--country", "PT", "--device-type", "phone"), wantErr: `--device-type: `},
		{name: "no product", args: []string{"--email", "a@example.com", "--country", "PT", "--device-type", "ios"}, wantErr: "--product is required"},
		{name: "blank product", args: append(base, "--product", " ", "--country", "PT", "--device-type", "ios"), wantErr: `--product " "`},
		{name: "no email", args: []string{"--product", europe1GB, "--country", "PT", "--device-type", "ios"}, wantErr: "--email is required"},
		{name: "bad email", args: []string{"--product", europe1GB, "--email", "nope", "--country", "PT", "--device-type", "ios"}, wantErr: "--email"},
		{name: "good EID", args: append(base, "--country", "PT", "--device-type", "ios", "--eid", goodEID)},
		{name: "bad EID refused", args: append(base, "--country", "PT", "--device-type", "ios", "--eid", badEID), wantErr: "--ignore-checksum"},
		{name: "bad EID overridden", args: append(base, "--country", "PT", "--device-type", "ios", "--eid", badEID, "--ignore-checksum"),
			check: func(t *testing.T, o *NewOptions) {
				if o.EID != badEID {
					t.Errorf("EID %q", o.EID)
				}
			}},
		{name: "EID too short", args: append(base, "--country", "PT", "--device-type", "ios", "--eid", "8904", "--ignore-checksum"), wantErr: "--eid"},
		{name: "device id with a space", args: append(base, "--country", "PT", "--device-type", "ios", "--device-id", "a b"), wantErr: "--device-id"},
		{name: "price without currency", args: append(base, "--country", "PT", "--device-type", "ios", "--price", "10"), wantErr: "--price and --currency go together"},
		{name: "price normalised", args: append(base, "--country", "PT", "--device-type", "ios", "--price", "10.50", "--currency", "usd"),
			check: func(t *testing.T, o *NewOptions) {
				subs := o.Plans.subscriptions()
				if len(subs) != 1 || subs[0].Price != "10.5" || subs[0].Currency != "USD" {
					t.Errorf("subscriptions %+v", subs)
				}
			}},
		{name: "JPY decimals", args: append(base, "--country", "PT", "--device-type", "ios", "--price", "10.5", "--currency", "JPY"), wantErr: "JPY"},
		{name: "activation date in the past", args: append(base, "--country", "PT", "--device-type", "ios", "--activation-date", "2020-01-01T00:00:00Z"), wantErr: "--activation-date"},
		{name: "activation date", args: append(base, "--country", "PT", "--device-type", "ios", "--activation-date", "2026-04-01T00:00:00Z"),
			check: func(t *testing.T, o *NewOptions) {
				if got := o.Plans.subscriptions()[0].ActivationDate; !got.Equal(time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)) {
					t.Errorf("activation %v", got)
				}
			}},
		{name: "bad wait timeout", args: append(base, "--country", "PT", "--device-type", "ios", "--wait", "--wait-timeout", "0s"), wantErr: "--wait-timeout"},
		{name: "qr-png folder", args: append(base, "--country", "PT", "--device-type", "ios", "--qr-png", "dir/"), wantErr: "--qr-png"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, in, _, errOut := iostreams.Test()
			ios.SetTTY(tt.prompt, false, tt.prompt)
			in.WriteString(tt.stdin)
			f := &factory.Factory{IOStreams: ios}
			opts := &NewOptions{IO: ios, Printer: f.Printer, Now: func() time.Time { return fixedNow },
				Defaults: func() (config.Defaults, error) { return tt.defaults, nil }}
			var got *NewOptions
			cmd := newCmdNew(f, opts, func(_ context.Context, o *NewOptions) error { got = o; return nil })
			err := execute(t, cmd, tt.args...)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
				}
				if code := cmdutil.ExitCodeFor(err); code != cmdutil.ExitUsage {
					t.Fatalf("exit code %d, want 2", code)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v (stderr %s)", err, errOut)
			}
			if tt.prompt && !strings.Contains(errOut.String(), "1. ios") {
				t.Errorf("no prompt on stderr: %q", errOut)
			}
			if tt.check != nil {
				tt.check(t, got)
			}
		})
	}
}

func TestNewInput(t *testing.T) {
	o := &NewOptions{Email: "a@example.com", Country: "PT", DeviceType: "ios", DeviceID: "d1", EID: goodEID,
		Plans: PlanOptions{Products: []string{"a", "b"}}}
	in := o.input()
	b, _ := json.Marshal(in)
	for _, want := range []string{`"operationType":"NEW_ESIM"`, `"countryCode":"PT"`, `"eid":"` + goodEID + `"`, `"product_id":"b"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("input %s lacks %s", b, want)
		}
	}
	if strings.Contains(string(b), "esim") || strings.Contains(string(b), "activationDate") {
		t.Errorf("input %s has fields it should not", b)
	}
}

func TestTopUpValidation(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		wantErr string
		warn    string
	}{
		{name: "good", args: []string{goodICCID, "--product", europe1GB}},
		{name: "filler F stripped", args: []string{goodICCID + "F", "--product", europe1GB}},
		{name: "wrong Luhn digit refused", args: []string{badICCID, "--product", europe1GB}, wantErr: "--ignore-checksum"},
		{name: "wrong Luhn digit overridden", args: []string{badICCID, "--product", europe1GB, "--ignore-checksum"}, warn: "sending it anyway"},
		{name: "too short", args: []string{"8944", "--product", europe1GB}, wantErr: `ICCID: ICCID "8944"`},
		{name: "no product", args: []string{goodICCID}, wantErr: "--product is required"},
		{name: "price alone", args: []string{goodICCID, "--product", europe1GB, "--price", "5"}, wantErr: "--price and --currency"},
		{name: "no ICCID", args: []string{"--product", europe1GB}, wantErr: "wants ICCID"},
		{name: "no --qr on a top-up", args: []string{goodICCID, "--product", europe1GB, "--qr"}, wantErr: "unknown flag: --qr"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, _, _, errOut := iostreams.Test()
			f := &factory.Factory{IOStreams: ios}
			var got *TopUpOptions
			cmd := NewCmdTopUp(f, func(_ context.Context, o *TopUpOptions) error { got = o; return nil })
			err := execute(t, cmd, tt.args...)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
				}
				if cmdutil.ExitCodeFor(err) != cmdutil.ExitUsage {
					t.Fatalf("exit code %d, want 2", cmdutil.ExitCodeFor(err))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(errOut.String(), tt.warn) {
				t.Errorf("stderr %q lacks %q", errOut, tt.warn)
			}
			in := got.input()
			if in.OperationType != connect.OperationTopUp || in.ESIM == nil || in.ESIM.ICCID == "" || in.Customer != nil || in.Device != nil {
				t.Errorf("input %+v", in)
			}
			if strings.HasSuffix(in.ESIM.ICCID, "F") {
				t.Errorf("filler kept: %s", in.ESIM.ICCID)
			}
		})
	}
}

func TestParseStatus(t *testing.T) {
	for in, want := range map[string]string{"accepted": "ACCEPTED", "Fulfilling": "FULFILLING", "FULFILING": "FULFILLING",
		" completed ": "COMPLETED", "FAILED": "FAILED", "done": "", "": ""} {
		got, err := ParseStatus(in)
		if want == "" {
			if err == nil || !strings.Contains(err.Error(), "--status") || !strings.Contains(err.Error(), "ACCEPTED, FULFILLING, COMPLETED, FAILED") {
				t.Errorf("ParseStatus(%q) error %v", in, err)
			}
			continue
		}
		if err != nil || got != want {
			t.Errorf("ParseStatus(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

func TestListValidation(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		wantErr string
		check   func(t *testing.T, o *ListOptions)
	}{
		{name: "defaults", check: func(t *testing.T, o *ListOptions) {
			if o.Limit.N() != 30 || o.query != (connect.OrdersQuery{}) {
				t.Errorf("limit %d query %+v", o.Limit.N(), o.query)
			}
		}},
		{name: "all", args: []string{"--all"}, check: func(t *testing.T, o *ListOptions) {
			if o.Limit.N() != 0 {
				t.Errorf("limit %d", o.Limit.N())
			}
		}},
		{name: "filters", args: []string{"--status", "failed", "--since", "1h", "--until", "2026-03-01T11:30:00Z", "-L", "5"},
			check: func(t *testing.T, o *ListOptions) {
				want := connect.OrdersQuery{Status: "FAILED", StartDate: fixedNow.Add(-time.Hour),
					EndDate: time.Date(2026, 3, 1, 11, 30, 0, 0, time.UTC)}
				if o.Limit.N() != 5 || !o.query.StartDate.Equal(want.StartDate) || !o.query.EndDate.Equal(want.EndDate) || o.query.Status != want.Status {
					t.Errorf("limit %d query %+v", o.Limit.N(), o.query)
				}
			}},
		{name: "bad status", args: []string{"--status", "done"}, wantErr: `--status "done"`},
		{name: "empty status", args: []string{"--status", ""}, wantErr: `--status ""`},
		{name: "limit 0", args: []string{"--limit", "0"}, wantErr: "--limit 0: want a positive number"},
		{name: "limit and all", args: []string{"--limit", "5", "--all"}, wantErr: "--limit 5 and --all"},
		{name: "empty range", args: []string{"--since", "1h", "--until", "2h"}, wantErr: "is not before --until"},
		{name: "bad since", args: []string{"--since", "tomorrow"}, wantErr: "--since"},
		{name: "bad until", args: []string{"--until", "2026-13-01T00:00:00Z"}, wantErr: "--until"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, _, _, _ := iostreams.Test()
			f := &factory.Factory{IOStreams: ios}
			var got *ListOptions
			opts := &ListOptions{IO: ios, Printer: f.Printer, Now: func() time.Time { return fixedNow }}
			cmd := newCmdList(f, opts, func(_ context.Context, o *ListOptions) error { got = o; return nil })
			err := execute(t, cmd, tt.args...)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || cmdutil.ExitCodeFor(err) != cmdutil.ExitUsage {
					t.Fatalf("error %v (exit %d), want exit 2 with %q", err, cmdutil.ExitCodeFor(err), tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, got)
		})
	}
}

func TestShowTopUpHasNoQR(t *testing.T) {
	ios, _, out, errOut := iostreams.Test()
	ios.SetTTY(false, true, false)
	p, err := output.New(ios, output.Options{})
	if err != nil {
		t.Fatal(err)
	}
	v := &view{io: ios, p: p, display: cmdutil.QRDisplay{QR: true}}
	o := &connect.Order{ID: "8e2bfcc7-b524-492f-a89e-4a2255dafe44", Status: "COMPLETED", OperationType: "TOPUP",
		Output: &connect.OrderOutput{ICCID: goodICCID, SubscriptionID: "sub+1/="}}
	if err := v.show(o); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{"ICCID:", goodICCID, "SUBSCRIPTION_ID:", "sub+1/=", "OPERATION_TYPE:"} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "ACTIVATION_CODE") || strings.Contains(got, "█") || errOut.Len() != 0 {
		t.Errorf("a top-up shows no code:\n%s\nstderr: %s", got, errOut)
	}
}

func TestShowJSONPutsQROnStderr(t *testing.T) {
	ios, _, out, errOut := iostreams.Test()
	ios.SetTTY(false, true, true)
	p, err := output.New(ios, output.Options{Format: "json"})
	if err != nil {
		t.Fatal(err)
	}
	v := &view{io: ios, p: p, display: cmdutil.QRDisplay{QR: true}}
	o := &connect.Order{ID: "8e2bfcc7-b524-492f-a89e-4a2255dafe44", Status: "COMPLETED", OperationType: "NEW_ESIM",
		Output: &connect.OrderOutput{ICCID: goodICCID, MatchingID: "HQ-M7XJ0-H77CGX", SMDPURL: "rsp.truphone.com",
			LPAURL: "1$rsp.truphone.com$HQ-M7XJ0-H77CGX", SubscriptionID: "s"}}
	if err := v.show(o); err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, out)
	}
	if lpa := got["output"].(map[string]any)["lpa_url"]; lpa != "LPA:1$rsp.truphone.com$HQ-M7XJ0-H77CGX" {
		t.Errorf("lpa_url %v", lpa)
	}
	e := errOut.String()
	for _, want := range []string{"IOS_INSTALL_URL: https://esimsetup.apple.com/", "▀", "\nLPA:1$rsp.truphone.com$HQ-M7XJ0-H77CGX\n"} {
		if !strings.Contains(e, want) {
			t.Errorf("stderr lacks %q:\n%s", want, e)
		}
	}
}
