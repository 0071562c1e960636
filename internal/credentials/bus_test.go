package credentials

import (
	"bytes"
	"context"
	"errors"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestBusTarget(t *testing.T) {
	for _, tc := range []struct {
		addr, network, target string
		ok                    bool
	}{
		{"unix:path=/run/user/1000/bus", "unix", "/run/user/1000/bus", true},
		{"unix:abstract=/tmp/dbus-Xyz,guid=0123", "unix", "@/tmp/dbus-Xyz", true},
		{"unix:path=/tmp/with%20space", "unix", "/tmp/with space", true},
		{"tcp:host=127.0.0.1,port=4000", "tcp", "127.0.0.1:4000", true},
		{"unix:tmpdir=/tmp", "", "", false},         // a server address
		{"unixexec:path=/bin/sh", "", "", false},    // would run a program
		{"autolaunch:", "", "", false},              // would start a bus
		{"launchd:env=DBUS_LAUNCHD", "", "", false}, // not dialable here
		{"garbage", "", "", false},
	} {
		n, target, ok := busTarget(tc.addr)
		if n != tc.network || target != tc.target || ok != tc.ok {
			t.Errorf("busTarget(%q) = %q, %q, %v; want %q, %q, %v", tc.addr, n, target, ok, tc.network, tc.target, tc.ok)
		}
	}
}

func TestProbeSessionBus(t *testing.T) {
	dir := t.TempDir()
	live := filepath.Join(dir, "live.sock")
	l, err := net.Listen("unix", live)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	dead := filepath.Join(dir, "dead.sock")
	runtimeDir := t.TempDir()
	for _, tc := range []struct {
		name string
		env  map[string]string
		ok   bool
	}{
		{"unset", map[string]string{}, false},
		{"autolaunch", map[string]string{"DBUS_SESSION_BUS_ADDRESS": "autolaunch:"}, false},
		{"dead socket", map[string]string{"DBUS_SESSION_BUS_ADDRESS": "unix:path=" + dead}, false},
		{"live socket", map[string]string{"DBUS_SESSION_BUS_ADDRESS": "unix:path=" + live}, true},
		{"first dead, second live", map[string]string{"DBUS_SESSION_BUS_ADDRESS": "unix:path=" + dead + ";unix:path=" + live}, true},
		{"runtime dir without bus", map[string]string{"XDG_RUNTIME_DIR": runtimeDir}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := ProbeSessionBus(func(k string) string { return tc.env[k] })
			if (err == nil) != tc.ok {
				t.Fatalf("ProbeSessionBus = %v, want ok=%v", err, tc.ok)
			}
			if err != nil && !errors.Is(err, ErrNoSessionBus) {
				t.Fatalf("error %v is not ErrNoSessionBus", err)
			}
		})
	}
}

// countingKeyring counts the calls that reach it.
type countingKeyring struct {
	mu    sync.Mutex
	calls int
}

func (c *countingKeyring) Get(string, string) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls++
	return "s", nil
}
func (c *countingKeyring) Set(string, string, string) error { _, err := c.Get("", ""); return err }
func (c *countingKeyring) Delete(string, string) error      { _, err := c.Get("", ""); return err }

// A failed probe makes the keyring unavailable without one call reaching it:
// the call is what would make godbus start a bus.
func TestProbeFailureNeverAsksKeyring(t *testing.T) {
	c := &countingKeyring{}
	probes := 0
	k := &TimeoutKeyring{K: c, Timeout: time.Second, Probe: func() error { probes++; return ErrNoSessionBus }}
	for i := 0; i < 3; i++ {
		if _, err := k.Get(Service, "prod"); !IsUnavailable(err) || !errors.Is(err, ErrNoSessionBus) {
			t.Fatalf("Get = %v, want unavailable: no session bus", err)
		}
	}
	if c.calls != 0 || probes != 1 {
		t.Fatalf("keyring calls %d, probes %d; want 0 and 1", c.calls, probes)
	}
	s := &Secrets{Keyring: k, File: &FileStore{Path: filepath.Join(t.TempDir(), "c.json")}}
	if _, err := s.Store("prod", "x", false); !IsUnavailable(err) {
		t.Fatalf("Store = %v, want unavailable", err)
	}
}

// syncBuffer is a bytes.Buffer safe to read while the keyring writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// A keyring that blocks: the user is told what the CLI waits for, and
// cancelling (Ctrl-C) ends the wait at once.
func TestSlowKeyringNoticeAndCancel(t *testing.T) {
	h := hangingKeyring{release: make(chan struct{})}
	defer close(h.release)
	ctx, cancel := context.WithCancel(context.Background())
	var errOut syncBuffer
	k := &TimeoutKeyring{K: h, Timeout: time.Minute, Ctx: ctx, Notice: &errOut, NoticeAfter: 20 * time.Millisecond}
	type res struct {
		err error
		at  time.Time
	}
	done := make(chan res, 1)
	go func() {
		_, err := k.Get(Service, "prod")
		done <- res{err, time.Now()}
	}()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(errOut.String(), "waiting for the system keyring") {
		if time.Now().After(deadline) {
			t.Fatalf("no notice on stderr; got %q", errOut.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancelled := time.Now()
	cancel()
	select {
	case r := <-done:
		if !errors.Is(r.err, context.Canceled) {
			t.Fatalf("Get = %v, want context.Canceled", r.err)
		}
		if d := r.at.Sub(cancelled); d > 100*time.Millisecond {
			t.Fatalf("Get returned %v after cancel, want within 100ms", d)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Get did not return after cancel")
	}
	if n := strings.Count(errOut.String(), "waiting for"); n != 1 {
		t.Errorf("notice printed %d times: %q", n, errOut.String())
	}
}
