package validate

import (
	"errors"
	"strings"
	"testing"
)

func TestLuhnCheckDigit(t *testing.T) {
	tests := []struct {
		payload string
		want    byte
		wantErr bool
	}{
		{"7992739871", '3', false}, // the classic Luhn example
		{"894447860000020533", '7', false},
		{"894447460000010929", '3', false},
		{"894447860000000021", '7', false},
		{"0", '0', false},
		{"", 0, true},
		{"12a4", 0, true},
		{"١٢٣", 0, true}, // non-ASCII digits
	}
	for _, tt := range tests {
		got, err := LuhnCheckDigit(tt.payload)
		if (err != nil) != tt.wantErr {
			t.Errorf("LuhnCheckDigit(%q) error = %v, wantErr %v", tt.payload, err, tt.wantErr)
			continue
		}
		if got != tt.want {
			t.Errorf("LuhnCheckDigit(%q) = %q, want %q", tt.payload, got, tt.want)
		}
	}
}

func TestLuhnValid(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"79927398713", true},
		{"79927398710", false},
		{"8944478600000205337", true},
		{"8944474600000109299", false},
		{"8944474600000109293", true},
		{"8944478600000000217", true},
		{"8944478600000205543", true},
		{"8944478600000213091", true},
		{"00", true},
		{"0", false},
		{"", false},
		{"8944478600000205337 ", false},
	}
	for _, tt := range tests {
		if got := LuhnValid(tt.in); got != tt.want {
			t.Errorf("LuhnValid(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestICCID(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    string
		kind    error // nil, ErrFormat or ErrChecksum
		wantMsg string
	}{
		// 1GLOBAL's own (all ICCIDs in the seed documents that are Luhn-valid).
		{"seed order", "8944478600000205337", "8944478600000205337", nil, ""},
		{"seed sim list 1", "8944478600000000217", "8944478600000000217", nil, ""},
		{"seed sim list 2", "8944478600000205543", "8944478600000205543", nil, ""},
		{"seed subscriptions", "8944478600000213091", "8944478600000213091", nil, ""},
		{"surrounding space", "  8944478600000205337\n", "8944478600000205337", nil, ""},
		{"filler F", "8944478600000205337F", "8944478600000205337", nil, ""},
		{"filler f", "8944478600000205337f", "8944478600000205337", nil, ""},
		{"18 digits", "894447860000020531", "894447860000020531", nil, ""},
		{"20 digits", "89444786000002053373", "89444786000002053373", nil, ""},
		{"18 digits bad luhn", "894447860000020533", "894447860000020533", ErrChecksum,
			`ICCID "894447860000020533": check digit is 3, expected 1 (typo?)`},
		// Seed example with a wrong Luhn digit (seed 000, subscriptions call).
		{"bad luhn", "8944474600000109299", "8944474600000109299", ErrChecksum,
			`ICCID "8944474600000109299": check digit is 9, expected 3 (typo?)`},
		{"bad luhn with filler", "8944474600000109299F", "8944474600000109299", ErrChecksum,
			`ICCID "8944474600000109299": check digit is 9, expected 3 (typo?)`},
		// Seed example with an impossible length (22 digits).
		{"22 digits", "8944000013283712983321", "", ErrFormat,
			`ICCID "8944000013283712983321": 22 digits, expected 18 to 20 starting with 89`},
		{"16 digits", "8944478600002053", "", ErrFormat,
			`ICCID "8944478600002053": 16 digits, expected 18 to 20 starting with 89`},
		{"11 digits", "89444746001", "", ErrFormat,
			`ICCID "89444746001": 11 digits, expected 18 to 20 starting with 89`},
		{"17 digits", "89444786000020533", "", ErrFormat, ""},
		{"21 digits", "894447860000020533700", "", ErrFormat, ""},
		{"empty", "", "", ErrFormat, `ICCID "": empty, expected 18 to 20 digits starting with 89`},
		{"only F", "F", "", ErrFormat, ""},
		{"two fillers", "8944478600000205337FF", "", ErrFormat, ""},
		{"letters", "89444786000002O5337", "", ErrFormat,
			`ICCID "89444786000002O5337": unexpected character 'O' at position 15, expected 18 to 20 digits starting with 89`},
		{"inner space", "8944 4786 0000 0205 337", "", ErrFormat, ""},
		{"dashes", "8944-4786-0000-0205-337", "", ErrFormat, ""},
		{"wrong prefix", "9944478600000205337", "", ErrFormat,
			`ICCID "9944478600000205337": starts with "99", expected 18 to 20 digits starting with 89 (telecom industry prefix)`},
		{"unicode", "８９44478600000205337", "", ErrFormat, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, want := tt.in, tt.want
			got, err := ICCID(in)
			if got != want {
				t.Errorf("ICCID(%q) = %q, want %q", in, got, want)
			}
			checkKind(t, err, tt.kind)
			if tt.wantMsg != "" && (err == nil || err.Error() != tt.wantMsg) {
				t.Errorf("ICCID(%q) error = %v, want %q", in, err, tt.wantMsg)
			}
		})
	}
}

