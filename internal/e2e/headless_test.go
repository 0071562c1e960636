package e2e

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/connectctl/connectctl/internal/testenv"
)

// orphanDaemons counts the processes a D-Bus autolaunch leaves behind: a
// dbus-daemon or gnome-keyring-daemon whose parent is PID 1.
func orphanDaemons(t *testing.T) int {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Skipf("no /proc to count processes: %v", err)
	}
	n := 0
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue // gone meanwhile
		}
		// pid (comm) state ppid ...: comm may hold spaces, so cut at the last ')'.
		s := string(stat)
		open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
		if open < 0 || end < open {
			continue
		}
		comm, rest := s[open+1:end], strings.Fields(s[end+1:])
		if len(rest) < 2 || rest[1] != "1" {
			continue
		}
		if comm == "dbus-daemon" || comm == "gnome-keyring-daemon" || strings.HasPrefix(comm, "gnome-keyring-d") {
			n++
		}
	}
	return n
}

func timedRun(t *testing.T, env []string, args ...string) (testenv.Result, time.Duration) {
	t.Helper()
	start := time.Now()
	res := testenv.Run(t, bin, env, args...)
	return res, time.Since(start)
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

// TestHeadlessHostNoDaemonsNoStall runs the binary as a CI job would on a
// host with no session bus: nothing is left running, nothing stalls, and
// one token serves every run.
func TestHeadlessHostNoDaemonsNoStall(t *testing.T) {
	sb := testenv.StartSandbox(t, bin)
	h := newHome(t)
	// No DBUS_SESSION_BUS_ADDRESS: testenv.CleanEnv never passes one on.
	env := h.env(sandboxEnv(sb)...)
	before := orphanDaemons(t)
	tokensBefore := sb.Stats(t).TokenRequests

	var versionTimes, warmTimes []time.Duration
	if res := testenv.Run(t, bin, env, "products", "list", "--limit", "1"); res.ExitCode != 0 {
		t.Fatalf("first run: exit %d\n%s", res.ExitCode, res.Stderr)
	}
	for i := 0; i < 3; i++ {
		_, d := timedRun(t, env, "version")
		versionTimes = append(versionTimes, d)
		res, d := timedRun(t, env, "products", "list", "--limit", "1")
		if res.ExitCode != 0 {
			t.Fatalf("warm run: exit %d\n%s", res.ExitCode, res.Stderr)
		}
		warmTimes = append(warmTimes, d)
	}
	perRun := median(versionTimes) + median(warmTimes)

	const runs = 50
	var total time.Duration
	for i := 0; i < runs; i++ {
		res, d := timedRun(t, env, "products", "list", "--limit", "1")
		if res.ExitCode != 0 {
			t.Fatalf("run %d: exit %d\n%s", i, res.ExitCode, res.Stderr)
		}
		if strings.Contains(res.Stderr, "keyring") {
			t.Fatalf("run %d spoke of the keyring for the built-in sandbox profile:\n%s", i, res.Stderr)
		}
		total += d
	}
	// A dead socket where the bus should be answers "unavailable" at once.
	dead := filepath.Join(t.TempDir(), "no-bus")
	deadEnv := append(slices.Clone(env), "DBUS_SESSION_BUS_ADDRESS=unix:path="+dead)
	if res := testenv.Run(t, bin, deadEnv, "products", "list", "--limit", "1"); res.ExitCode != 0 {
		t.Fatalf("dead bus: exit %d\n%s", res.ExitCode, res.Stderr)
	}

	if limit := time.Duration(runs) * perRun; total > limit {
		t.Errorf("%d runs took %v, more than %d x (version %v + warm request %v) = %v: something stalls",
			runs, total, runs, median(versionTimes), median(warmTimes), limit)
	}
	if n := sb.Stats(t).TokenRequests - tokensBefore; n != 1 {
		t.Errorf("%d token requests over %d runs, want 1 (the file cache)", n, runs+5)
	}
	if after := orphanDaemons(t); after != before {
		t.Errorf("orphaned dbus-daemon/gnome-keyring-daemon processes: %d before, %d after", before, after)
	}
}

// TestHeadlessKeyringProfileSaysWhatToDo: a profile whose secret would live
// in the keyring, on a host without one, fails at once (exit 3) naming the
// ways that work without a keyring, with no bus and with a dead one.
func TestHeadlessKeyringProfileSaysWhatToDo(t *testing.T) {
	sb := testenv.StartSandbox(t, bin, "--client", e2eClientID+":"+e2eSecret)
	h := newHome(t)
	env := h.env()
	for _, args := range [][]string{
		{"profile", "add", "ci", "--base-url", sb.URL, "--token-url", sb.TokenURL(), "--client-id", e2eClientID},
		{"profile", "use", "ci"},
	} {
		if res := testenv.Run(t, bin, env, args...); res.ExitCode != 0 {
			t.Fatalf("%v: exit %d\n%s", args, res.ExitCode, res.Stderr)
		}
	}
	before := orphanDaemons(t)
	dead := "DBUS_SESSION_BUS_ADDRESS=unix:path=" + filepath.Join(t.TempDir(), "no-bus")
	for _, extra := range [][]string{nil, {dead}} {
		res := testenv.Run(t, bin, append(slices.Clone(env), extra...), "products", "list", "--limit", "1")
		if res.ExitCode != 3 {
			t.Fatalf("%v: exit %d, want 3\n%s", extra, res.ExitCode, res.Stderr)
		}
		for _, want := range []string{"keyring", "CONNECTCTL_CLIENT_SECRET", "--insecure-storage"} {
			if !strings.Contains(res.Stderr, want) {
				t.Errorf("%v: stderr does not say %q:\n%s", extra, want, res.Stderr)
			}
		}
	}
	// And the environment variables then work, still with no bus.
	res := testenv.Run(t, bin, append(slices.Clone(env), "CONNECTCTL_CLIENT_SECRET="+e2eSecret), "products", "list", "--limit", "1")
	if res.ExitCode != 0 {
		t.Fatalf("with CONNECTCTL_CLIENT_SECRET: exit %d\n%s", res.ExitCode, res.Stderr)
	}
	if after := orphanDaemons(t); after != before {
		t.Errorf("orphaned daemons: %d before, %d after", before, after)
	}
}
