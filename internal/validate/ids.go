package validate

import (
	"errors"
	"fmt"
	"strings"
)

// LuhnCheckDigit returns the Luhn check digit ('0'..'9') to append to
// payload, a non-empty string of ASCII digits.
func LuhnCheckDigit(payload string) (byte, error) {
	if payload == "" {
		return 0, errors.New("luhn: empty payload")
	}
	sum := 0
	// The rightmost payload digit is doubled (it sits next to the check digit).
	double := true
	for i := len(payload) - 1; i >= 0; i-- {
		c := payload[i]
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("luhn: payload %q: %q at position %d is not a digit", payload, c, i+1)
		}
		d := int(c - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return byte('0' + (10-sum%10)%10), nil
}

// LuhnValid reports whether digits (at least two ASCII digits) ends with a
// correct Luhn check digit.
func LuhnValid(digits string) bool {
	if len(digits) < 2 {
		return false
	}
	want, err := LuhnCheckDigit(digits[:len(digits)-1])
	if err != nil {
		return false
	}
	return digits[len(digits)-1] == want
}

// firstNonDigit returns the index of the first byte of s that is not an ASCII
// digit, or -1.
func firstNonDigit(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return i
		}
	}
	return -1
}

// badChar describes the character at byte index i of s for an error message,
// 1-based, rune-aware.
func badChar(s string, i int) string {
	r := []rune(s[i:])[0]
	pos := len([]rune(s[:i])) + 1
	return fmt.Sprintf("unexpected character %q at position %d", r, pos)
}

const iccidExpect = "expected 18 to 20 digits starting with 89"

// ICCID validates and normalises an ICCID (ITU-T E.118) typed by a user.
//
// It trims surrounding white space, strips one trailing 'F'/'f' filler nibble
// and requires ^89[0-9]{16,18}$. On a wrong Luhn check digit it returns the
// normalised ICCID together with an error matching ErrChecksum, so the
// caller can choose to refuse (state-changing commands) or warn (read-only
// ones). Format errors match ErrFormat and return "".
//
// Values the API returns should be displayed as they are, not passed here.
func ICCID(s string) (string, error) {
	in := strings.TrimSpace(s)
	v := in
	if n := len(v); n > 0 && (v[n-1] == 'F' || v[n-1] == 'f') {
		v = v[:n-1]
	}
	if v == "" {
		return "", newErr(ErrFormat, "ICCID", in, "empty, %s", iccidExpect)
	}
	if i := firstNonDigit(v); i >= 0 {
		return "", newErr(ErrFormat, "ICCID", in, "%s, %s", badChar(v, i), iccidExpect)
	}
	if len(v) < 18 || len(v) > 20 {
		return "", newErr(ErrFormat, "ICCID", in, "%d digits, expected 18 to 20 starting with 89", len(v))
	}
	if !strings.HasPrefix(v, "89") {
		return "", newErr(ErrFormat, "ICCID", in, "starts with %q, %s (telecom industry prefix)", v[:2], iccidExpect)
	}
	want, _ := LuhnCheckDigit(v[:len(v)-1])
	if got := v[len(v)-1]; got != want {
		return v, newErr(ErrChecksum, "ICCID", v, "check digit is %c, expected %c (typo?)", got, want)
	}
	return v, nil
}

// mod97 returns the whole decimal number digits mod 97, reducing digit by
// digit (an EID does not fit in 64 bits). digits must be ASCII digits.
func mod97(digits string) int {
	r := 0
	for i := 0; i < len(digits); i++ {
		r = (r*10 + int(digits[i]-'0')) % 97
	}
	return r
}

// EIDCheckDigits returns the two ISO 7064 MOD 97-10 check digits to append to
// a 30-digit EID payload so that the 32-digit number mod 97 equals 1.
func EIDCheckDigits(payload string) (string, error) {
	if len(payload) != 30 || firstNonDigit(payload) >= 0 {
		return "", newErr(ErrFormat, "EID payload", payload, "expected 30 digits")
	}
	return fmt.Sprintf("%02d", 98-mod97(payload+"00")), nil
}

// EID validates an eUICC identifier: 32 ASCII digits whose value mod 97 is 1
// (ISO 7064 MOD 97-10, GSMA SGP.29). White space around it is trimmed. On a
// wrong checksum it returns the trimmed EID and an error matching
// ErrChecksum; format errors match ErrFormat.
func EID(s string) (string, error) {
	v := strings.TrimSpace(s)
	if v == "" {
		return "", newErr(ErrFormat, "EID", v, "empty, expected 32 digits")
	}
	if i := firstNonDigit(v); i >= 0 {
		return "", newErr(ErrFormat, "EID", v, "%s, expected 32 digits", badChar(v, i))
	}
	if len(v) != 32 {
		return "", newErr(ErrFormat, "EID", v, "%d digits, expected 32", len(v))
	}
	if mod97(v) != 1 {
		want, _ := EIDCheckDigits(v[:30])
		return v, newErr(ErrChecksum, "EID", v, "check digits are %s, expected %s (typo?)", v[30:], want)
	}
	return v, nil
}
