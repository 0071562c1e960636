package lpa

import (
	"errors"
	"net/url"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want Code
		str  string // canonical String()
	}{
		// The three spellings of the documents.
		{"canonical", "LPA:1$rsp.truphone.com$O-17QF0-MJVBIN",
			Code{Format: "1", SMDP: "rsp.truphone.com", MatchingID: "O-17QF0-MJVBIN"},
			"LPA:1$rsp.truphone.com$O-17QF0-MJVBIN"},
		{"percent artefact (seed order list)", "LPA:1$%rsp.truphone.com$%5C-M1OIY-QHWKD1",
			Code{Format: "1", SMDP: "rsp.truphone.com", MatchingID: "5C-M1OIY-QHWKD1"},
			"LPA:1$rsp.truphone.com$5C-M1OIY-QHWKD1"},
		{"bare (seed order details)", "1$rsp.truphone.com$6C-DA326D-K86D",
			Code{Format: "1", SMDP: "rsp.truphone.com", MatchingID: "6C-DA326D-K86D"},
			"LPA:1$rsp.truphone.com$6C-DA326D-K86D"},
		{"seed sim details", "LPA:1$rsp.truphone.com$5C-IVCRP-QTQRML",
			Code{Format: "1", SMDP: "rsp.truphone.com", MatchingID: "5C-IVCRP-QTQRML"},
			"LPA:1$rsp.truphone.com$5C-IVCRP-QTQRML"},
		// Tolerated variations.
		{"lower-case prefix", "lpa:1$rsp.truphone.com$O-17QF0-MJVBIN",
			Code{Format: "1", SMDP: "rsp.truphone.com", MatchingID: "O-17QF0-MJVBIN"}, "LPA:1$rsp.truphone.com$O-17QF0-MJVBIN"},
		{"mixed-case prefix and host", "Lpa:1$RSP.Truphone.COM$O-17QF0-MJVBIN",
			Code{Format: "1", SMDP: "rsp.truphone.com", MatchingID: "O-17QF0-MJVBIN"}, "LPA:1$rsp.truphone.com$O-17QF0-MJVBIN"},
		{"white space", " \tLPA:1$rsp.truphone.com$O-17QF0-MJVBIN\r\n",
			Code{Format: "1", SMDP: "rsp.truphone.com", MatchingID: "O-17QF0-MJVBIN"}, "LPA:1$rsp.truphone.com$O-17QF0-MJVBIN"},
		{"matching id case kept", "LPA:1$rsp.truphone.com$abc-DEF",
			Code{Format: "1", SMDP: "rsp.truphone.com", MatchingID: "abc-DEF"}, "LPA:1$rsp.truphone.com$abc-DEF"},
		{"percent on one field only", "LPA:1$rsp.truphone.com$%5C-M1OIY-QHWKD1",
			Code{Format: "1", SMDP: "rsp.truphone.com", MatchingID: "5C-M1OIY-QHWKD1"}, "LPA:1$rsp.truphone.com$5C-M1OIY-QHWKD1"},
		{"port", "LPA:1$smdp.example.com:8443$ABC",
			Code{Format: "1", SMDP: "smdp.example.com:8443", MatchingID: "ABC"}, "LPA:1$smdp.example.com:8443$ABC"},
		{"port leading zero normalised", "LPA:1$smdp.example.com:0443$ABC",
			Code{Format: "1", SMDP: "smdp.example.com:443", MatchingID: "ABC"}, "LPA:1$smdp.example.com:443$ABC"},
		{"single-label host", "LPA:1$localhost$ABC",
			Code{Format: "1", SMDP: "localhost", MatchingID: "ABC"}, "LPA:1$localhost$ABC"},
		// Optional fields.
		{"oid", "LPA:1$rsp.truphone.com$ABC$1.3.6.1.4.1.31746",
			Code{Format: "1", SMDP: "rsp.truphone.com", MatchingID: "ABC", OID: "1.3.6.1.4.1.31746"},
			"LPA:1$rsp.truphone.com$ABC$1.3.6.1.4.1.31746"},
		{"oid and flag", "LPA:1$rsp.truphone.com$ABC$1.3.6.1.4.1.31746$1",
			Code{Format: "1", SMDP: "rsp.truphone.com", MatchingID: "ABC", OID: "1.3.6.1.4.1.31746", ConfirmationRequired: true},
			"LPA:1$rsp.truphone.com$ABC$1.3.6.1.4.1.31746$1"},
		{"flag without oid", "LPA:1$rsp.truphone.com$ABC$$1",
			Code{Format: "1", SMDP: "rsp.truphone.com", MatchingID: "ABC", ConfirmationRequired: true},
			"LPA:1$rsp.truphone.com$ABC$$1"},
		{"flag 0", "LPA:1$rsp.truphone.com$ABC$$0",
			Code{Format: "1", SMDP: "rsp.truphone.com", MatchingID: "ABC"}, "LPA:1$rsp.truphone.com$ABC"},
		{"extra fields kept", "LPA:1$rsp.truphone.com$ABC$$1$future$x=y",
			Code{Format: "1", SMDP: "rsp.truphone.com", MatchingID: "ABC", ConfirmationRequired: true, Extra: []string{"future", "x=y"}},
			"LPA:1$rsp.truphone.com$ABC$$1$future$x=y"},
		{"extra fields without flag", "LPA:1$rsp.truphone.com$ABC$$$future",
			Code{Format: "1", SMDP: "rsp.truphone.com", MatchingID: "ABC", Extra: []string{"future"}},
			"LPA:1$rsp.truphone.com$ABC$$$future"},
		{"percent artefact on every field", "LPA:1$%rsp.truphone.com$%ABC$%1.2.3$%1$%x",
			Code{Format: "1", SMDP: "rsp.truphone.com", MatchingID: "ABC", OID: "1.2.3", ConfirmationRequired: true, Extra: []string{"x"}},
			"LPA:1$rsp.truphone.com$ABC$1.2.3$1$x"},
		{"trailing empty fields dropped", "LPA:1$rsp.truphone.com$ABC$$$$",
			Code{Format: "1", SMDP: "rsp.truphone.com", MatchingID: "ABC"}, "LPA:1$rsp.truphone.com$ABC"},
		{"trailing dollar", "1$rsp.truphone.com$ABC$",
			Code{Format: "1", SMDP: "rsp.truphone.com", MatchingID: "ABC"}, "LPA:1$rsp.truphone.com$ABC"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if !got.Equal(tt.want) {
				t.Errorf("Parse(%q) = %#v, want %#v", tt.in, got, tt.want)
			}
			if s := got.String(); s != tt.str {
				t.Errorf("String() = %q, want %q", s, tt.str)
			}
			if b := got.Bare(); "LPA:"+b != tt.str {
				t.Errorf("Bare() = %q", b)
			}
			again, err := Parse(got.String())
			if err != nil || !again.Equal(got) {
				t.Errorf("round trip: %#v, %v", again, err)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		in   string
		want string // exact message; "" = just an error
	}{
		{"", `activation code: empty`},
		{"   ", `activation code: empty`},
		{"LPA:1$5C-M1OIY-QHWKD1", `activation code "LPA:1$5C-M…D1": expected LPA:1$<SM-DP+ address>$<matching id>`},
		{"LPA:5C-M1OIY-QHWKD1", `activation code "LPA:5C-M…D1": expected LPA:1$<SM-DP+ address>$<matching id>`},
		{"LPA:1$https://x$ABC", `activation code "LPA:1$https://x$…": SM-DP+ address "https://x" must be a host name without scheme`},
		{"LPA:1$https://rsp.truphone.com$5C-M1OIY-QHWKD1", `activation code "LPA:1$https://rsp.truphone.com$5C-M…D1": SM-DP+ address "https://rsp.truphone.com" must be a host name without scheme`},
		{"LPA:1$rsp.truphone.com/es2plus$5C-M1OIY-QHWKD1", `activation code "LPA:1$rsp.truphone.com/es2plus$5C-M…D1": SM-DP+ address "rsp.truphone.com/es2plus" must be a host name without path`},
		{"LPA:2$rsp.truphone.com$5C-M1OIY-QHWKD1", `activation code "LPA:2$rsp.truphone.com$5C-M…D1": format "2" not supported, expected "1" (LPA:1$<SM-DP+ address>$<matching id>)`},
		{"LPA:1$rsp.truphone.com", `activation code "LPA:1$rsp.…om": expected LPA:1$<SM-DP+ address>$<matching id>`},
		{"5C-M1OIY-QHWKD1", `activation code "5C-M…D1": expected LPA:1$<SM-DP+ address>$<matching id>`},
		{"LPA:1$rsp.truphone.com$", `activation code "LPA:1$rsp.truphone.com$": matching id is empty`},
		{"LPA:1$$5C-M1OIY-QHWKD1", `activation code "LPA:1$$5C-M…D1": SM-DP+ address is empty`},
		{"LPA:1$rsp.truphone.com$5C_M1OIY", `activation code "LPA:1$rsp.truphone.com$5C…Y": matching id has '_' at position 3, expected only letters, digits and '-'`},
		{"LPA:1$rsp.truphone.com:0$ABC", ""},
		{"LPA:1$rsp.truphone.com:65536$ABC", ""},
		{"LPA:1$rsp.truphone.com:$ABC", ""},
		{"LPA:1$rsp.truphone.com:+443$ABC", ""},
		{"LPA:1$rsp.truphone.com:-1$ABC", ""},
		{"LPA:1$rsp.truphone.com:1:2$ABC", ""},
		{"LPA:1$[::1]$ABC", ""},
		{"LPA:1$rsp..truphone.com$ABC", ""},
		{"LPA:1$-rsp.truphone.com$ABC", ""},
		{"LPA:1$rsp.truphone.com.$ABC", ""},
		{"LPA:1$rsp truphone.com$ABC", ""},
		{"LPA:1$rsp.trüphone.com$ABC", ""},
		{"LPA:1$%%rsp.truphone.com$ABC", ""},
		{"LPA:1$rsp.truphone.com$%%5C-M1OIY", ""},
		{"LPA:1$rsp.truphone.com$\\-M1OIY-QHWKD1", ""}, // what percent-decoding %5C would have given
		{"LPA:1$rsp.truphone.com$5C M1OIY", ""},
		{"LPA:1$rsp.truphone.com$ABC$oid", `activation code "LPA:1$rsp.truphone.com$…$oid": SM-DP+ OID "oid" must be dotted decimal like 1.3.6.1.4.1.31746`},
		{"LPA:1$rsp.truphone.com$ABC$1..2", ""},
		{"LPA:1$rsp.truphone.com$ABC$$yes", `activation code "LPA:1$rsp.truphone.com$…$$yes": confirmation code required flag "yes", expected 1 or nothing`},
		{"LPA:1$rsp.truphone.com$ABC$$1$%%x", ""},
		{"LPA:1$rsp.truphone.com$ABC$$1$a b", ""},
		{"LPA:1$rsp.truphone.com$ABC$$1$é", ""},
		{"LPA:LPA:1$rsp.truphone.com$ABC", ""},
		{"LPA: 1$rsp.truphone.com$ABC", ""},
		{"https://esimsetup.apple.com/esim_qrcode_provisioning?carddata=LPA%3A1%24rsp.truphone.com%24ABC", ""},
	}
	for _, tt := range tests {
		c, err := Parse(tt.in)
		if err == nil {
			t.Errorf("Parse(%q) = %#v, want an error", tt.in, c)
			continue
		}
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("Parse(%q) error %v does not match ErrInvalid", tt.in, err)
		}
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("Parse(%q) error %T is not *Error", tt.in, err)
		}
		if tt.want != "" && err.Error() != tt.want {
			t.Errorf("Parse(%q) error\n got %s\nwant %s", tt.in, err, tt.want)
		}
		// No error message leaks a whole matching id from the tests.
		for _, id := range []string{"5C-M1OIY-QHWKD1", "M1OIY-QHWKD1"} {
			if strings.Contains(err.Error(), id) {
				t.Errorf("Parse(%q) error leaks the matching id: %s", tt.in, err)
			}
		}
	}
}

