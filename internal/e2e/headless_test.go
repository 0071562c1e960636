package e2e

import (
	"bufio"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/connectctl/connectctl/internal/testenv"
)

// busDaemons lists the processes whose parent is PID 1 and whose name is
// dbus-daemon or gnome-keyring-daemon: what an autolaunched session bus
// (dbus-launch) leaves behind. /proc/PID/comm holds 15 bytes at most, so
// gnome-keyring-daemon reads "gnome-keyring-d".
func busDaemons(t *testing.T) map[int]string {
	t.Helper()
	ents, err := os.ReadDir("/proc")
	if err != nil {
		t.Skipf("no /proc to count processes in: %v", err)
	}
	found := map[int]string{}
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		comm, err := os.ReadFile(filepath.Join("/proc", e.Name(), "comm"))
		if err != nil {
			continue // gone meanwhile
		}
		name := strings.TrimSpace(string(comm))
		if name != "dbus-daemon" && name != "gnome-keyring-d" {
			continue
		}
		status, err := os.ReadFile(filepath.Join("/proc", e.Name(), "status"))
		if err != nil {
			continue
		}
		for _, l := range strings.Split(string(status), "\n") {
			if v, ok := strings.CutPrefix(l, "PPid:"); ok && strings.TrimSpace(v) == "1" {
				found[pid] = name
			}
		}
	}
	return found
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

// TestHeadlessRunsStartNoBus: on a host without a session bus, 50 API
// commands of the built-in sandbox profile (and one with
// DBUS_SESSION_BUS_ADDRESS pointing at a dead socket) all succeed, start no
// dbus-daemon or gnome-keyring-daemon, never run dbus-launch, and cost no
// more than `version` plus the request each.
func TestHeadlessRunsStartNoBus(t *testing.T) {
	sb := testenv.StartSandbox(t, bin, "--token-ttl", "10m")
	h := newHome(t)
	// A dbus-launch first on PATH that records being run: godbus's
	// autolaunch would run it. It starts nothing.
	spyDir := t.TempDir()
	spyLog := filepath.Join(spyDir, "ran")
	spy := "#!/bin/sh\necho \"$@\" >>'" + spyLog + "'\nexit 1\n"
	if err := os.WriteFile(filepath.Join(spyDir, "dbus-launch"), []byte(spy), 0o755); err != nil {
		t.Fatal(err)
	}
	env := h.env(append(sandboxEnv(sb), "PATH="+spyDir+string(os.PathListSeparator)+os.Getenv("PATH"))...)
	args := []string{"products", "list", "--limit", "1"}

	// The baseline, measured here on the same machine: `version`, and the
	// same request with credentials from the environment (no keyring
	// involved). Medians of five, for a noisy shared machine.
	timed := func(env []string, args ...string) time.Duration {
		t.Helper()
		start := time.Now()
		res := testenv.Run(t, bin, env, args...)
		took := time.Since(start)
		if res.ExitCode != 0 {
			t.Fatalf("%v: exit %d\n%s", args, res.ExitCode, res.Stderr)
		}
		return took
	}
	envCreds := append(slices.Clone(env), "CONNECTCTL_CLIENT_ID=sandbox", "CONNECTCTL_CLIENT_SECRET=sandbox")
	var versions, requests []time.Duration
	for range 5 {
		versions = append(versions, timed(env, "version"))
		requests = append(requests, timed(envCreds, args...))
	}
	base := median(versions) + median(requests)

	before := busDaemons(t)
	var total time.Duration
	for range 50 {
		total += timed(env, args...)
	}
	// A bus address whose socket nobody listens on.
	dead := filepath.Join(t.TempDir(), "bus")
	if l, err := net.Listen("unix", dead); err == nil {
		l.Close()
	}
	res := testenv.Run(t, bin, append(slices.Clone(env), "DBUS_SESSION_BUS_ADDRESS=unix:path="+dead), args...)
	if res.ExitCode != 0 {
		t.Fatalf("dead bus socket: exit %d\n%s", res.ExitCode, res.Stderr)
	}
	// A bus that accepts and never answers, as a hung keyring: the built-in
	// sandbox profile does not ask it, so nothing waits for it.
	silent := silentBus(t)
	res = testenv.Run(t, bin, append(slices.Clone(env), "DBUS_SESSION_BUS_ADDRESS=unix:path="+silent,
		"CONNECTCTL_KEYRING_TIMEOUT=20s"), append([]string{"--debug"}, args...)...)
	if res.ExitCode != 0 || !strings.Contains(res.Stderr, "secret from built-in") || strings.Contains(res.Stderr, "keyring") {
		t.Errorf("silent bus: exit %d\n%s", res.ExitCode, res.Stderr)
	}
	after := busDaemons(t)

	if data, err := os.ReadFile(spyLog); err == nil {
		t.Errorf("dbus-launch was run:\n%s", data)
	}
	var started []string
	for pid, name := range after {
		if _, ok := before[pid]; !ok {
			started = append(started, strconv.Itoa(pid)+" "+name)
		}
	}
	if len(before) != len(after) || len(started) > 0 {
		t.Errorf("bus daemons with parent PID 1: %d before, %d after; new: %v", len(before), len(after), started)
	}
	if limit := 50 * base; total >= limit {
		t.Errorf("50 runs took %s, over 50 × (version %s + request %s) = %s", total, median(versions), median(requests), limit)
	}
	t.Logf("50 runs %s; baseline version %s + request %s", total, median(versions), median(requests))
	if n := sb.Stats(t).TokenRequests; n > 2 {
		t.Errorf("%d token requests: the token cache was not used", n) // one for the sandbox profile, one for the env baseline
	}
}

