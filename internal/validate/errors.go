// Package validate checks and normalises the values connectctl sends to the
// 1GLOBAL Connect API: identifiers (ICCID, EID, country codes), money
// (supported currencies, exact decimal amounts), e-mail addresses, dates,
// webhook URLs and the small enumerations (notification and device types).
//
// Every function is pure and exact: no floating point, no network, no clock
// (callers pass "now" where time matters). Errors are *Error values whose
// message names the bad value and what was expected, and which match one of
// the sentinel errors below with errors.Is.
package validate

import (
	"errors"
	"fmt"
)

// Sentinel errors. Every error returned by this package matches exactly one of
// them with errors.Is.
var (
	// ErrFormat: the value is malformed (wrong characters, length, syntax).
	ErrFormat = errors.New("invalid format")
	// ErrChecksum: the value is well formed but its check digit(s) are wrong,
	// which usually means a typo. Functions returning it also return the
	// normalised value, so a caller may decide to go on with a warning.
	ErrChecksum = errors.New("checksum mismatch")
	// ErrUnsupported: the value is well formed but not one the Connect API
	// accepts (an unsupported currency, a reserved country code...).
	ErrUnsupported = errors.New("unsupported value")
	// ErrPrecision: an amount has more decimals than its currency allows.
	ErrPrecision = errors.New("too many decimals")
	// ErrRange: the value is out of range (an amount too large, a date in
	// the past, a negative amount).
	ErrRange = errors.New("out of range")
)

// Error is the error type of this package. Its message reads
// `<What> "<Value>": <Reason>`, e.g.
// `ICCID "89444746001": 11 digits, expected 18 to 20 starting with 89`.
type Error struct {
	What   string // what was being validated: "ICCID", "EID", "amount", ...
	Value  string // the offending input (trimmed)
	Reason string // what is wrong and what is expected
	Kind   error  // one of the sentinel errors; errors.Is(err, Kind) holds
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s %q: %s", e.What, e.Value, e.Reason)
}

// Unwrap returns the sentinel kind so errors.Is works.
func (e *Error) Unwrap() error { return e.Kind }

func newErr(kind error, what, value, format string, args ...any) *Error {
	return &Error{What: what, Value: value, Reason: fmt.Sprintf(format, args...), Kind: kind}
}
