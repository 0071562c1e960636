//go:build (dragonfly && cgo) || (freebsd && cgo) || linux || netbsd || openbsd

package credentials

import (
	"errors"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// countingKeyring records how often the keyring behind the bus check is asked.
type countingKeyring struct{ calls int }

func (c *countingKeyring) Get(string, string) (string, error) { c.calls++; return "s", nil }
func (c *countingKeyring) Set(string, string, string) error   { c.calls++; return nil }
func (c *countingKeyring) Delete(string, string) error        { c.calls++; return nil }

func TestBusCheckedNeverAsksWithoutABus(t *testing.T) {
	dir := t.TempDir()
	live := filepath.Join(dir, "bus")
	ln, err := net.Listen("unix", live)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	dead := filepath.Join(dir, "dead")
	if l, err := net.Listen("unix", dead); err == nil {
		l.Close() // the socket file stays, nobody listens
	}
	tests := []struct {
		name, addr string
		ok         bool
	}{
		{"unset", "", false},
		{"dead socket", "unix:path=" + dead, false},
		{"missing socket", "unix:path=" + filepath.Join(dir, "none"), false},
		{"autolaunch", "autolaunch:", false},
		{"unixexec", "unixexec:path=/bin/true", false},
		{"live socket", "unix:path=" + live, true},
		{"live socket escaped, after a dead one", "unix:path=" + dead + ";unix:path=" + strings.ReplaceAll(live, "/", "%2f") + ",guid=0123", true},
		{"abstract nobody listens on", "unix:abstract=/tmp/connectctl-test-none-" + filepath.Base(dir), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(EnvSessionBus, tt.addr)
			k := &countingKeyring{}
			start := time.Now()
			_, err := (BusChecked{K: k}).Get(Service, "p")
			if took := time.Since(start); took > 2*busDialTimeout {
				t.Errorf("the check took %s", took)
			}
			if tt.ok != (err == nil) || tt.ok != (k.calls == 1) {
				t.Fatalf("err %v, keyring asked %d times; want reachable=%v", err, k.calls, tt.ok)
			}
			// Through the timeout layer a missing bus is "unavailable", as
			// for a keyring that answers with an error.
			_, err = (&TimeoutKeyring{K: BusChecked{K: k}, Timeout: time.Second}).Get(Service, "p")
			if !tt.ok && !IsUnavailable(err) {
				t.Errorf("want unavailable, got %v", err)
			}
			if !tt.ok && errors.Is(err, ErrNotFound) {
				t.Errorf("a missing bus is not 'not found'")
			}
		})
	}
}
