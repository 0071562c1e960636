package lpa

import (
	"errors"
	"strings"
	"testing"
)

// FuzzParse checks that Parse never panics, that everything it accepts
// renders to a canonical code that parses back to the same Code, and that the
// canonical form never carries the '%' artefact. Seeds are added here and in
// testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"LPA:1$rsp.truphone.com$O-17QF0-MJVBIN",
		"LPA:1$%rsp.truphone.com$%5C-M1OIY-QHWKD1",
		"1$rsp.truphone.com$6C-DA326D-K86D",
		"LPA:1$rsp.truphone.com$5C-IVCRP-QTQRML",
		"lpa:1$RSP.TRUPHONE.COM:443$abc$1.3.6.1.4.1.31746$1$x$y",
		"LPA:1$rsp.truphone.com$ABC$$1",
		"LPA:1$rsp.truphone.com$ABC$$$$",
		"LPA:1$https://x$ABC",
		"LPA:1$%%rsp.truphone.com$ABC",
		"LPA:1$rsp.truphone.com$ABC$$1$%%x",
		"LPA:2$rsp.truphone.com$ABC",
		"",
		"$",
		"LPA:",
		"LPA:1$$",
		"\u00e9LPA:1$a$b",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := Parse(s)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("Parse(%q): error %v does not match ErrInvalid", s, err)
			}
			return
		}
		str := c.String()
		if strings.Contains(str, "$%") {
			t.Fatalf("Parse(%q).String() = %q holds '%%' after '$'", s, str)
		}
		if !strings.HasPrefix(str, "LPA:1$") || str != Prefix+c.Bare() {
			t.Fatalf("Parse(%q).String() = %q, Bare() = %q", s, str, c.Bare())
		}
		for _, form := range []string{str, c.Bare(), strings.ToLower(Prefix) + c.Bare()} {
			again, err := Parse(form)
			if err != nil {
				t.Fatalf("Parse(%q) = %#v; Parse(%q) fails: %v", s, c, form, err)
			}
			if !again.Equal(c) {
				t.Fatalf("Parse(%q) = %#v; Parse(%q) = %#v", s, c, form, again)
			}
			if again.String() != str {
				t.Fatalf("String() not canonical: %q vs %q", again.String(), str)
			}
		}
		// The redacted form is not a usable code.
		if _, err := Parse(c.Redacted()); err == nil {
			t.Fatalf("Redacted() %q parses", c.Redacted())
		}
		// Rebuilding from the parts gives the same SM-DP+ and matching id.
		p, err := FromParts(c.SMDP, c.MatchingID)
		if err != nil || p.SMDP != c.SMDP || p.MatchingID != c.MatchingID {
			t.Fatalf("FromParts(%q, %q) = %#v, %v", c.SMDP, c.MatchingID, p, err)
		}
		r, warns, err := Resolve(c.SMDP, c.MatchingID, str)
		if err != nil || len(warns) != 0 || !r.Equal(c) {
			t.Fatalf("Resolve(parts of %q) = %#v, %q, %v", str, r, warns, err)
		}
	})
}

// FuzzRedact checks Redact never panics and is idempotent.
func FuzzRedact(f *testing.F) {
	f.Add("LPA:1$rsp.truphone.com$5C-M1OIY-QHWKD1")
	f.Add(`{"matchingId": "5C-M1OIY-QHWKD1"}`)
	f.Add("carddata=LPA%3A1%24rsp.truphone.com%245C-M1OIY-QHWKD1")
	f.Fuzz(func(t *testing.T, s string) {
		r := Redact(s)
		if Redact(r) != r {
			t.Fatalf("Redact not idempotent: %q -> %q -> %q", s, r, Redact(r))
		}
	})
}
