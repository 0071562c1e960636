package validate

import (
	"github.com/google/uuid"

	"net"
	"net/mail"
	"net/url"
	"strings"
	"time"
	"unicode"
)

// Email validates a customer e-mail address: exactly one bare address
// ("john@doe.com"), no display name, angle brackets, comments or quoting, a
// non-empty local part and a domain name with at least one dot (a dot-less
// domain on a customer address is almost always a typo). Surrounding white
// space is ignored; use NormalizeEmail to get the trimmed address.
func Email(s string) error {
	_, err := NormalizeEmail(s)
	return err
}

// NormalizeEmail is Email returning the trimmed address.
func NormalizeEmail(s string) (string, error) {
	in := strings.TrimSpace(s)
	const expect = "expected one address like john@doe.com"
	if in == "" {
		return "", newErr(ErrFormat, "email", in, "empty, %s", expect)
	}
	if len(in) > 254 {
		return "", newErr(ErrFormat, "email", in, "%d characters, at most 254 allowed", len(in))
	}
	if strings.ContainsAny(in, ",;") {
		return "", newErr(ErrFormat, "email", in, "more than one address? %s", expect)
	}
	addr, err := mail.ParseAddress(in)
	if err != nil || addr.Name != "" || addr.Address != in {
		return "", newErr(ErrFormat, "email", in, "%s, without display name or <>", expect)
	}
	at := strings.LastIndexByte(in, '@')
	local, domain := in[:at], in[at+1:]
	if local == "" || len(local) > 64 {
		return "", newErr(ErrFormat, "email", in, "local part must be 1 to 64 characters")
	}
	if err := HostNameProblem(domain); err != "" {
		return "", newErr(ErrFormat, "email", in, "domain %q %s", domain, err)
	}
	if !strings.Contains(domain, ".") {
		return "", newErr(ErrFormat, "email", in, "domain %q has no dot (typo?)", domain)
	}
	return in, nil
}

// HostNameProblem checks a DNS host name (letters, digits, '-', '.'; labels
// of 1 to 63 characters not starting or ending with '-'; at most 253 in all)
// and returns "" or what is wrong, worded to follow the name.
func HostNameProblem(h string) string {
	if h == "" {
		return "is empty"
	}
	if len(h) > 253 {
		return "is longer than 253 characters"
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" {
			return "has an empty label"
		}
		if len(label) > 63 {
			return "has a label longer than 63 characters"
		}
		if label[0] == '-' || label[len(label)-1] == '-' {
			return "has a label starting or ending with '-'"
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return "may hold only letters, digits, '-' and '.'"
			}
		}
	}
	return ""
}

// RFC3339 parses an RFC 3339 timestamp ("2020-10-16T19:05:05Z", with an
// optional fraction and a Z or ±hh:mm offset).
func RFC3339(s string) (time.Time, error) {
	in := strings.TrimSpace(s)
	t, err := time.Parse(time.RFC3339Nano, in)
	if err != nil {
		reason := "expected an RFC 3339 time like 2024-10-17T09:30:00Z"
		if _, derr := time.Parse(time.DateOnly, in); derr == nil {
			reason = "a date alone is not enough, expected an RFC 3339 time like " + in + "T00:00:00Z"
		} else if _, lerr := time.Parse("2006-01-02T15:04:05", in); lerr == nil {
			reason = "missing time zone, expected an RFC 3339 time like " + in + "Z"
		}
		return time.Time{}, newErr(ErrFormat, "time", in, "%s", reason)
	}
	return t, nil
}

// ActivationSkew is how far in the past an activation date may lie, to absorb
// clock skew between this machine and the API.
const ActivationSkew = time.Minute

// ActivationDate parses a subscription activation date: RFC 3339 and not in
// the past (a skew of ActivationSkew is tolerated) relative to now.
func ActivationDate(s string, now time.Time) (time.Time, error) {
	t, err := RFC3339(s)
	if err != nil {
		if e, ok := err.(*Error); ok {
			e.What = "activation date"
		}
		return time.Time{}, err
	}
	if t.Before(now.Add(-ActivationSkew)) {
		return time.Time{}, newErr(ErrRange, "activation date", strings.TrimSpace(s),
			"is in the past (now is %s), expected now or later", now.UTC().Format(time.RFC3339))
	}
	return t, nil
}

