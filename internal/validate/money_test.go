package validate

import (
	"encoding/json"
	"errors"
	"math"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// seed002 is the "Suported Currencies" list of seeds/002, in its order.
var seed002 = strings.Fields(`USD ALL DZD ARS AMD AUD BHD BDT BBD BOB BRL GBP BND BGN KHR CAD XAF CLP CNY
COP CRC CZK DKK DOP EGP EUR FJD GEL HKD HUF ISK INR IDR ILS JMD JPY JOD KZT KES KWD KGS LBP MKD MYR MUR
MXN MDL MAD NPR NZD NGN NOK OMR PKR PEN PHP QAR RON RUB SAR RSD SGD ZAR KRW XDR LKR SEK CHF TWD TJS THB
TTD TND TRY AED UGX UAH UYU UZS VND XOF PLN`)

func TestSupportedCurrencies(t *testing.T) {
	if len(seed002) != 82 {
		t.Fatalf("seed list has %d codes", len(seed002))
	}
	got := SupportedCurrencies()
	want := append([]string(nil), seed002...)
	sort.Strings(want)
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("SupportedCurrencies() = %v\nwant %v", got, want)
	}
	zero := map[string]bool{"JPY": true, "KRW": true, "VND": true, "CLP": true, "ISK": true, "UGX": true, "XAF": true, "XOF": true}
	three := map[string]bool{"BHD": true, "JOD": true, "KWD": true, "OMR": true, "TND": true}
	for _, code := range seed002 {
		c, err := LookupCurrency(code)
		if err != nil {
			t.Fatalf("LookupCurrency(%q): %v", code, err)
		}
		if c.Code != code || c.Name == "" {
			t.Errorf("LookupCurrency(%q) = %+v", code, c)
		}
		wantExp, wantDec := 2, 2
		switch {
		case zero[code]:
			wantExp, wantDec = 0, 0
		case three[code]:
			wantExp = 3
		}
		if c.ISOExponent != wantExp || c.APIDecimals != wantDec {
			t.Errorf("%s: ISOExponent %d APIDecimals %d, want %d %d", code, c.ISOExponent, c.APIDecimals, wantExp, wantDec)
		}
		if !IsSupportedCurrency(code) {
			t.Errorf("IsSupportedCurrency(%q) = false", code)
		}
	}
}

func TestLookupCurrency(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		kind    error
		wantMsg string
	}{
		{"EUR", "EUR", nil, ""},
		{"eur", "EUR", nil, ""},
		{" Jpy ", "JPY", nil, ""},
		{"XDR", "XDR", nil, ""},
		{"BTC", "", ErrUnsupported, `currency "BTC": BTC is not one of the 82 currencies the Connect API supports`},
		{"ves", "", ErrUnsupported, `currency "ves": VES is not one of the 82 currencies the Connect API supports`},
		{"EURO", "", ErrFormat, `currency "EURO": expected a three-letter ISO 4217 code (e.g. EUR, USD)`},
		{"", "", ErrFormat, ""},
		{"€", "", ErrFormat, ""},
		{"US1", "", ErrFormat, ""},
	}
	for _, tt := range tests {
		c, err := LookupCurrency(tt.in)
		if c.Code != tt.want {
			t.Errorf("LookupCurrency(%q) = %q, want %q", tt.in, c.Code, tt.want)
		}
		checkKind(t, err, tt.kind)
		if tt.wantMsg != "" && (err == nil || err.Error() != tt.wantMsg) {
			t.Errorf("LookupCurrency(%q) error = %v, want %q", tt.in, err, tt.wantMsg)
		}
	}
	if IsSupportedCurrency("usd") {
		t.Error("IsSupportedCurrency is exact")
	}
}

