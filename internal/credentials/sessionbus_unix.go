//go:build (dragonfly && cgo) || (freebsd && cgo) || linux || netbsd || openbsd

package credentials

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"time"
)

// EnvSessionBus names the D-Bus session bus the Secret Service is reached on.
const EnvSessionBus = "DBUS_SESSION_BUS_ADDRESS"

// busDialTimeout bounds the probe of the session bus socket: a local socket
// answers at once or not at all.
const busDialTimeout = 500 * time.Millisecond

// sessionBusReachable checks, before go-keyring is ever called, that a
// session bus is already running at DBUS_SESSION_BUS_ADDRESS. Without one,
// godbus would autolaunch `dbus-launch`, leaving a dbus-daemon (and the
// gnome-keyring-daemon it activates) running after connectctl exits.
func sessionBusReachable() error {
	return busReachable(os.Getenv(EnvSessionBus), busDialTimeout)
}

func busReachable(addr string, timeout time.Duration) error {
	if addr == "" {
		return errors.New(EnvSessionBus + " is not set: no D-Bus session bus, so no Secret Service")
	}
	var tried []string
	// Several addresses may be given, separated by ';'; the first that
	// answers is the one godbus would use too.
	for _, a := range strings.Split(addr, ";") {
		network, target, ok := dialTarget(a)
		if !ok {
			tried = append(tried, a+": not a socket address connectctl dials")
			continue
		}
		c, err := net.DialTimeout(network, target, timeout)
		if err == nil {
			c.Close()
			return nil
		}
		tried = append(tried, err.Error())
	}
	return fmt.Errorf("no D-Bus session bus answers at %s=%s (%s)", EnvSessionBus, addr, strings.Join(tried, "; "))
}

// dialTarget turns one D-Bus address (transport:key=value,...) into what
// net.Dial wants. autolaunch:, unixexec: and the like start processes, so
// they are never used.
func dialTarget(a string) (network, target string, ok bool) {
	transport, params, found := strings.Cut(strings.TrimSpace(a), ":")
	if !found {
		return "", "", false
	}
	kv := map[string]string{}
	for _, p := range strings.Split(params, ",") {
		k, v, _ := strings.Cut(p, "=")
		if uv, err := url.PathUnescape(v); err == nil { // values are %-escaped
			v = uv
		}
		kv[k] = v
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
		if kv["host"] != "" && kv["port"] != "" {
			return "tcp", net.JoinHostPort(kv["host"], kv["port"]), true
		}
	}
	return "", "", false
}
