//go:build !((dragonfly && cgo) || (freebsd && cgo) || linux || netbsd || openbsd)

package credentials

// sessionBusReachable: only the Secret Service needs a D-Bus session bus;
// Keychain and Credential Manager need nothing to be checked first.
func sessionBusReachable() error { return nil }