// TestKeyringWaitSaysSoAndCtrlCEndsIt: a keyring on a bus that never
// answers makes the command say it is waiting, and Ctrl-C ends it at once
// with exit 130, long before the keyring's timeout.
func TestKeyringWaitSaysSoAndCtrlCEndsIt(t *testing.T) {
	sb := testenv.StartSandbox(t, bin)
	h := newHome(t)
	silent := silentBus(t)
	// A client id of its own: its secret would be in the keyring.
	env := h.env(append(sandboxEnv(sb), "CONNECTCTL_CLIENT_ID="+e2eClientID,
		"DBUS_SESSION_BUS_ADDRESS=unix:path="+silent, "CONNECTCTL_KEYRING_TIMEOUT=1m")...)
	cmd := exec.Command(bin, "products", "list", "--limit", "1")
	cmd.Env = append(testenv.CleanEnv(t), env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	seen := make(chan string, 1)
	rest := make(chan string, 1) // stderr after the notice
	go func() {
		r := bufio.NewReader(stderr)
		var all strings.Builder
		for {
			line, err := r.ReadString('\n')
			all.WriteString(line)
			if strings.Contains(line, "waiting for the system keyring") {
				seen <- all.String()
				b, _ := io.ReadAll(r)
				rest <- string(b)
				return
			}
			if err != nil {
				seen <- all.String()
				return
			}
		}
	}()
	select {
	case out := <-seen:
		if !strings.Contains(out, "waiting for the system keyring") {
			t.Fatalf("no waiting notice:\n%s", out)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("no waiting notice within 20s")
	}
	_ = cmd.Process.Signal(os.Interrupt)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
		if code := cmd.ProcessState.ExitCode(); code != 130 {
			t.Errorf("exit %d after Ctrl-C, want 130", code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Ctrl-C did not end the wait for the keyring")
	}
	// What ended the run, in the user's words, with the way round the keyring.
	if out := <-rest; !strings.Contains(out, "the wait for the system keyring was interrupted") ||
		strings.Contains(out, "context canceled") || !strings.Contains(out, "CONNECTCTL_CLIENT_SECRET") {
		t.Errorf("stderr after Ctrl-C: %q", out)
	}
}

// silentBus is a unix socket that accepts connections and never answers,
// as a hung D-Bus does; it closes when the test ends.
func silentBus(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "silent")
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	var held []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			held = append(held, c) // held open, never answered
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
		for _, c := range held {
			c.Close()
		}
	})
	return path
}
