// Package credentials keeps connectctl's secrets out of the config file:
//
//   - client secrets in the OS keyring (zalando/go-keyring: Secret Service on
//     Linux, Keychain on macOS, Credential Manager on Windows) under service
//     "connectctl", one entry per profile, or — only on explicit request — in
//     a 0600 file (FileStore);
//   - access tokens in a 0600 file per profile in the user cache directory
//     (TokenCache, an auth.Store), keyed by the profile, token URL, client id
//     and a fingerprint of the secret.
//
// Every keyring call runs under a timeout: a hung D-Bus makes the keyring
// "unavailable", never the CLI hang.
package credentials

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/zalando/go-keyring"
)

// Service is the keyring service every connectctl secret is stored under.
const Service = "connectctl"

// DefaultTimeout bounds each keyring call; InteractiveTimeout when a person
// at a terminal may be answering the keyring's unlock prompt.
const (
	DefaultTimeout     = 5 * time.Second
	InteractiveTimeout = 20 * time.Second
)

// NoticeDelay is how long a keyring call runs before connectctl says it is
// waiting for it.
const NoticeDelay = time.Second

// ErrNotFound means no secret is stored for the profile.
var ErrNotFound = errors.New("no secret stored")

// UnavailableError means the keyring did not answer, or answered with an
// error other than "not found" (no Secret Service, a locked keyring, D-Bus
// trouble).
type UnavailableError struct {
	Op      string
	Timeout time.Duration // set when the call timed out
	Err     error         // context.Canceled when Ctrl-C ended the wait
}

func (e *UnavailableError) Error() string {
	if errors.Is(e.Err, context.Canceled) {
		return fmt.Sprintf("the wait for the system keyring was interrupted (%s)", e.Op)
	}
	if e.Timeout > 0 {
		return fmt.Sprintf("the system keyring did not answer within %s (%s)", e.Timeout, e.Op)
	}
	return fmt.Sprintf("the system keyring is not available (%s): %v", e.Op, e.Err)
}

func (e *UnavailableError) Unwrap() error { return e.Err }

// IsUnavailable reports whether err says the keyring cannot be used.
func IsUnavailable(err error) bool {
	var u *UnavailableError
	return errors.As(err, &u)
}

// Keyring is the part of a keyring connectctl uses.
type Keyring interface {
	Get(service, user string) (string, error)
	Set(service, user, secret string) error
	Delete(service, user string) error
}

// System is the OS keyring through go-keyring's package functions, so that
// keyring.MockInit in tests replaces it.
type System struct{}

func (System) Get(service, user string) (string, error) { return keyring.Get(service, user) }
func (System) Set(service, user, secret string) error   { return keyring.Set(service, user, secret) }
func (System) Delete(service, user string) error        { return keyring.Delete(service, user) }

// BusChecked asks K only when a session bus is already running (Linux): a
// keyring call without one would autolaunch a dbus-daemon and a
// gnome-keyring-daemon that outlive connectctl. Without a bus the keyring is
// unavailable at once.
type BusChecked struct{ K Keyring }

func (b BusChecked) Get(service, user string) (string, error) {
	if err := sessionBusReachable(); err != nil {
		return "", err
	}
	return b.K.Get(service, user)
}

func (b BusChecked) Set(service, user, secret string) error {
	if err := sessionBusReachable(); err != nil {
		return err
	}
	return b.K.Set(service, user, secret)
}

func (b BusChecked) Delete(service, user string) error {
	if err := sessionBusReachable(); err != nil {
		return err
	}
	return b.K.Delete(service, user)
}

// TimeoutKeyring runs each call of K under Timeout. After one call timed out
// or found no keyring, every later call fails at once: a keyring that hung
// once is not asked again by this process. Errors become ErrNotFound or *UnavailableError.
type TimeoutKeyring struct {
	K       Keyring
	Timeout time.Duration
	// Context ends a wait at once when it is cancelled (Ctrl-C); nil waits
	// for the answer or the timeout.
	Context context.Context
	// Notice, when set, is told "waiting for the system keyring…" once a
	// call has taken NoticeAfter (default NoticeDelay), so a slow keyring
	// never looks like a silent hang.
	Notice      io.Writer
	NoticeAfter time.Duration

	mu   sync.Mutex
	dead error
}

// NewKeyring returns the system keyring with a timeout on every call, asked
// only when a session bus is reachable.
func NewKeyring(timeout time.Duration) *TimeoutKeyring {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	return &TimeoutKeyring{K: BusChecked{System{}}, Timeout: timeout}
}

type result struct {
	s   string
	err error
}

func (t *TimeoutKeyring) do(op string, fn func() (string, error)) (string, error) {
	t.mu.Lock()
	dead := t.dead
	t.mu.Unlock()
	if dead != nil {
		return "", dead
	}
	ch := make(chan result, 1) // buffered: a late answer never blocks the goroutine
	go func() {
		s, err := fn()
		ch <- result{s, err}
	}()
	timer := time.NewTimer(t.Timeout)
	defer timer.Stop()
	var notice <-chan time.Time
	if t.Notice != nil {
		after := t.NoticeAfter
		if after <= 0 {
			after = NoticeDelay
		}
		nt := time.NewTimer(after)
		defer nt.Stop()
		notice = nt.C
	}
	var done <-chan struct{}
	if t.Context != nil {
		done = t.Context.Done()
	}
	for {
		select {
		case <-notice:
			fmt.Fprintln(t.Notice, "waiting for the system keyring… (Ctrl-C stops; CONNECTCTL_CLIENT_ID and CONNECTCTL_CLIENT_SECRET do without it)")
			notice = nil
		case <-done:
			// Not remembered as dead: the process is ending anyway.
			return "", &UnavailableError{Op: op, Err: t.Context.Err()}
		case r := <-ch:
			switch {
			case r.err == nil:
				return r.s, nil
			case errors.Is(r.err, keyring.ErrNotFound) || errors.Is(r.err, ErrNotFound):
				return "", ErrNotFound
			case errors.Is(r.err, keyring.ErrSetDataTooBig):
				return "", fmt.Errorf("keyring %s: %w", op, r.err)
			}
			// No Secret Service, no session bus: asking again in this process
			// would cost the same and answer the same.
			err := &UnavailableError{Op: op, Err: r.err}
			t.mu.Lock()
			t.dead = err
			t.mu.Unlock()
			return "", err
		case <-timer.C:
			err := &UnavailableError{Op: op, Timeout: t.Timeout}
			t.mu.Lock()
			t.dead = err
			t.mu.Unlock()
			return "", err
		}
	}
}

// Get implements Keyring.
func (t *TimeoutKeyring) Get(service, user string) (string, error) {
	return t.do("read", func() (string, error) { return t.K.Get(service, user) })
}

// Set implements Keyring.
func (t *TimeoutKeyring) Set(service, user, secret string) error {
	_, err := t.do("write", func() (string, error) { return "", t.K.Set(service, user, secret) })
	return err
}

// Delete implements Keyring.
func (t *TimeoutKeyring) Delete(service, user string) error {
	_, err := t.do("delete", func() (string, error) { return "", t.K.Delete(service, user) })
	return err
}