func TestParseAmount(t *testing.T) {
	tests := []struct {
		s, cur    string
		wantCur   string
		wantMinor int64
		wantMajor string
		wantStr   string
		kind      error
		wantMsg   string
	}{
		// Seed examples: v1 order price 10.99 USD; 2024 rule $3.53 -> 353 and JPY 15 -> 15; pricing EUR 10.
		{"10.99", "USD", "USD", 1099, "10.99", "10.99 USD", nil, ""},
		{"3.53", "USD", "USD", 353, "3.53", "3.53 USD", nil, ""},
		{"15", "JPY", "JPY", 15, "15", "15 JPY", nil, ""},
		{"10", "EUR", "EUR", 1000, "10", "10.00 EUR", nil, ""},
		{"15", "usd", "USD", 1500, "15", "15.00 USD", nil, ""},
		{"10.5", "EUR", "EUR", 1050, "10.5", "10.50 EUR", nil, ""},
		{"10.50", "EUR", "EUR", 1050, "10.5", "10.50 EUR", nil, ""},
		{"0.01", "GBP", "GBP", 1, "0.01", "0.01 GBP", nil, ""},
		{"0", "EUR", "EUR", 0, "0", "0.00 EUR", nil, ""},
		{"0.00", "EUR", "EUR", 0, "0", "0.00 EUR", nil, ""},
		{"007.50", "EUR", "EUR", 750, "7.5", "7.50 EUR", nil, ""},
		{" 10.99 ", "USD", "USD", 1099, "10.99", "10.99 USD", nil, ""},
		{"12.34", "BHD", "BHD", 1234, "12.34", "12.34 BHD", nil, ""},
		{"12.340", "BHD", "BHD", 1234, "12.34", "12.34 BHD", nil, ""}, // zeros beyond the precision are exact
		{"15.0", "JPY", "JPY", 15, "15", "15 JPY", nil, ""},
		{"1500", "KRW", "KRW", 1500, "1500", "1500 KRW", nil, ""},
		{"10.99 USD", "", "USD", 1099, "10.99", "10.99 USD", nil, ""},
		{"10.99 usd", "USD", "USD", 1099, "10.99", "10.99 USD", nil, ""},
		{"USD 10.99", "", "USD", 1099, "10.99", "10.99 USD", nil, ""},
		{"92233720368547758.07", "EUR", "EUR", math.MaxInt64, "92233720368547758.07", "92233720368547758.07 EUR", nil, ""},
		{"9223372036854775807", "JPY", "JPY", math.MaxInt64, "9223372036854775807", "9223372036854775807 JPY", nil, ""},

		{"12.345", "BHD", "", 0, "", "", ErrPrecision, `amount "12.345": BHD takes at most 2 decimals`},
		{"10.5", "JPY", "", 0, "", "", ErrPrecision, `amount "10.5": JPY has no minor unit, give a whole number`},
		{"10.999", "USD", "", 0, "", "", ErrPrecision, ""},
		{"0.001", "KWD", "", 0, "", "", ErrPrecision, ""},
		{"1.5", "XOF", "", 0, "", "", ErrPrecision, ""},
		{"-5", "USD", "", 0, "", "", ErrRange, `amount "-5": must not be negative`},
		{"-0.01", "USD", "", 0, "", "", ErrRange, ""},
		{"92233720368547758.08", "EUR", "", 0, "", "", ErrRange, `amount "92233720368547758.08": too large`},
		{"9223372036854775808", "JPY", "", 0, "", "", ErrRange, ""},
		{"100000000000000000000000", "EUR", "", 0, "", "", ErrRange, ""},
		{"1e3", "USD", "", 0, "", "", ErrFormat, `amount "1e3": exponent notation is not allowed, write the digits out (e.g. 1000 or 0.01)`},
		{"1.5E+2", "USD", "", 0, "", "", ErrFormat, ""},
		{"1,000.00", "USD", "", 0, "", "", ErrFormat, `amount "1,000.00": use "." as the decimal separator and no grouping (e.g. 1000.50)`},
		{"10,99", "EUR", "", 0, "", "", ErrFormat, ""},
		{"abc", "USD", "", 0, "", "", ErrFormat, `amount "abc": expected a non-negative decimal number like 10.99`},
		{"+5", "USD", "", 0, "", "", ErrFormat, ""},
		{".5", "USD", "", 0, "", "", ErrFormat, ""},
		{"5.", "USD", "", 0, "", "", ErrFormat, ""},
		{"1.2.3", "USD", "", 0, "", "", ErrFormat, ""},
		{"$10", "USD", "", 0, "", "", ErrFormat, ""},
		{"10 99", "USD", "", 0, "", "", ErrFormat, ""},
		{"Inf", "USD", "", 0, "", "", ErrFormat, ""},
		{"NaN", "USD", "", 0, "", "", ErrFormat, ""},
		{"0x10", "USD", "", 0, "", "", ErrFormat, ""},
		{"１０", "USD", "", 0, "", "", ErrFormat, ""},
		{"", "USD", "", 0, "", "", ErrFormat, `amount "": empty, expected a number like 10.99`},
		{"10.99 EUR", "USD", "", 0, "", "", ErrFormat, `amount "10.99 EUR": currency EUR in the amount differs from the currency given (USD)`},
		{"10.99", "", "", 0, "", "", ErrFormat, `amount "10.99": no currency given`},
		{"10.99", "BTC", "", 0, "", "", ErrUnsupported, ""},
		{"10.99 BTC", "", "", 0, "", "", ErrUnsupported, ""},
	}
	for _, tt := range tests {
		a, err := ParseAmount(tt.s, tt.cur)
		checkKind(t, err, tt.kind)
		if tt.wantMsg != "" && (err == nil || err.Error() != tt.wantMsg) {
			t.Errorf("ParseAmount(%q, %q) error = %v, want %q", tt.s, tt.cur, err, tt.wantMsg)
		}
		if tt.kind != nil {
			if a != (Amount{}) {
				t.Errorf("ParseAmount(%q, %q) = %+v with an error", tt.s, tt.cur, a)
			}
			continue
		}
		if a.Currency != tt.wantCur || a.Minor != tt.wantMinor || a.MinorUnits() != tt.wantMinor {
			t.Errorf("ParseAmount(%q, %q) = %+v, want %s %d", tt.s, tt.cur, a, tt.wantCur, tt.wantMinor)
		}
		if got := string(a.Major()); got != tt.wantMajor {
			t.Errorf("ParseAmount(%q, %q).Major() = %q, want %q", tt.s, tt.cur, got, tt.wantMajor)
		}
		if got := a.String(); got != tt.wantStr {
			t.Errorf("ParseAmount(%q, %q).String() = %q, want %q", tt.s, tt.cur, got, tt.wantStr)
		}
	}
}

