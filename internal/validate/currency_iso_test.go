package validate

import (
	"testing"

	"github.com/bojanz/currency"
)

// The hand-written exponents agree with github.com/bojanz/currency (CLDR's
// ISO 4217 data), a test-only dependency so that the binary links none of
// its tables. The documents' rule stays ours: the API takes at most two
// decimals (BHD, JOD, KWD, OMR, TND: ISO 3, API 2) and none for a
// zero-decimal currency. The library lacks BGN (replaced by the euro) and
// XDR (no minor unit in ISO 4217): those two are stated here.
func TestCurrencyExponentsMatchISO(t *testing.T) {
	stated := map[string]int{"BGN": 2, "XDR": 2}
	for code, c := range supportedCurrencies.Get() {
		if want, ok := stated[code]; ok {
			if c.ISOExponent != want {
				t.Errorf("%s: exponent %d, stated %d", code, c.ISOExponent, want)
			}
			continue
		}
		digits, ok := currency.GetDigits(code)
		if !ok {
			t.Errorf("%s: unknown to bojanz/currency; state its exponent here", code)
			continue
		}
		if int(digits) != c.ISOExponent {
			t.Errorf("%s: exponent %d, ISO 4217 says %d", code, c.ISOExponent, digits)
		}
		wantAPI := min(int(digits), 2)
		if c.APIDecimals != wantAPI {
			t.Errorf("%s: API decimals %d, want %d (ISO %d capped at 2)", code, c.APIDecimals, wantAPI, digits)
		}
	}
}
