// Package lpa parses, normalises and renders eSIM activation codes (GSMA
// SGP.22 §4.1):
//
//	1$<SM-DP+ address>$<Matching ID>[$<SM-DP+ OID>[$<Confirmation Code Required Flag>[$...]]]
//
// carried in a QR code behind the prefix "LPA:".
//
// The Connect API documents three spellings, all accepted by Parse:
//
//	LPA:1$rsp.truphone.com$O-17QF0-MJVBIN      canonical
//	LPA:1$%rsp.truphone.com$%5C-M1OIY-QHWKD1   '%' after each '$': a templating artefact, dropped
//	1$rsp.truphone.com$6C-DA326D-K86D          bare: "LPA:" is added on output
//
// A '%' is never percent-decoded: "%5C" stays "5C" (decoding would give a
// backslash). Activation codes, and the install links built from them, let
// whoever holds them install the profile: log them only through Redact.
package lpa

import (
	"errors"
	"fmt"
	"github.com/connectctl/connectctl/internal/validate"
	"net/url"
	"strconv"
	"strings"
)

// Prefix is the scheme-like prefix of an activation code in a QR code.
const Prefix = "LPA:"

// Format is the only activation code format SGP.22 defines.
const Format = "1"

// AppleInstallBase is the iOS 17.4+ universal link that installs a profile
// from its activation code without the camera.
const AppleInstallBase = "https://esimsetup.apple.com/esim_qrcode_provisioning?carddata="

var (
	// ErrInvalid matches every error about a malformed activation code or
	// malformed parts.
	ErrInvalid = errors.New("invalid activation code")
	// ErrMissing is returned by Resolve when there is nothing to build a code
	// from (e.g. a completed top-up has no matching id).
	ErrMissing = errors.New("no activation code")
)

// Code is a parsed activation code.
type Code struct {
	Format               string   // always "1"
	SMDP                 string   // SM-DP+ address: lower-case host name, optional ":port"
	MatchingID           string   // AC_Token, [A-Za-z0-9-]+, case preserved
	OID                  string   // SM-DP+ OID (dotted decimal), optional
	ConfirmationRequired bool     // the user must also type a confirmation code (never inside the activation code)
	Extra                []string // fields after the flag defined by later SGP.22 versions, kept verbatim
}

// Error describes a malformed activation code. Its message never contains
// the full matching id: Code holds the input already passed through Redact.
type Error struct {
	Code   string // the (redacted) input
	Reason string
}

func (e *Error) Error() string {
	if e.Code == "" {
		return "activation code: " + e.Reason
	}
	return fmt.Sprintf("activation code %q: %s", e.Code, e.Reason)
}

// Unwrap makes errors.Is(err, ErrInvalid) hold.
func (e *Error) Unwrap() error { return ErrInvalid }

func errorf(input, format string, args ...any) error {
	return &Error{Code: redactInput(input), Reason: fmt.Sprintf(format, args...)}
}

// redactInput masks the matching id of a (possibly malformed) activation
// code for an error message: the third '$'-separated field; with fewer
// fields, the last one, since it may be a matching id pasted on its own.
func redactInput(in string) string {
	if in == "" {
		return ""
	}
	fields := strings.Split(in, "$")
	i := 2
	if len(fields) < 3 {
		i = len(fields) - 1
	}
	f := fields[i]
	pct := ""
	if i > 0 && strings.HasPrefix(f, "%") {
		pct, f = "%", f[1:]
	}
	if i == 0 && len(f) >= len(Prefix) && strings.EqualFold(f[:len(Prefix)], Prefix) {
		pct, f = f[:len(Prefix)], f[len(Prefix):]
	}
	if f != "" {
		fields[i] = pct + RedactMatchingID(f)
	}
	return strings.Join(fields, "$")
}

