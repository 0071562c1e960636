// Package cmdutil holds what every command shares: the exit codes of
// ../shared/cli.md and the errors that choose them.
package cmdutil

import (
	"errors"
	"fmt"
	"net"
)

// Exit codes, as fixed by the command surface (cli.md).
const (
	ExitOK          = 0
	ExitUnexpected  = 1
	ExitUsage       = 2
	ExitAuth        = 3
	ExitNotFound    = 4
	ExitRefused     = 5
	ExitServer      = 6
	ExitOrderFailed = 7
	ExitPending     = 8
	// ExitOrderPlaced: the order exists (its id is in the message), but a
	// step after placing it failed, such as writing its QR PNG. Re-running
	// the order would buy a second eSIM; `order get ID` shows it again.
	ExitOrderPlaced = 9
	ExitInterrupted = 130
)

// FlagError is bad input caught before anything was sent: exit 2.
type FlagError struct{ Err error }

func (e *FlagError) Error() string { return e.Err.Error() }
func (e *FlagError) Unwrap() error { return e.Err }

// FlagErrorf builds a FlagError; the message should name the flag, the bad
// value and what is expected.
func FlagErrorf(format string, args ...any) error {
	return &FlagError{Err: fmt.Errorf(format, args...)}
}

// ExitError carries an explicit exit code for outcomes that are not API
// errors (an order that FAILED, a wait that timed out). Its message has
// usually been printed already when Silent is set.
type ExitError struct {
	Code   int
	Err    error
	Silent bool
}

func (e *ExitError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit status %d", e.Code)
	}
	return e.Err.Error()
}
func (e *ExitError) Unwrap() error { return e.Err }

// StatusCoder is implemented by errors that know the HTTP status behind them
// (the Connect client's APIError) so that this package need not import it.
type StatusCoder interface {
	HTTPStatus() int
}

// ExitCodeFor maps an error to the exit code of cli.md.
func ExitCodeFor(err error) int {
	if err == nil {
		return ExitOK
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		return ee.Code
	}
	var fe *FlagError
	if errors.As(err, &fe) {
		return ExitUsage
	}
	var sc StatusCoder
	if errors.As(err, &sc) {
		return ExitCodeForStatus(sc.HTTPStatus())
	}
	return ExitUnexpected
}

// ExitCodeForStatus maps an HTTP status to an exit code; 0 means a transport
// failure with no answer, which counts as a network failure.
func ExitCodeForStatus(status int) int {
	switch {
	case status == 0:
		return ExitServer
	case status == 401 || status == 403:
		return ExitAuth
	case status == 404:
		return ExitNotFound
	case status >= 400 && status < 500:
		return ExitRefused
	case status >= 500:
		return ExitServer
	}
	return ExitOK
}

// IsNetworkFailure reports whether err is a request that got no answer:
// a refused connection, an unknown host, a reset.
func IsNetworkFailure(err error) bool {
	var op *net.OpError
	var dns *net.DNSError
	return errors.As(err, &op) || errors.As(err, &dns)
}