func TestAmountJSON(t *testing.T) {
	// The v1 order body carries the price as a JSON number.
	a := MustAmount("10.99", "USD")
	b, err := json.Marshal(map[string]any{"price": a.Major(), "currency": a.Currency})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(b), `{"currency":"USD","price":10.99}`; got != want {
		t.Errorf("v1 body = %s, want %s", got, want)
	}
	// The 2024 edition carries the integer.
	b, _ = json.Marshal(map[string]any{"amount": a.Minor})
	if got, want := string(b), `{"amount":1099}`; got != want {
		t.Errorf("2024 body = %s, want %s", got, want)
	}
}

func TestFromMinor(t *testing.T) {
	a, err := FromMinor(353, "usd")
	if err != nil || a != (Amount{"USD", 353}) || a.Major() != "3.53" {
		t.Errorf("FromMinor(353, usd) = %+v, %v", a, err)
	}
	a, err = FromMinor(15, "JPY")
	if err != nil || a.Major() != "15" || a.String() != "15 JPY" {
		t.Errorf("FromMinor(15, JPY) = %+v, %v", a, err)
	}
	if _, err := FromMinor(-1, "USD"); !errors.Is(err, ErrRange) {
		t.Errorf("FromMinor(-1) error = %v", err)
	}
	if _, err := FromMinor(1, "BTC"); !errors.Is(err, ErrUnsupported) {
		t.Errorf("FromMinor(BTC) error = %v", err)
	}
	// Formatting copes with values no constructor makes.
	if got := (Amount{"USD", -5}).String(); got != "-0.05 USD" {
		t.Errorf("negative String() = %q", got)
	}
	if got := (Amount{"USD", math.MinInt64}).Major(); got != "-92233720368547758.08" {
		t.Errorf("MinInt64 Major() = %q", got)
	}
	if got := (Amount{}).String(); got != "0.00 " {
		t.Errorf("zero Amount String() = %q", got)
	}
}