// Parse parses an activation code in any of the documented spellings: with or
// without the "LPA:" prefix (any case), with or without a stray '%' right
// after each '$'. Surrounding white space is ignored. Trailing fields beyond
// the confirmation flag are kept in Extra; trailing empty fields are dropped.
//
// SGP.22 allows an empty Matching ID (the SM-DP+ then identifies the profile
// by EID), but every Connect API code has one, so Parse requires it.
func Parse(s string) (Code, error) {
	in := strings.TrimSpace(s)
	if in == "" {
		return Code{}, errorf(in, "empty")
	}
	body := in
	if len(body) >= len(Prefix) && strings.EqualFold(body[:len(Prefix)], Prefix) {
		body = body[len(Prefix):]
	}
	fields := strings.Split(body, "$")
	for i := 1; i < len(fields); i++ {
		fields[i] = strings.TrimPrefix(fields[i], "%")
	}
	if len(fields) < 3 {
		return Code{}, errorf(in, "expected LPA:1$<SM-DP+ address>$<matching id>")
	}
	if fields[0] != Format {
		return Code{}, errorf(in, "format %q not supported, expected %q (LPA:1$<SM-DP+ address>$<matching id>)", fields[0], Format)
	}
	smdp, err := checkSMDP(fields[1])
	if err != "" {
		return Code{}, errorf(in, "%s", err)
	}
	if err := checkMatchingID(fields[2]); err != "" {
		return Code{}, errorf(in, "%s", err)
	}
	c := Code{Format: Format, SMDP: smdp, MatchingID: fields[2]}
	rest := fields[3:]
	for len(rest) > 0 && rest[len(rest)-1] == "" {
		rest = rest[:len(rest)-1]
	}
	if len(rest) > 0 {
		if err := checkOID(rest[0]); err != "" {
			return Code{}, errorf(in, "%s", err)
		}
		c.OID = rest[0]
	}
	if len(rest) > 1 {
		switch rest[1] {
		case "1":
			c.ConfirmationRequired = true
		case "", "0":
		default:
			return Code{}, errorf(in, "confirmation code required flag %q, expected 1 or nothing", rest[1])
		}
	}
	if len(rest) > 2 {
		for i, f := range rest[2:] {
			if err := checkExtra(f); err != "" {
				return Code{}, errorf(in, "field %d %s", i+6, err)
			}
		}
		c.Extra = append([]string(nil), rest[2:]...)
	}
	return c, nil
}

// MustParse is Parse for tests and constants; it panics on error.
func MustParse(s string) Code {
	c, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return c
}

// checkSMDP validates an SM-DP+ address (host name with optional :port) and
// returns it lower-cased, or a reason.
func checkSMDP(a string) (string, string) {
	if a == "" {
		return "", "SM-DP+ address is empty"
	}
	if strings.Contains(a, "://") {
		return "", fmt.Sprintf("SM-DP+ address %q must be a host name without scheme", a)
	}
	if strings.ContainsAny(a, "/?#") {
		return "", fmt.Sprintf("SM-DP+ address %q must be a host name without path", a)
	}
	host, port, hasPort := strings.Cut(a, ":")
	if hasPort {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 || strings.HasPrefix(port, "+") {
			return "", fmt.Sprintf("SM-DP+ address %q: port %q must be 1 to 65535", a, port)
		}
		port = strconv.Itoa(n)
	}
	if why := validate.HostNameProblem(host); why != "" {
		return "", fmt.Sprintf("SM-DP+ address %q must be a host name: it %s", a, why)
	}
	host = strings.ToLower(host)
	if hasPort {
		return host + ":" + port, ""
	}
	return host, ""
}

func checkMatchingID(id string) string {
	if id == "" {
		return "matching id is empty"
	}
	for i, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
			return fmt.Sprintf("matching id has %q at position %d, expected only letters, digits and '-'", r, i+1)
		}
	}
	return ""
}

func checkOID(oid string) string {
	if oid == "" {
		return ""
	}
	for _, arc := range strings.Split(oid, ".") {
		if arc == "" || strings.Trim(arc, "0123456789") != "" {
			return fmt.Sprintf("SM-DP+ OID %q must be dotted decimal like 1.3.6.1.4.1.31746", oid)
		}
	}
	return ""
}

func checkExtra(f string) string {
	if strings.HasPrefix(f, "%") {
		return fmt.Sprintf("%q must not start with '%%'", f)
	}
	for _, r := range f {
		if r <= ' ' || r > '~' {
			return fmt.Sprintf("%q holds %q, expected printable ASCII without spaces", f, r)
		}
	}
	return ""
}

// FromParts builds a Code from the API's smdpUrl and matchingId fields. The
// SM-DP+ address is tolerated with an http(s):// scheme and a trailing '/',
// which are stripped; anything else must be a plain host name.
func FromParts(smdp, matchingID string) (Code, error) {
	a := strings.TrimSpace(smdp)
	for _, scheme := range []string{"https://", "http://"} {
		if len(a) >= len(scheme) && strings.EqualFold(a[:len(scheme)], scheme) {
			a = a[len(scheme):]
			break
		}
	}
	a = strings.TrimSuffix(a, "/")
	host, why := checkSMDP(a)
	if why != "" {
		return Code{}, &Error{Reason: why}
	}
	id := strings.TrimSpace(matchingID)
	if why := checkMatchingID(id); why != "" {
		return Code{}, &Error{Reason: why}
	}
	return Code{Format: Format, SMDP: host, MatchingID: id}, nil
}