func checkKind(t *testing.T, err, kind error) {
	t.Helper()
	if kind == nil {
		if err != nil {
			t.Errorf("unexpected error: %v", err)
		}
		return
	}
	if !errors.Is(err, kind) {
		t.Errorf("error = %v, want one matching %v", err, kind)
	}
	var e *Error
	if err != nil && !errors.As(err, &e) {
		t.Errorf("error %v is not a *validate.Error", err)
	}
	for _, other := range []error{ErrFormat, ErrChecksum, ErrUnsupported, ErrPrecision, ErrRange} {
		if other != kind && errors.Is(err, other) {
			t.Errorf("error %v also matches %v", err, other)
		}
	}
}

// The seed EID 89049032004008882600019002594762 (seed 000, SIM details and
// PUT /v1/sim) IS valid under ISO 7064 MOD 97-10: its value mod 97 is 1, and
// EIDCheckDigits of its first 30 digits gives "62", its own last two digits.
const seedEID = "89049032004008882600019002594762"

func TestEID(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    string
		kind    error
		wantMsg string
	}{
		{"seed", seedEID, seedEID, nil, ""},
		{"seed spaced", " " + seedEID + "\t", seedEID, nil, ""},
		{"wrong check digits", "89049032004008882600019002594761", "89049032004008882600019002594761", ErrChecksum,
			`EID "89049032004008882600019002594761": check digits are 61, expected 62 (typo?)`},
		{"transposed digits", "89049032004008882600019002594726", "89049032004008882600019002594726", ErrChecksum, ""},
		{"single digit typo", "89049032004008882600019002594862", "89049032004008882600019002594862", ErrChecksum, ""},
		{"31 digits", seedEID[:31], "", ErrFormat, `EID "8904903200400888260001900259476": 31 digits, expected 32`},
		{"33 digits", seedEID + "0", "", ErrFormat, ""},
		{"letters", "8904903200400888260001900259476X", "", ErrFormat,
			`EID "8904903200400888260001900259476X": unexpected character 'X' at position 32, expected 32 digits`},
		{"empty", "", "", ErrFormat, `EID "": empty, expected 32 digits`},
		{"iccid given", "8944478600000205337", "", ErrFormat, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := EID(tt.in)
			if got != tt.want {
				t.Errorf("EID(%q) = %q, want %q", tt.in, got, tt.want)
			}
			checkKind(t, err, tt.kind)
			if tt.wantMsg != "" && (err == nil || err.Error() != tt.wantMsg) {
				t.Errorf("EID(%q) error = %v, want %q", tt.in, err, tt.wantMsg)
			}
		})
	}
}

func TestEIDCheckDigits(t *testing.T) {
	got, err := EIDCheckDigits(seedEID[:30])
	if err != nil || got != "62" {
		t.Fatalf("EIDCheckDigits(seed payload) = %q, %v; want 62", got, err)
	}
	// Every payload completed with its check digits is a valid EID.
	for _, p := range []string{
		strings.Repeat("0", 30),
		strings.Repeat("9", 30),
		"890490320040088826000190025947",
		"890010120000000000000000000000",
	} {
		cd, err := EIDCheckDigits(p)
		if err != nil {
			t.Fatalf("EIDCheckDigits(%q): %v", p, err)
		}
		if _, err := EID(p + cd); err != nil {
			t.Errorf("EID(%q+%q): %v", p, cd, err)
		}
	}
	for _, bad := range []string{"", "123", seedEID, strings.Repeat("a", 30)} {
		if _, err := EIDCheckDigits(bad); !errors.Is(err, ErrFormat) {
			t.Errorf("EIDCheckDigits(%q) error = %v, want ErrFormat", bad, err)
		}
	}
}

func FuzzICCID(f *testing.F) {
	for _, s := range []string{
		"8944478600000205337", "8944474600000109299", "8944000013283712983321",
		"8944478600002053", "8944478600000205337F", " 89 ", "", "F", "89\x00", "８９",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ICCID(s)
		switch {
		case err == nil:
			if !LuhnValid(got) || len(got) < 18 || len(got) > 20 || !strings.HasPrefix(got, "89") {
				t.Fatalf("ICCID(%q) = %q accepted an invalid ICCID", s, got)
			}
		case errors.Is(err, ErrChecksum):
			if LuhnValid(got) || got == "" {
				t.Fatalf("ICCID(%q) = %q, %v: checksum error on a Luhn-valid value", s, got, err)
			}
		case errors.Is(err, ErrFormat):
			if got != "" {
				t.Fatalf("ICCID(%q) = %q with a format error", s, got)
			}
		default:
			t.Fatalf("ICCID(%q): unexpected error kind %v", s, err)
		}
		if err == nil || errors.Is(err, ErrChecksum) {
			// Normalised values are fixed points.
			again, err2 := ICCID(got)
			if again != got || (err2 == nil) != (err == nil) {
				t.Fatalf("ICCID not idempotent: %q -> %q -> %q", s, got, again)
			}
		}
	})
}
