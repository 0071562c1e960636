package webhook

import (
	"bytes"
	"context"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/connectctl/connectctl/cmd/cmdutil"
	"github.com/connectctl/connectctl/cmd/factory"
	"github.com/connectctl/connectctl/internal/iostreams"
)

func TestListenValidation(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{name: "defaults", args: nil},
		{name: "port 0", args: []string{"--addr", "127.0.0.1:0"}},
		{name: "localhost", args: []string{"--addr", "localhost:9000"}},
		{name: "ipv6 loopback", args: []string{"--addr", "[::1]:0"}},
		{name: "remote allowed", args: []string{"--addr", "0.0.0.0:8787", "--allow-remote"}},
		{name: "forward https", args: []string{"--forward-to", "https://hooks.example.com/x"}},
		{name: "forward http loopback", args: []string{"--forward-to", "http://127.0.0.1:9999/x"}},

		{name: "remote refused", args: []string{"--addr", "0.0.0.0:8787"}, wantErr: "--allow-remote"},
		{name: "empty host refused", args: []string{"--addr", ":8787"}, wantErr: "--allow-remote"},
		{name: "no port", args: []string{"--addr", "127.0.0.1"}, wantErr: "HOST:PORT"},
		{name: "forward plain http", args: []string{"--forward-to", "http://hooks.example.com/x"}, wantErr: "--forward-to"},
		{name: "forward relative", args: []string{"--forward-to", "/x"}, wantErr: "--forward-to"},
		{name: "argument", args: []string{"extra"}, wantErr: "unknown command"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, _, _, _ := iostreams.Test()
			var got *ListenOptions
			cmd := NewCmdListen(&factory.Factory{IOStreams: ios}, func(_ context.Context, o *ListenOptions) error { got = o; return nil })
			err := execute(cmd, tt.args)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v; want %q", err, tt.wantErr)
				}
				if got != nil {
					t.Fatal("the command ran despite bad input")
				}
				return
			}
			if err != nil || got == nil {
				t.Fatalf("err = %v", err)
			}
		})
	}
	// Flag errors are usage errors (exit 2).
	ios, _, _, _ := iostreams.Test()
	err := execute(NewCmdListen(&factory.Factory{IOStreams: ios}, nil), []string{"--addr", "0.0.0.0:1"})
	if cmdutil.ExitCodeFor(err) != cmdutil.ExitUsage {
		t.Errorf("exit %d, want %d", cmdutil.ExitCodeFor(err), cmdutil.ExitUsage)
	}
}

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestRunListenServesUntilCancelled(t *testing.T) {
	out, errOut := &lockedBuffer{}, &lockedBuffer{}
	ios := &iostreams.IOStreams{In: &bytes.Buffer{}, Out: out, ErrOut: errOut}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	urls := make(chan string, 1)
	opts := &ListenOptions{IO: ios, Addr: "127.0.0.1:0", Ready: func(u string) { urls <- u }}
	done := make(chan error, 1)
	go func() { done <- runListen(ctx, opts) }()
	var url string
	select {
	case url = <-urls:
	case err := <-done:
		t.Fatalf("runListen: %v", err)
	case <-time.After(5 * time.Second):
		t.Fatal("no URL")
	}
	if !strings.HasPrefix(url, "http://127.0.0.1:") || strings.HasSuffix(url, ":0/") || !strings.Contains(errOut.String(), "Listening on "+url+"\n") {
		t.Fatalf("url %q, stderr %q", url, errOut.String())
	}
	if out.String() != "" {
		t.Fatalf("stdout before any event: %q", out.String())
	}
	resp, err := http.Post(url, "application/json",
		strings.NewReader(`{"id":"x1","type":"SUBSCRITPION_END","iccid":"8944478600000205337"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("status %d", resp.StatusCode)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("runListen after cancel: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("did not stop")
	}
	if want := `{"id":"x1","type":"SUBSCRIPTION_END","iccid":"8944478600000205337"}` + "\n"; out.String() != want {
		t.Errorf("stdout %q, want %q", out.String(), want)
	}
}

func TestListenRegisterValidation(t *testing.T) {
	const a, b = "8944478600001000018", "8944478600000205337"
	tests := []struct {
		name       string
		args       []string
		wantICCIDs []string
		wantTypes  []string
		wantErr    string
	}{
		{name: "no register", args: nil},
		{name: "default both types", args: []string{"--register", a},
			wantICCIDs: []string{a}, wantTypes: []string{"USAGE_THRESHOLD", "SUBSCRIPTION_END"}},
		{name: "comma and repeat, deduplicated", args: []string{"--register", a + "," + b, "--register", a, "--type", "usage"},
			wantICCIDs: []string{a, b}, wantTypes: []string{"USAGE_THRESHOLD"}},
		{name: "API type names", args: []string{"--register", a, "--type", "SUBSCRIPTION_END,usage,end"},
			wantICCIDs: []string{a}, wantTypes: []string{"SUBSCRIPTION_END", "USAGE_THRESHOLD"}},
		{name: "misspelt end accepted", args: []string{"--register", a, "--type", "SUBSCRITPION_END"},
			wantICCIDs: []string{a}, wantTypes: []string{"SUBSCRIPTION_END"}},
		{name: "public https", args: []string{"--register", a, "--public-url", "https://abc.ngrok.app"},
			wantICCIDs: []string{a}, wantTypes: []string{"USAGE_THRESHOLD", "SUBSCRIPTION_END"}},
		{name: "public loopback http", args: []string{"--register", a, "--public-url", "http://127.0.0.1:9000/hooks"},
			wantICCIDs: []string{a}, wantTypes: []string{"USAGE_THRESHOLD", "SUBSCRIPTION_END"}},
		{name: "wrong luhn overridden", args: []string{"--register", "8944478600001000019", "--ignore-checksum"},
			wantICCIDs: []string{"8944478600001000019"}, wantTypes: []string{"USAGE_THRESHOLD", "SUBSCRIPTION_END"}},

		{name: "wrong luhn", args: []string{"--register", a + ",8944478600001000019"}, wantErr: "--ignore-checksum"},
		{name: "too short", args: []string{"--register", "8944478600001"}, wantErr: "--register"},
		{name: "not digits", args: []string{"--register", "abc"}, wantErr: "--register"},
		{name: "empty item", args: []string{"--register", a + ","}, wantErr: "empty ICCID"},
		{name: "bad type", args: []string{"--register", a, "--type", "sms"}, wantErr: "--type"},
		{name: "type without register", args: []string{"--type", "usage"}, wantErr: "--type needs --register"},
		{name: "public without register", args: []string{"--public-url", "https://abc.ngrok.app"}, wantErr: "--public-url needs --register"},
		{name: "public plain http", args: []string{"--register", a, "--public-url", "http://abc.ngrok.app"}, wantErr: "--public-url"},
		{name: "public relative", args: []string{"--register", a, "--public-url", "/hooks"}, wantErr: "--public-url"},
		{name: "public with query", args: []string{"--register", a, "--public-url", "https://abc.ngrok.app/?x=1"}, wantErr: "without query"},
		{name: "public with fragment", args: []string{"--register", a, "--public-url", "https://abc.ngrok.app/#x"}, wantErr: "without query"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, _, _, _ := iostreams.Test()
			var got *ListenOptions
			// No Client: validation must not need one.
			cmd := NewCmdListen(&factory.Factory{IOStreams: ios}, func(_ context.Context, o *ListenOptions) error { got = o; return nil })
			err := execute(cmd, tt.args)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v; want %q", err, tt.wantErr)
				}
				if code := cmdutil.ExitCodeFor(err); code != cmdutil.ExitUsage {
					t.Errorf("exit %d, want %d", code, cmdutil.ExitUsage)
				}
				if got != nil {
					t.Fatal("the command ran despite bad input")
				}
				return
			}
			if err != nil || got == nil {
				t.Fatalf("err = %v", err)
			}
			if !slices.Equal(got.iccids, tt.wantICCIDs) || !slices.Equal(got.types, tt.wantTypes) {
				t.Errorf("iccids %v types %v; want %v %v", got.iccids, got.types, tt.wantICCIDs, tt.wantTypes)
			}
		})
	}
}

func TestPublicURLAppendsToken(t *testing.T) {
	tests := []struct{ base, want string }{
		{"https://abc.ngrok.app", "https://abc.ngrok.app/TOK"},
		{"https://abc.ngrok.app/", "https://abc.ngrok.app/TOK"},
		{"https://abc.ngrok.app/hooks/", "https://abc.ngrok.app/hooks/TOK"},
		{"http://127.0.0.1:9000/a%2Fb", "http://127.0.0.1:9000/a%2Fb/TOK"},
	}
	for _, tt := range tests {
		got, err := publicURL(tt.base, "TOK")
		if err != nil || got != tt.want {
			t.Errorf("publicURL(%q) = %q, %v; want %q", tt.base, got, err, tt.want)
		}
	}
}