// Bare returns the activation code without the "LPA:" prefix:
// 1$rsp.truphone.com$<matching id>, followed by the OID, the confirmation
// flag and extra fields only as far as they are present.
func (c Code) Bare() string {
	var b strings.Builder
	f := c.Format
	if f == "" {
		f = Format
	}
	b.WriteString(f)
	b.WriteByte('$')
	b.WriteString(c.SMDP)
	b.WriteByte('$')
	b.WriteString(c.MatchingID)
	if c.OID != "" || c.ConfirmationRequired || len(c.Extra) > 0 {
		b.WriteByte('$')
		b.WriteString(c.OID)
	}
	if c.ConfirmationRequired || len(c.Extra) > 0 {
		b.WriteByte('$')
		if c.ConfirmationRequired {
			b.WriteByte('1')
		}
	}
	for _, e := range c.Extra {
		b.WriteByte('$')
		b.WriteString(e)
	}
	return b.String()
}

// String returns the canonical QR payload "LPA:" + Bare(). It is a secret:
// log it only through Redact.
func (c Code) String() string { return Prefix + c.Bare() }

// Redacted returns String() with the matching id masked, safe for logs.
func (c Code) Redacted() string { return Redact(c.String()) }

// Equal reports whether two codes are the same.
func (c Code) Equal(o Code) bool {
	if c.Format != o.Format || c.SMDP != o.SMDP || c.MatchingID != o.MatchingID ||
		c.OID != o.OID || c.ConfirmationRequired != o.ConfirmationRequired || len(c.Extra) != len(o.Extra) {
		return false
	}
	for i := range c.Extra {
		if c.Extra[i] != o.Extra[i] {
			return false
		}
	}
	return true
}

// IOSInstallURL returns the link that installs the profile on iOS 17.4 and
// later without scanning a QR code. It is as secret as the code.
func IOSInstallURL(c Code) string {
	return AppleInstallBase + url.QueryEscape(c.String())
}

// Resolve builds the activation code of an order or SIM from the API's
// fields, any of which may be empty. It prefers smdpURL + matchingID and
// cross-checks them against lpaURL, returning warnings (already redacted) on
// a mismatch or an unusable lpaURL; if the parts are missing or invalid it
// falls back to lpaURL. When the parts agree with lpaURL, optional fields
// only lpaURL carries (OID, confirmation flag) are kept. With nothing usable
// it returns an error matching ErrMissing (nothing given) or ErrInvalid.
func Resolve(smdpURL, matchingID, lpaURL string) (Code, []string, error) {
	var warnings []string
	smdpURL, matchingID, lpaURL = strings.TrimSpace(smdpURL), strings.TrimSpace(matchingID), strings.TrimSpace(lpaURL)

	var fromLPA Code
	var lpaErr error
	if lpaURL != "" {
		fromLPA, lpaErr = Parse(lpaURL)
	}

	if smdpURL != "" && matchingID != "" {
		c, err := FromParts(smdpURL, matchingID)
		if err == nil {
			switch {
			case lpaURL == "":
			case lpaErr != nil:
				warnings = append(warnings, fmt.Sprintf("ignoring unusable lpa_url: %v", lpaErr))
			case fromLPA.SMDP != c.SMDP || fromLPA.MatchingID != c.MatchingID:
				warnings = append(warnings, fmt.Sprintf("lpa_url %q does not match smdpUrl %q and matchingId %q; using smdpUrl and matchingId",
					fromLPA.Redacted(), c.SMDP, RedactMatchingID(c.MatchingID)))
			default:
				c = fromLPA // same code, possibly with optional fields
			}
			return c, warnings, nil
		}
		if lpaURL == "" || lpaErr != nil {
			return Code{}, warnings, err
		}
		warnings = append(warnings, fmt.Sprintf("ignoring smdpUrl and matchingId (%v); using lpa_url", err))
		return fromLPA, warnings, nil
	}

	if lpaURL == "" {
		if smdpURL == "" && matchingID == "" {
			return Code{}, nil, fmt.Errorf("%w: need smdpUrl and matchingId, or lpa_url", ErrMissing)
		}
		missing := "matchingId"
		if smdpURL == "" {
			missing = "smdpUrl"
		}
		return Code{}, nil, fmt.Errorf("%w: %s and lpa_url are missing", ErrMissing, missing)
	}
	if lpaErr != nil {
		return Code{}, nil, lpaErr
	}
	if smdpURL != "" {
		if c, err := FromParts(smdpURL, "x"); err != nil || c.SMDP != fromLPA.SMDP {
			warnings = append(warnings, fmt.Sprintf("smdpUrl %q does not match lpa_url %q; using lpa_url", smdpURL, fromLPA.Redacted()))
		}
	}
	if matchingID != "" && matchingID != fromLPA.MatchingID {
		warnings = append(warnings, fmt.Sprintf("matchingId %q does not match lpa_url %q; using lpa_url", RedactMatchingID(matchingID), fromLPA.Redacted()))
	}
	return fromLPA, warnings, nil
}