func TestParseMajorAndCheckPrecision(t *testing.T) {
	tests := []struct {
		price     string
		cur       string
		wantMinor int64
		kind      error
		wantMsg   string
	}{
		{"10.99", "USD", 1099, nil, ""},
		{"10", "EUR", 1000, nil, ""},
		{"15", "JPY", 15, nil, ""},
		{"15.0", "JPY", 15, nil, ""},
		{"1.5e1", "JPY", 15, nil, ""},
		{"1099E-2", "USD", 1099, nil, ""},
		{"0.1099e+2", "USD", 1099, nil, ""},
		{"0e999999999999", "USD", 0, nil, ""},
		{"0", "USD", 0, nil, ""},
		{"12.34", "BHD", 1234, nil, ""},
		{"12.345", "BHD", 0, ErrPrecision, `price "12.345": BHD takes at most 2 decimals`},
		{"10.5", "JPY", 0, ErrPrecision, `price "10.5": JPY has no minor unit, give a whole number`},
		{"1e-3", "USD", 0, ErrPrecision, ""},
		{"1e-999999999", "USD", 0, ErrPrecision, ""},
		{"1e999999999", "USD", 0, ErrRange, ""},
		{"1e17", "USD", 0, ErrRange, ""},
		{"1e16", "USD", 1e18, nil, ""},
		{"-1", "USD", 0, ErrRange, `price "-1": must not be negative`},
		{"abc", "USD", 0, ErrFormat, ""},
		{"1e", "USD", 0, ErrFormat, ""},
		{"1e+", "USD", 0, ErrFormat, ""},
		{"e5", "USD", 0, ErrFormat, ""},
		{"", "USD", 0, ErrFormat, ""},
		{"10.99", "XYZ", 0, ErrUnsupported, ""},
	}
	for _, tt := range tests {
		a, err := ParseMajor(json.Number(tt.price), tt.cur)
		checkKind(t, err, tt.kind)
		if tt.wantMsg != "" && (err == nil || err.Error() != tt.wantMsg) {
			t.Errorf("ParseMajor(%q, %q) error = %v, want %q", tt.price, tt.cur, err, tt.wantMsg)
		}
		if err == nil && a.Minor != tt.wantMinor {
			t.Errorf("ParseMajor(%q, %q) = %d, want %d", tt.price, tt.cur, a.Minor, tt.wantMinor)
		}
		// CheckPrecision agrees, for both json.Number and string.
		if e1, e2 := CheckPrecision(json.Number(tt.price), tt.cur), CheckPrecision(tt.price, tt.cur); (e1 == nil) != (err == nil) || (e2 == nil) != (err == nil) {
			t.Errorf("CheckPrecision(%q, %q) = %v / %v, ParseMajor error %v", tt.price, tt.cur, e1, e2, err)
		}
	}
	// A price decoded from a v1 body.
	var body struct {
		Price    json.Number `json:"price"`
		Currency string      `json:"currency"`
	}
	dec := json.NewDecoder(strings.NewReader(`{"price": 10.99, "currency": "USD"}`))
	dec.UseNumber()
	if err := dec.Decode(&body); err != nil {
		t.Fatal(err)
	}
	if err := CheckPrecision(body.Price, body.Currency); err != nil {
		t.Errorf("CheckPrecision(seed body): %v", err)
	}
}

func TestMustAmountPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("MustAmount did not panic")
		}
	}()
	MustAmount("10.5", "JPY")
}

func FuzzParseAmount(f *testing.F) {
	for _, s := range []string{"10.99", "15", "0", "12.345", "10.5", "-5", "1e3", "1,000.00", "007.50",
		"92233720368547758.07", "92233720368547758.08", "10.99 USD", "USD 10.99", " ", "."} {
		for _, c := range []string{"USD", "JPY", "BHD", ""} {
			f.Add(s, c)
		}
	}
	f.Fuzz(func(t *testing.T, s, cur string) {
		a, err := ParseAmount(s, cur)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("ParseAmount(%q, %q): error %v is not a *Error", s, cur, err)
			}
			return
		}
		if a.Minor < 0 || !IsSupportedCurrency(a.Currency) {
			t.Fatalf("ParseAmount(%q, %q) = %+v", s, cur, a)
		}
		// Round trips: the v1 form, the human form, and the 2024 integer.
		for _, text := range []string{string(a.Major()), a.String()} {
			b, err := ParseAmount(text, a.Currency)
			if err != nil || b != a {
				t.Fatalf("ParseAmount(%q, %q) = %+v; re-parsing %q gives %+v, %v", s, cur, a, text, b, err)
			}
		}
		if b, err := ParseMajor(a.Major(), a.Currency); err != nil || b != a {
			t.Fatalf("ParseMajor(%q) = %+v, %v; want %+v", a.Major(), b, err, a)
		}
		if b, err := FromMinor(a.Minor, a.Currency); err != nil || b != a {
			t.Fatalf("FromMinor(%d) = %+v, %v", a.Minor, b, err)
		}
		// Exactness: the digits of Major are those of Minor.
		if m := strings.ReplaceAll(string(a.Major()), ".", ""); !strings.HasPrefix(strconv.FormatInt(a.Minor, 10), strings.TrimLeft(m, "0")) {
			t.Fatalf("Major %q and Minor %d disagree", a.Major(), a.Minor)
		}
	})
}
