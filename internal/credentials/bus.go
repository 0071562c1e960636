package credentials

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// ErrNoSessionBus means no D-Bus session bus answers where the Secret
// Service would be reached. Asking go-keyring anyway would make godbus run
// dbus-launch, which leaves a dbus-daemon and a gnome-keyring-daemon behind
// on every headless host (servers, CI runners).
var ErrNoSessionBus = errors.New("no D-Bus session bus: DBUS_SESSION_BUS_ADDRESS is unset or nothing answers at it")

// busDialTimeout bounds the probe: a local socket answers in microseconds.
const busDialTimeout = 250 * time.Millisecond

// ProbeSessionBus checks, without starting anything, that a session bus
// answers at the address godbus would use: $DBUS_SESSION_BUS_ADDRESS, else
// $XDG_RUNTIME_DIR/bus (which godbus discovers itself). It only dials the
// socket; the D-Bus handshake is left to go-keyring. macOS and Windows
// keyrings do not use D-Bus and always pass.
func ProbeSessionBus(getenv func(string) string) error {
	if runtime.GOOS == "darwin" || runtime.GOOS == "windows" {
		return nil
	}
	addr := getenv("DBUS_SESSION_BUS_ADDRESS")
	if addr == "" || addr == "autolaunch:" {
		if dir := getenv("XDG_RUNTIME_DIR"); dir != "" {
			p := filepath.Join(dir, "bus")
			if fi, err := os.Stat(p); err == nil && fi.Mode()&os.ModeSocket != 0 {
				addr = "unix:path=" + p
			}
		}
	}
	if addr == "" || addr == "autolaunch:" {
		return ErrNoSessionBus
	}
	var last error
	for _, a := range strings.Split(addr, ";") {
		network, target, ok := busTarget(a)
		if !ok {
			continue
		}
		c, err := net.DialTimeout(network, target, busDialTimeout)
		if err == nil {
			c.Close()
			return nil
		}
		last = err
	}
	if last != nil {
		return fmt.Errorf("%w (%v)", ErrNoSessionBus, last)
	}
	return ErrNoSessionBus
}

// busTarget turns one D-Bus server address into something net.Dial takes.
// Transports that would run a program (unixexec:, autolaunch:) or that
// only make sense for a server (unix:tmpdir=) are not dialed.
func busTarget(addr string) (network, target string, ok bool) {
	transport, params, found := strings.Cut(strings.TrimSpace(addr), ":")
	if !found {
		return "", "", false
	}
	kv := map[string]string{}
	for _, p := range strings.Split(params, ",") {
		if k, v, ok := strings.Cut(p, "="); ok {
			kv[k] = unescapeBus(v)
		}
	}
	switch transport {
	case "unix":
		if p := kv["path"]; p != "" {
			return "unix", p, true
		}
		if p := kv["abstract"]; p != "" {
			return "unix", "@" + p, true
		}
	case "tcp", "nonce-tcp":
		if kv["port"] != "" {
			host := kv["host"]
			if host == "" {
				host = "localhost"
			}
			return "tcp", net.JoinHostPort(host, kv["port"]), true
		}
	}
	return "", "", false
}

// unescapeBus undoes the %XX escaping of D-Bus address values.
func unescapeBus(v string) string {
	if !strings.Contains(v, "%") {
		return v
	}
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if v[i] == '%' && i+2 < len(v) {
			var c byte
			if _, err := fmt.Sscanf(v[i+1:i+3], "%02x", &c); err == nil {
				b.WriteByte(c)
				i += 2
				continue
			}
		}
		b.WriteByte(v[i])
	}
	return b.String()
}
