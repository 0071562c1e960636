package iostreams

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestColorEnabled(t *testing.T) {
	for _, tc := range []struct {
		name    string
		tty     bool
		env     map[string]string
		noColor bool // --no-color
		want    bool
	}{
		{name: "terminal", tty: true, want: true},
		{name: "pipe", tty: false, want: false},
		{name: "NO_COLOR", tty: true, env: map[string]string{"NO_COLOR": "1"}, want: false},
		{name: "NO_COLOR empty counts as unset", tty: true, env: map[string]string{"NO_COLOR": ""}, want: true},
		{name: "TERM=dumb", tty: true, env: map[string]string{"TERM": "dumb"}, want: false},
		{name: "--no-color", tty: true, noColor: true, want: false},
		{name: "pipe with no env", tty: false, env: map[string]string{"TERM": "xterm-256color"}, want: false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ios, _, _, _ := Test()
			ios.SetTTY(false, tc.tty, false)
			ios.SetNoColor(noColorFromEnv(func(k string) string { return tc.env[k] }))
			if tc.noColor {
				ios.SetNoColor(true)
			}
			if got := ios.ColorEnabled(); got != tc.want {
				t.Errorf("ColorEnabled() = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestPagerFromEnv(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{nil, ""},
		{map[string]string{"PAGER": "less"}, "less"},
		{map[string]string{"PAGER": "less", "CONNECTCTL_PAGER": "more"}, "more"},
		{map[string]string{"PAGER": "less", "CONNECTCTL_PAGER": ""}, ""}, // set to nothing: no pager
		{map[string]string{"PAGER": "less", "CONNECTCTL_PAGER": "cat"}, ""},
		{map[string]string{"PAGER": "cat"}, ""},
		{map[string]string{"PAGER": " less -R "}, "less -R"},
	} {
		got := pagerFromEnv(func(k string) (string, bool) { v, ok := tc.env[k]; return v, ok })
		if got != tc.want {
			t.Errorf("env %v: pager %q, want %q", tc.env, got, tc.want)
		}
	}
}

func TestShouldPage(t *testing.T) {
	ios, _, _, _ := Test()
	ios.SetPager("less")
	if ios.ShouldPage(100) {
		t.Error("pages a pipe")
	}
	ios.SetTTY(false, true, false)
	ios.SetTerminalHeight(24)
	if ios.ShouldPage(10) {
		t.Error("pages a table that fits the terminal")
	}
	if !ios.ShouldPage(30) {
		t.Error("does not page a table longer than the terminal")
	}
	ios.SetTerminalHeight(0) // unknown height: page
	if !ios.ShouldPage(3) {
		t.Error("does not page with an unknown height")
	}
	ios.SetPager("")
	if ios.ShouldPage(300) {
		t.Error("pages with no pager")
	}
}

// writePagerScript writes a pager that saves its input and the LESS it
// was given in dir, and prints what it read to its stdout (the terminal).
func writePagerScript(t *testing.T) (pager, got, env string) {
	t.Helper()
	dir := t.TempDir()
	got, env = filepath.Join(dir, "got"), filepath.Join(dir, "env")
	pager = filepath.Join(dir, "pager.sh")
	script := "#!/bin/sh\nprintf '%s' \"$LESS\" > " + env + "\ntee " + got + "\necho '(paged)'\n"
	if err := os.WriteFile(pager, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return pager, got, env
}

func TestPagerGetsTheOutputAndIsWaitedFor(t *testing.T) {
	if _, err := os.Stat("/bin/sh"); err != nil {
		t.Skip("no /bin/sh")
	}
	t.Setenv("LESS", "") // restored after the test
	os.Unsetenv("LESS")  // unset: the pager gets LESS=FRX
	pager, got, env := writePagerScript(t)
	ios, _, out, _ := Test()
	ios.SetTTY(false, true, false)
	ios.SetPager(pager)
	if err := ios.StartPager(); err != nil {
		t.Fatal(err)
	}
	if ios.Out == out {
		t.Fatal("Out still writes to the terminal, not the pager")
	}
	table := strings.Repeat("ROW\n", 500)
	if _, err := ios.Out.Write([]byte(table)); err != nil {
		t.Fatal(err)
	}
	ios.StopPager()
	if ios.Out != out {
		t.Fatal("StopPager did not give Out back")
	}
	// Waited for: the pager has exited and written everything.
	b, err := os.ReadFile(got)
	if err != nil || string(b) != table {
		t.Fatalf("pager got %d bytes (%v), want %d", len(b), err, len(table))
	}
	if e, _ := os.ReadFile(env); string(e) != "FRX" {
		t.Errorf("pager's LESS %q, want FRX", e)
	}
	if !strings.HasSuffix(out.String(), "(paged)\n") || !strings.HasPrefix(out.String(), "ROW\n") {
		t.Errorf("terminal shows %q...", out.String()[:min(40, out.Len())])
	}
	ios.StopPager() // twice is harmless
}

// A pager the user quits early (here: one that reads nothing) is no error
// for the writer.
func TestPagerQuitEarly(t *testing.T) {
	if _, err := os.Stat("/bin/sh"); err != nil {
		t.Skip("no /bin/sh")
	}
	ios, _, _, _ := Test()
	ios.SetTTY(false, true, false)
	ios.SetPager("true")
	if err := ios.StartPager(); err != nil {
		t.Fatal(err)
	}
	big := []byte(strings.Repeat("x", 1<<20))
	for range 4 {
		if _, err := ios.Out.Write(big); err != nil {
			t.Fatalf("write after the pager quit: %v", err)
		}
	}
	ios.StopPager()
}

func TestPagerCommand(t *testing.T) {
	for line, want := range map[string][]string{
		"less":              {"less"},
		"less -R":           {"less", "-R"},
		"/usr/bin/more -d ": {"/usr/bin/more", "-d"},
		"less -R | cat":     {"sh", "-c", "less -R | cat"},
		"LESS=x less":       {"sh", "-c", "LESS=x less"},
		"less '-R'":         {"sh", "-c", "less '-R'"},
	} {
		c := pagerCommand(line)
		got := append([]string{filepath.Base(c.Path)}, c.Args[1:]...)
		want[0] = filepath.Base(want[0])
		if strings.Join(got, "\x00") != strings.Join(want, "\x00") {
			t.Errorf("pagerCommand(%q) runs %q, want %q", line, got, want)
		}
	}
}