func TestPercentNeverDecoded(t *testing.T) {
	c := MustParse("LPA:1$%rsp.truphone.com$%5C-M1OIY-QHWKD1")
	if c.MatchingID != "5C-M1OIY-QHWKD1" || strings.Contains(c.String(), `\`) || strings.Contains(c.String(), "%") {
		t.Fatalf("got %#v / %q", c, c.String())
	}
}

func TestFromParts(t *testing.T) {
	tests := []struct {
		smdp, id string
		want     string
		ok       bool
	}{
		{"rsp.truphone.com", "5C-M1OIY-QHWKD1", "LPA:1$rsp.truphone.com$5C-M1OIY-QHWKD1", true},
		{"rsp.truphone.com", "6C-DA326D-K86D", "LPA:1$rsp.truphone.com$6C-DA326D-K86D", true},
		{"https://rsp.truphone.com", "ABC", "LPA:1$rsp.truphone.com$ABC", true},
		{"HTTPS://RSP.truphone.com/", "ABC", "LPA:1$rsp.truphone.com$ABC", true},
		{"http://rsp.truphone.com", "ABC", "LPA:1$rsp.truphone.com$ABC", true},
		{"rsp.truphone.com/", "ABC", "LPA:1$rsp.truphone.com$ABC", true},
		{" rsp.truphone.com:443 ", " ABC ", "LPA:1$rsp.truphone.com:443$ABC", true},
		{"https://rsp.truphone.com/path", "ABC", "", false},
		{"https://rsp.truphone.com//", "ABC", "", false},
		{"ftp://rsp.truphone.com", "ABC", "", false},
		{"", "ABC", "", false},
		{"rsp.truphone.com", "", "", false},
		{"rsp.truphone.com", "A$B", "", false},
		{"rsp.truphone.com", "%5C-M1OIY", "", false},
		{"rsp$truphone.com", "ABC", "", false},
	}
	for _, tt := range tests {
		c, err := FromParts(tt.smdp, tt.id)
		if (err == nil) != tt.ok {
			t.Errorf("FromParts(%q, %q) = %v, %v", tt.smdp, tt.id, c, err)
			continue
		}
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("FromParts(%q, %q) error %v does not match ErrInvalid", tt.smdp, tt.id, err)
			}
			continue
		}
		if c.String() != tt.want {
			t.Errorf("FromParts(%q, %q) = %q, want %q", tt.smdp, tt.id, c.String(), tt.want)
		}
	}
}

func TestStringAndBare(t *testing.T) {
	c := Code{SMDP: "rsp.truphone.com", MatchingID: "ABC"} // Format defaults to 1
	if c.String() != "LPA:1$rsp.truphone.com$ABC" || c.Bare() != "1$rsp.truphone.com$ABC" {
		t.Errorf("got %q / %q", c.String(), c.Bare())
	}
	c.ConfirmationRequired = true
	if c.Bare() != "1$rsp.truphone.com$ABC$$1" {
		t.Errorf("with flag: %q", c.Bare())
	}
	c.OID = "1.2.3"
	if c.Bare() != "1$rsp.truphone.com$ABC$1.2.3$1" {
		t.Errorf("with oid and flag: %q", c.Bare())
	}
	c.ConfirmationRequired = false
	if c.Bare() != "1$rsp.truphone.com$ABC$1.2.3" {
		t.Errorf("with oid: %q", c.Bare())
	}
	c.Extra = []string{"e"}
	if c.Bare() != "1$rsp.truphone.com$ABC$1.2.3$$e" {
		t.Errorf("with oid and extra: %q", c.Bare())
	}
}

func TestIOSInstallURL(t *testing.T) {
	c := MustParse("LPA:1$%rsp.truphone.com$%5C-M1OIY-QHWKD1")
	got := IOSInstallURL(c)
	want := "https://esimsetup.apple.com/esim_qrcode_provisioning?carddata=LPA%3A1%24rsp.truphone.com%245C-M1OIY-QHWKD1"
	if got != want {
		t.Fatalf("IOSInstallURL = %q\nwant %q", got, want)
	}
	u, err := url.Parse(got)
	if err != nil {
		t.Fatal(err)
	}
	if cd := u.Query().Get("carddata"); cd != c.String() {
		t.Errorf("carddata = %q, want %q", cd, c.String())
	}
	if r := Redact(got); strings.Contains(r, "QHWKD1") || !strings.Contains(r, "%245C-M…D1") {
		t.Errorf("Redact(install URL) = %q", r)
	}
}

func TestRedact(t *testing.T) {
	tests := []struct{ in, want string }{
		{"LPA:1$rsp.truphone.com$5C-M1OIY-QHWKD1", "LPA:1$rsp.truphone.com$5C-M…D1"},
		{"LPA:1$%rsp.truphone.com$%5C-M1OIY-QHWKD1", "LPA:1$%rsp.truphone.com$%5C-M…D1"},
		{"1$rsp.truphone.com$6C-DA326D-K86D", "1$rsp.truphone.com$6C-D…6D"},
		{"LPA:1$rsp.truphone.com$O-17QF0-MJVBIN", "LPA:1$rsp.truphone.com$O-17…IN"},
		{"LPA:1$rsp.truphone.com$5C-IVCRP-QTQRML$1.2.3$1", "LPA:1$rsp.truphone.com$5C-I…ML$1.2.3$1"},
		{"LPA:1$rsp.truphone.com$SHORT123", "LPA:1$rsp.truphone.com$SH…3"},
		{"LPA:1$rsp.truphone.com$ABC", "LPA:1$rsp.truphone.com$…"},
		{`{"lpa_url": "LPA:1$%rsp.truphone.com$%5C-M1OIY-QHWKD1", "matchingId": "5C-M1OIY-QHWKD1"}`,
			`{"lpa_url": "LPA:1$%rsp.truphone.com$%5C-M…D1", "matchingId": "5C-M…D1"}`},
		{`{"matching_id":"5C-IVCRP-QTQRML"}`, `{"matching_id":"5C-I…ML"}`},
		{"order done: code=LPA:1$rsp.truphone.com$5C-M1OIY-QHWKD1 iccid=8944478600000205337",
			"order done: code=LPA:1$rsp.truphone.com$5C-M…D1 iccid=8944478600000205337"},
		{"carddata=LPA%3A1%24rsp.truphone.com%245C-M1OIY-QHWKD1&x=1", "carddata=LPA%3A1%24rsp.truphone.com%245C-M…D1&x=1"},
		{"carddata=LPA%3a1%24rsp.truphone.com%3A8443%24%255C-M1OIY-QHWKD1", "carddata=LPA%3a1%24rsp.truphone.com%3A8443%24%255C-M…D1"},
		{"nothing secret here", "nothing secret here"},
		{"", ""},
	}
	for _, tt := range tests {
		got := Redact(tt.in)
		if got != tt.want {
			t.Errorf("Redact(%q)\n got %q\nwant %q", tt.in, got, tt.want)
		}
		if again := Redact(got); again != got {
			t.Errorf("Redact not idempotent: %q -> %q", got, again)
		}
	}
	// A redacted code is not a usable code.
	if _, err := Parse(Redact("LPA:1$rsp.truphone.com$5C-M1OIY-QHWKD1")); err == nil {
		t.Error("a redacted code parses")
	}
	if got := MustParse("LPA:1$rsp.truphone.com$5C-M1OIY-QHWKD1").Redacted(); got != "LPA:1$rsp.truphone.com$5C-M…D1" {
		t.Errorf("Redacted() = %q", got)
	}
}

func TestRedactMatchingID(t *testing.T) {
	for in, want := range map[string]string{
		"5C-M1OIY-QHWKD1": "5C-M…D1",
		"12345678":        "12…8",
		"1234567":         "…",
		"":                "…",
		"5C-M…D1":         "5C-M…D1",
	} {
		if got := RedactMatchingID(in); got != want {
			t.Errorf("RedactMatchingID(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestResolve(t *testing.T) {
	const (
		canon = "LPA:1$rsp.truphone.com$5C-M1OIY-QHWKD1"
		other = "LPA:1$rsp.truphone.com$6C-DA326D-K86D"
	)
	tests := []struct {
		name                  string
		smdp, id, lpaURL      string
		want                  string
		warnings              int
		errIs                 error
		warnMustNotContainIDs bool
	}{
		// Seed order list: parts and the '%' spelling agree.
		{"seed order list", "rsp.truphone.com", "5C-M1OIY-QHWKD1", "LPA:1$%rsp.truphone.com$%5C-M1OIY-QHWKD1", canon, 0, nil, false},
		// Seed order details: parts and the bare spelling agree.
		{"seed order details", "rsp.truphone.com", "6C-DA326D-K86D", "1$rsp.truphone.com$6C-DA326D-K86D", other, 0, nil, false},
		// Seed SIM details: lpa_url (and matching_id) only.
		{"seed sim details", "", "5C-IVCRP-QTQRML", "LPA:1$rsp.truphone.com$5C-IVCRP-QTQRML", "LPA:1$rsp.truphone.com$5C-IVCRP-QTQRML", 0, nil, false},
		{"parts only", "rsp.truphone.com", "5C-M1OIY-QHWKD1", "", canon, 0, nil, false},
		{"lpa only", "", "", canon, canon, 0, nil, false},
		{"parts with scheme", "https://rsp.truphone.com/", "5C-M1OIY-QHWKD1", canon, canon, 0, nil, false},
		{"mismatch: parts win", "rsp.truphone.com", "5C-M1OIY-QHWKD1", other, canon, 1, nil, true},
		{"host mismatch: parts win", "rsp.truphone.com", "5C-M1OIY-QHWKD1", "LPA:1$smdp.example.com$5C-M1OIY-QHWKD1", canon, 1, nil, true},
		{"lpa keeps the flag", "rsp.truphone.com", "ABC", "LPA:1$rsp.truphone.com$ABC$$1", "LPA:1$rsp.truphone.com$ABC$$1", 0, nil, false},
		{"bad lpa: warn", "rsp.truphone.com", "5C-M1OIY-QHWKD1", "LPA:1$https://x$5C-M1OIY-QHWKD1", canon, 1, nil, true},
		{"bad parts: fall back", "https://rsp.truphone.com/x", "5C-M1OIY-QHWKD1", canon, canon, 1, nil, true},
		{"bad parts, no lpa", "https://rsp.truphone.com/x", "5C-M1OIY-QHWKD1", "", "", 0, ErrInvalid, false},
		{"bad parts, bad lpa", "rsp.truphone.com", "5C_M1OIY", "LPA:2$x$y", "", 0, ErrInvalid, false},
		{"lpa with other id", "", "6C-DA326D-K86D", canon, canon, 1, nil, true},
		{"lpa with other host", "smdp.example.com", "", canon, canon, 1, nil, true},
		{"lpa with same host", "https://RSP.truphone.com", "", canon, canon, 0, nil, false},
		{"bad lpa only", "", "", "garbage", "", 0, ErrInvalid, false},
		// A completed top-up has no matchingId.
		{"top-up", "rsp.truphone.com", "", "", "", 0, ErrMissing, false},
		{"nothing", "", "", "", "", 0, ErrMissing, false},
		{"id only", "", "ABC", "", "", 0, ErrMissing, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, warns, err := Resolve(tt.smdp, tt.id, tt.lpaURL)
			if tt.errIs != nil {
				if !errors.Is(err, tt.errIs) {
					t.Fatalf("error = %v, want %v", err, tt.errIs)
				}
				return
			}
			if err != nil {
				t.Fatalf("error: %v", err)
			}
			if c.String() != tt.want {
				t.Errorf("code = %q, want %q", c.String(), tt.want)
			}
			if len(warns) != tt.warnings {
				t.Errorf("warnings = %q, want %d", warns, tt.warnings)
			}
			for _, w := range warns {
				for _, id := range []string{"5C-M1OIY-QHWKD1", "6C-DA326D-K86D"} {
					if strings.Contains(w, id) {
						t.Errorf("warning leaks a matching id: %s", w)
					}
				}
			}
		})
	}
}
