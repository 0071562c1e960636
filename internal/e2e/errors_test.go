package e2e

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/connectctl/connectctl/internal/testenv"
)

// With -o json an error also prints the JSON error object of cli.md on stderr.
func TestJSONErrorObject(t *testing.T) {
	sb := testenv.StartSandbox(t, bin)
	res := testenv.Run(t, bin, sandboxEnv(sb), "order", "get", "7f1c2a3e-0000-4000-8000-000000000000",
		"-o", "json", "--correlation-id", "e2e-json-err")
	if res.ExitCode != 4 {
		t.Fatalf("exit %d: %s", res.ExitCode, res.Stderr)
	}
	lines := strings.Split(strings.TrimSpace(res.Stderr), "\n")
	var obj struct {
		Error struct {
			Status        int      `json:"status"`
			Type          string   `json:"type"`
			Messages      []string `json:"messages"`
			CorrelationID string   `json:"correlation_id"`
			ExitCode      int      `json:"exit_code"`
		} `json:"error"`
	}
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &obj); err != nil {
		t.Fatalf("last stderr line is not the JSON error: %v\n%s", err, res.Stderr)
	}
	e := obj.Error
	if e.Status != 404 || e.Type != "NOT_FOUND" || len(e.Messages) == 0 || e.CorrelationID != "e2e-json-err" || e.ExitCode != 4 {
		t.Fatalf("error object %+v", e)
	}
	if res.Stdout != "" {
		t.Errorf("stdout carries %q on an error", res.Stdout)
	}
}

func TestUsageErrorsExit2(t *testing.T) {
	for _, args := range [][]string{
		{"bogus"},
		{"order", "get"},
		{"order", "get", "a", "b"},
		{"version", "extra"},
		{"--output", "xml", "version"},
	} {
		res := testenv.Run(t, bin, nil, args...)
		if res.ExitCode != 2 || res.Stderr == "" {
			t.Errorf("%v: exit %d, stderr %q; want 2 and a message", args, res.ExitCode, res.Stderr)
		}
	}
}

// A typo in a subcommand is a usage error on every group and at the root,
// with Cobra's wording and suggestions; a bare group shows its help, exit 0
// (as gh does).
func TestUnknownSubcommandSuggests(t *testing.T) {
	for _, tc := range []struct {
		args    []string
		group   string
		suggest string
	}{
		{[]string{"order", "craete"}, "connectctl order", "new"},
		{[]string{"order", "lst"}, "connectctl order", "list"},
		{[]string{"products", "lst"}, "connectctl products", "list"},
		{[]string{"webhook", "lsit"}, "connectctl webhook", "list"},
		{[]string{"auth", "stauts"}, "connectctl auth", "status"},
		{[]string{"profile", "lst"}, "connectctl profile", "list"},
		{[]string{"sandbox", "srve"}, "connectctl sandbox", "serve"},
		{[]string{"sim", "lst"}, "connectctl sim", "list"},
		{[]string{"subs", "lst"}, "connectctl subs", "list"},
		{[]string{"completion", "bsah"}, "connectctl completion", "bash"},
		{[]string{"ordr"}, "connectctl", "order"},
	} {
		res := testenv.Run(t, bin, nil, tc.args...)
		want := fmt.Sprintf("error: unknown command %q for %q", tc.args[len(tc.args)-1], tc.group)
		if res.ExitCode != 2 || !strings.Contains(res.Stderr, want) ||
			!strings.Contains(res.Stderr, "Did you mean this?\n\t"+tc.suggest+"\n") || res.Stdout != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 2, %q and the suggestion %q",
				tc.args, res.ExitCode, res.Stdout, res.Stderr, want, tc.suggest)
		}
	}
	for _, args := range [][]string{{}, {"order"}, {"products"}, {"webhook"}, {"auth"}, {"profile"}, {"sandbox"}, {"sim"}, {"subs"}} {
		res := testenv.Run(t, bin, nil, args...)
		if res.ExitCode != 0 || !strings.Contains(res.Stdout, "Usage:") || res.Stderr != "" {
			t.Errorf("bare %v: exit %d, stderr %q; want its help on stdout, exit 0", args, res.ExitCode, res.Stderr)
		}
	}
}

// With the sandbox down, the failure is a network one (exit 6) that names
// the URL and, for the sandbox profile, how to start it (issue 11 item 9).
func TestSandboxDownIsANetworkFailure(t *testing.T) {
	closed := testenv.ClosedAddr(t)
	h := newHome(t)
	for _, tt := range []struct {
		name, profile, want string
	}{
		{"built-in sandbox profile", "sandbox", "start it with: connectctl sandbox serve"},
		{"another loopback profile", "local", "start it with: connectctl sandbox serve --addr " + closed},
	} {
		t.Run(tt.name, func(t *testing.T) {
			env := h.env("CONNECTCTL_BASE_URL=http://"+closed, "CONNECTCTL_TOKEN_URL=http://"+closed+"/oauth/token",
				"CONNECTCTL_PROFILE="+tt.profile, "CONNECTCTL_CLIENT_ID=c", "CONNECTCTL_CLIENT_SECRET=s")
			if tt.profile != "sandbox" {
				if res := testenv.Run(t, bin, h.env(), "profile", "add", tt.profile, "--base-url", "http://"+closed,
					"--token-url", "http://"+closed+"/oauth/token"); res.ExitCode != 0 {
					t.Fatalf("profile add: %s", res.Stderr)
				}
			}
			res := testenv.Run(t, bin, env, "products", "list")
			if res.ExitCode != 6 {
				t.Fatalf("exit %d, want 6\n%s", res.ExitCode, res.Stderr)
			}
			for _, want := range []string{"cannot reach the token endpoint http://" + closed + "/oauth/token", "connection refused", tt.want} {
				if !strings.Contains(res.Stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, res.Stderr)
				}
			}
			if strings.Contains(res.Stderr, "authentication failed") {
				t.Errorf("a refused connection reported as an authentication failure:\n%s", res.Stderr)
			}
		})
	}
}
