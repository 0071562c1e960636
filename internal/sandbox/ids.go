package sandbox

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"regexp"
	"strings"

	"github.com/connectctl/connectctl/internal/lazy"
)

// luhnCheckDigit returns the Luhn check digit of a string of decimal digits.
// A local copy: the sandbox shares nothing with the client but the wire.
func luhnCheckDigit(digits string) byte {
	sum := 0
	double := true // the rightmost payload digit is doubled
	for i := len(digits) - 1; i >= 0; i-- {
		d := int(digits[i] - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return byte('0' + (10-sum%10)%10)
}

// luhnValid reports whether digits ends with its correct Luhn check digit.
func luhnValid(digits string) bool {
	if len(digits) < 2 || !allDigits(digits) {
		return false
	}
	return luhnCheckDigit(digits[:len(digits)-1]) == digits[len(digits)-1]
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// validEID reports whether s is 32 digits whose number mod 97 is 1
// (ISO 7064 MOD 97-10), reduced digit by digit.
func validEID(s string) bool {
	if len(s) != 32 || !allDigits(s) {
		return false
	}
	r := 0
	for i := 0; i < len(s); i++ {
		r = (r*10 + int(s[i]-'0')) % 97
	}
	return r == 1
}

// makeEID completes a 30-digit prefix into a valid EID (ISO 7064 MOD 97-10
// check digits), for seeds and tests.
func makeEID(prefix30 string) string {
	r := 0
	for i := 0; i < len(prefix30); i++ {
		r = (r*10 + int(prefix30[i]-'0')) % 97
	}
	return fmt.Sprintf("%s%02d", prefix30, 98-(r*100)%97)
}

// idGen derives every generated identifier from the seed, a kind and a
// sequence number, so that the same seed gives the same ids every run and a
// restart (which keeps the sequence numbers) never repeats one.
type idGen struct{ seed int64 }

func (g idGen) sum(kind string, seq int64) [32]byte {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(g.seed))
	binary.BigEndian.PutUint64(b[8:], uint64(seq))
	return sha256.Sum256(append([]byte(kind+":"), b[:]...))
}

// uuid formats a version 4 UUID from the hash.
func (g idGen) uuid(kind string, seq int64) string {
	h := g.sum(kind, seq)
	h[6] = h[6]&0x0f | 0x40
	h[8] = h[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}

// iccid is a 19-digit, Luhn-valid ICCID starting 89444786, unique per seq.
func iccidFor(seq int64) string {
	body := fmt.Sprintf("89444786%010d", 100000+seq)
	return body + string(luhnCheckDigit(body))
}

// matchingID looks like the API's, e.g. 5C-M1OIY-QHWKD1.
func (g idGen) matchingID(seq int64) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	h := g.sum("matching", seq)
	var sb strings.Builder
	for i, n := range []int{2, 5, 6} {
		if i > 0 {
			sb.WriteByte('-')
		}
		for j := 0; j < n; j++ {
			sb.WriteByte(alphabet[int(h[sb.Len()])%len(alphabet)])
		}
	}
	return sb.String()
}

// subscriptionID is base64 of 32 bytes, as the API's are; even sequence
// numbers use the URL alphabet (-, _), odd ones the standard one (+, /).
func (g idGen) subscriptionID(seq int64) string {
	h := g.sum("subscription", seq)
	if seq%2 == 0 {
		return base64.URLEncoding.EncodeToString(h[:])
	}
	return base64.StdEncoding.EncodeToString(h[:])
}

var matchingIDRe = lazy.Value[*regexp.Regexp]{New: func() *regexp.Regexp { return regexp.MustCompile(`^[A-Z0-9]{2}-[A-Z0-9]{5}-[A-Z0-9]{6}$`) }}
