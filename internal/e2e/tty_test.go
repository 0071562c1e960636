package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/connectctl/connectctl/internal/testenv"
)

// onTTY runs the binary with stdout on a pseudo-terminal of the given
// height, through util-linux script(1), and returns what the terminal got.
func onTTY(t *testing.T, env []string, rows string, args ...string) testenv.Result {
	t.Helper()
	script, err := exec.LookPath("script")
	if err != nil {
		t.Skip("no script(1) to give the binary a terminal")
	}
	quoted := make([]string, len(args))
	for i, a := range args {
		quoted[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	line := "stty rows " + rows + " cols 200; '" + bin + "' " + strings.Join(quoted, " ")
	res := testenv.Run(t, script, env, "-qec", line, "/dev/null")
	res.Stdout = strings.ReplaceAll(res.Stdout, "\r\n", "\n")
	return res
}

var rfc3339 = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ`)

// On a terminal, tables show statuses in colour and times relative to now;
// pipes and JSON keep RFC 3339 and carry no colour; NO_COLOR and --no-color
// turn the colour off. A table longer than the terminal goes through
// $PAGER (CONNECTCTL_PAGER wins; empty means none), which gets the table and
// is waited for.
func TestTablesOnATerminal(t *testing.T) {
	sb := testenv.StartSandbox(t, bin, "--order-delay", "0")
	env := sandboxEnv(sb)
	for range 3 {
		if res := testenv.Run(t, bin, env, orderArgs()...); res.ExitCode != 0 {
			t.Fatalf("order new: exit %d: %s", res.ExitCode, res.Stderr)
		}
	}
	colour := append(env, "NO_COLOR=") // testenv sets NO_COLOR=1; empty is unset (no-color.org)

	piped := testenv.Run(t, bin, colour, "order", "list")
	if !rfc3339.MatchString(piped.Stdout) || strings.Contains(piped.Stdout, "\x1b[") || strings.Contains(piped.Stdout, "ago") {
		t.Errorf("piped order list: want RFC 3339 times and no colour:\n%s", piped.Stdout)
	}

	tty := onTTY(t, colour, "50", "order", "list")
	if !strings.Contains(tty.Stdout, "\x1b[32mCOMPLETED\x1b[0m") || !strings.Contains(tty.Stdout, "just now") || rfc3339.MatchString(tty.Stdout) {
		t.Errorf("order list on a terminal: want green COMPLETED and relative times:\n%q", tty.Stdout)
	}
	subs := onTTY(t, colour, "50", "subs", "list")
	if !strings.Contains(subs.Stdout, "\x1b[32mACTIVE\x1b[0m") || !strings.Contains(subs.Stdout, "in 6 days") {
		t.Errorf("subs list on a terminal: want green ACTIVE and 'in 6 days':\n%q", subs.Stdout)
	}
	for name, run := range map[string]testenv.Result{
		"NO_COLOR=1":   onTTY(t, env, "50", "order", "list"),
		"--no-color":   onTTY(t, colour, "50", "order", "list", "--no-color"),
		"-o json":      onTTY(t, colour, "50", "order", "list", "-o", "json"),
		"piped -o csv": testenv.Run(t, bin, colour, "order", "list", "-o", "csv"),
	} {
		if strings.Contains(run.Stdout, "\x1b[") || run.ExitCode != 0 {
			t.Errorf("%s: exit %d, want no colour:\n%q", name, run.ExitCode, run.Stdout)
		}
		if strings.HasPrefix(name, "-o") || strings.HasPrefix(name, "piped") {
			if !rfc3339.MatchString(run.Stdout) {
				t.Errorf("%s: want RFC 3339 times:\n%s", name, run.Stdout)
			}
		}
	}

	// The pager: a script that keeps what it read.
	dir := t.TempDir()
	got := filepath.Join(dir, "got")
	pager := filepath.Join(dir, "pager.sh")
	if err := os.WriteFile(pager, []byte("#!/bin/sh\ncat > '"+got+"'\necho PAGED\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	paged := onTTY(t, append(colour, "PAGER="+pager), "3", "order", "list")
	b, err := os.ReadFile(got)
	if err != nil || strings.Count(string(b), "\n") != 4 || !strings.Contains(string(b), "\x1b[32mCOMPLETED") {
		t.Fatalf("pager got %q (%v); want the 4-line coloured table", b, err)
	}
	if strings.TrimSpace(paged.Stdout) != "PAGED" || paged.ExitCode != 0 {
		t.Errorf("terminal shows %q (exit %d), want only the pager's output", paged.Stdout, paged.ExitCode)
	}
	_ = os.Remove(got)
	for name, e := range map[string][]string{
		"short table":          {"PAGER=" + pager},
		"CONNECTCTL_PAGER=":    {"PAGER=" + pager, "CONNECTCTL_PAGER="},
		"CONNECTCTL_PAGER=cat": {"PAGER=" + pager, "CONNECTCTL_PAGER=cat"},
		"pipe":                 nil,
	} {
		rows := "3"
		if name == "short table" {
			rows = "50"
		}
		var res testenv.Result
		if name == "pipe" {
			res = testenv.Run(t, bin, append(colour, "PAGER="+pager), "order", "list")
		} else {
			res = onTTY(t, append(colour, e...), rows, "order", "list")
		}
		if _, err := os.Stat(got); err == nil || strings.Contains(res.Stdout, "PAGED") {
			t.Errorf("%s: went through the pager", name)
			_ = os.Remove(got)
		}
		if !strings.Contains(res.Stdout, "COMPLETED") {
			t.Errorf("%s: table not shown:\n%s", name, res.Stdout)
		}
	}
	// CONNECTCTL_PAGER wins over PAGER.
	paged = onTTY(t, append(colour, "PAGER=false", "CONNECTCTL_PAGER="+pager), "3", "order", "list")
	if strings.TrimSpace(paged.Stdout) != "PAGED" {
		t.Errorf("CONNECTCTL_PAGER did not win: %q", paged.Stdout)
	}
}