// WebhookURL validates a URL the API will POST notifications to: absolute,
// with a host, scheme https; plain http is accepted only for loopback hosts
// (localhost, 127.0.0.0/8, ::1), which is useful against a local sandbox.
func WebhookURL(s string) error {
	in := strings.TrimSpace(s)
	if in == "" {
		return newErr(ErrFormat, "webhook URL", in, "empty, expected an https:// URL")
	}
	if strings.ContainsFunc(in, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) {
		return newErr(ErrFormat, "webhook URL", in, "contains white space or control characters")
	}
	if len(in) > 2048 {
		return newErr(ErrFormat, "webhook URL", in, "longer than 2048 characters")
	}
	u, err := url.Parse(in)
	if err != nil {
		return newErr(ErrFormat, "webhook URL", in, "not a URL, expected an https:// URL")
	}
	if !u.IsAbs() || u.Opaque != "" || u.Host == "" {
		return newErr(ErrFormat, "webhook URL", in, "expected an absolute https:// URL with a host")
	}
	host := u.Hostname()
	if host == "" {
		return newErr(ErrFormat, "webhook URL", in, "expected an absolute https:// URL with a host")
	}
	if p := u.Port(); p != "" {
		if n, ok := parsePort(p); !ok || n == 0 {
			return newErr(ErrFormat, "webhook URL", in, "port %q must be 1 to 65535", p)
		}
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
		return nil
	case "http":
		if IsLoopbackHost(host) {
			return nil
		}
		return newErr(ErrUnsupported, "webhook URL", in, "http is only allowed for loopback hosts, use https")
	default:
		return newErr(ErrUnsupported, "webhook URL", in, "scheme %q not allowed, use https", u.Scheme)
	}
}

func parsePort(p string) (int, bool) {
	if p == "" || len(p) > 5 || firstNonDigit(p) >= 0 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(p); i++ {
		n = n*10 + int(p[i]-'0')
	}
	return n, n <= 65535
}

// IsLoopbackHost reports whether host (a name or an IP, no port) is this
// machine: localhost, 127.0.0.0/8 or ::1. Plain http and listening without
// --allow-remote are allowed only there.
func IsLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Canonical notification types of the Connect API.
const (
	NotificationUsageThreshold  = "USAGE_THRESHOLD"
	NotificationSubscriptionEnd = "SUBSCRIPTION_END"
	// NotificationSubscriptionEndTypo is the misspelling one document uses;
	// accepted on input, never sent or shown.
	NotificationSubscriptionEndTypo = "SUBSCRITPION_END"
)

// NotificationTypes returns the canonical notification types.
func NotificationTypes() []string {
	return []string{NotificationUsageThreshold, NotificationSubscriptionEnd}
}

// NotificationType maps a notification type as a user or the API spells it
// (usage, end, USAGE_THRESHOLD, SUBSCRIPTION_END, SUBSCRITPION_END, any case,
// '-' for '_') to the canonical API name.
func NotificationType(s string) (string, error) {
	in := strings.TrimSpace(s)
	switch strings.ReplaceAll(strings.ToUpper(in), "-", "_") {
	case "USAGE", "USAGE_THRESHOLD", "THRESHOLD":
		return NotificationUsageThreshold, nil
	case "END", "SUBSCRIPTION_END", NotificationSubscriptionEndTypo:
		return NotificationSubscriptionEnd, nil
	}
	return "", newErr(ErrFormat, "notification type", in, "expected usage (USAGE_THRESHOLD) or end (SUBSCRIPTION_END)")
}

// Device types the Connect API knows.
const (
	DeviceIOS     = "ios"
	DeviceAndroid = "android"
	DeviceIoT     = "iot"
)

// DeviceType validates a device type case-insensitively and returns it in the
// API's spelling: ios, android or iot.
func DeviceType(s string) (string, error) {
	in := strings.TrimSpace(s)
	switch v := strings.ToLower(in); v {
	case DeviceIOS, DeviceAndroid, DeviceIoT:
		return v, nil
	}
	return "", newErr(ErrFormat, "device type", in, "expected ios, android or iot")
}

// UUID reports whether s is a UUID in its canonical 36-character form, as
// order ids are.
func UUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	_, err := uuid.Parse(s)
	return err == nil
}
