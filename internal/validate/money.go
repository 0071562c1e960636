package validate

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Amount is an exact, non-negative amount of money in a supported currency.
//
// Minor holds the integer the 2024 edition of the Connect API sends and
// receives: major × 100 for two-decimal currencies (USD 3.53 -> 353) and the
// major amount itself for zero-decimal ones (JPY 15 -> 15). Major gives the v1
// form (10.99). Build Amounts with ParseAmount, ParseMajor or FromMinor.
type Amount struct {
	Currency string // ISO 4217 code, upper case
	Minor    int64  // smallest API unit, see above
}

// MinorUnits returns a.Minor, the 2024 edition's integer amount. (The field
// and a method cannot share the name Minor in Go.)
func (a Amount) MinorUnits() int64 { return a.Minor }

func (a Amount) decimals() int {
	if c, ok := supportedCurrencies.Get()[a.Currency]; ok {
		return c.APIDecimals
	}
	return 2
}

// Major returns the amount in major units as the v1 edition writes it: the
// shortest exact decimal, e.g. 10.99, 10.5, 15 (USD) or 1500 (JPY). A
// json.Number marshals as a JSON number; use string(a.Major()) for text.
func (a Amount) Major() json.Number {
	return json.Number(formatMinor(a.Minor, a.decimals(), true))
}

// String returns the amount for people, with all the currency's API decimals
// and its code: "10.99 USD", "15.00 USD", "1500 JPY".
func (a Amount) String() string {
	return formatMinor(a.Minor, a.decimals(), false) + " " + a.Currency
}

func formatMinor(minor int64, decimals int, trim bool) string {
	neg := minor < 0
	u := uint64(minor)
	if neg {
		u = -u
	}
	s := strconv.FormatUint(u, 10)
	if decimals > 0 {
		for len(s) <= decimals {
			s = "0" + s
		}
		ip, fp := s[:len(s)-decimals], s[len(s)-decimals:]
		if trim {
			fp = strings.TrimRight(fp, "0")
		}
		s = ip
		if fp != "" {
			s += "." + fp
		}
	}
	if neg {
		s = "-" + s
	}
	return s
}

// FromMinor builds an Amount from the 2024 edition's integer amount.
func FromMinor(minor int64, currency string) (Amount, error) {
	c, err := LookupCurrency(currency)
	if err != nil {
		return Amount{}, err
	}
	if minor < 0 {
		return Amount{}, newErr(ErrRange, "amount", strconv.FormatInt(minor, 10), "must not be negative")
	}
	return Amount{Currency: c.Code, Minor: minor}, nil
}

// ParseAmount parses an amount a person typed, e.g. "10.99" with currency
// "USD", exactly (integer arithmetic on the digits, never a float).
//
// The amount is plain ASCII digits with an optional '.' and fraction: no
// sign, no exponent, no grouping separators. s may also carry the currency
// code before or after the number ("10.99 USD"); currency may then be empty,
// and if both are given they must agree. The currency must be supported.
//
// More decimals than the currency's APIDecimals are refused ("10.5" JPY,
// "12.345" BHD) unless the extra digits are zeros ("15.0" JPY is 15).
func ParseAmount(s, currency string) (Amount, error) {
	in := strings.TrimSpace(s)
	num := in
	if f := strings.Fields(in); len(f) == 2 {
		code := ""
		switch {
		case len(f[1]) == 3 && isASCIILetters(f[1]):
			num, code = f[0], f[1]
		case len(f[0]) == 3 && isASCIILetters(f[0]):
			num, code = f[1], f[0]
		}
		if code != "" {
			if g := strings.TrimSpace(currency); g != "" && !strings.EqualFold(g, code) {
				return Amount{}, newErr(ErrFormat, "amount", in, "currency %s in the amount differs from the currency given (%s)", strings.ToUpper(code), strings.ToUpper(g))
			}
			currency = code
		}
	}
	if strings.TrimSpace(currency) == "" {
		return Amount{}, newErr(ErrFormat, "amount", in, "no currency given")
	}
	cur, err := LookupCurrency(currency)
	if err != nil {
		return Amount{}, err
	}
	if num == "" {
		return Amount{}, newErr(ErrFormat, "amount", in, "empty, expected a number like 10.99")
	}
	ip, fp, ok := splitPlainDecimal(num)
	if !ok {
		return Amount{}, amountSyntaxError(in, num)
	}
	return toAmount(in, ip, fp, 0, cur)
}

// splitPlainDecimal splits digits[.digits] into its integer and fraction
// digits.
func splitPlainDecimal(s string) (ip, fp string, ok bool) {
	ip, fp, dot := strings.Cut(s, ".")
	if ip == "" || firstNonDigit(ip) >= 0 {
		return "", "", false
	}
	if dot && (fp == "" || firstNonDigit(fp) >= 0) {
		return "", "", false
	}
	return ip, fp, true
}

func amountSyntaxError(in, num string) error {
	switch {
	case strings.HasPrefix(num, "-"):
		return newErr(ErrRange, "amount", in, "must not be negative")
	case strings.ContainsAny(num, "eE") && strings.ContainsAny(num, "0123456789") && !strings.ContainsFunc(num, func(r rune) bool {
		return !strings.ContainsRune("0123456789.eE+-", r)
	}):
		return newErr(ErrFormat, "amount", in, "exponent notation is not allowed, write the digits out (e.g. 1000 or 0.01)")
	case strings.Contains(num, ","):
		return newErr(ErrFormat, "amount", in, `use "." as the decimal separator and no grouping (e.g. 1000.50)`)
	default:
		return newErr(ErrFormat, "amount", in, "expected a non-negative decimal number like 10.99")
	}
}

// toAmount converts the exact decimal ip.fp × 10^exp to an Amount in cur.
func toAmount(in, ip, fp string, exp int, cur Currency) (Amount, error) {
	digits := strings.TrimLeft(ip+fp, "0")
	scale := len(fp) - exp // value = digits × 10^-scale
	for strings.HasSuffix(digits, "0") {
		digits = digits[:len(digits)-1]
		scale--
	}
	if digits == "" {
		return Amount{Currency: cur.Code}, nil
	}
	if scale > cur.APIDecimals {
		if cur.APIDecimals == 0 {
			return Amount{}, newErr(ErrPrecision, "amount", in, "%s has no minor unit, give a whole number", cur.Code)
		}
		return Amount{}, newErr(ErrPrecision, "amount", in, "%s takes at most %d decimals", cur.Code, cur.APIDecimals)
	}
	shift := cur.APIDecimals - scale
	if len(digits)+shift > 19 {
		return Amount{}, newErr(ErrRange, "amount", in, "too large")
	}
	v, err := strconv.ParseInt(digits, 10, 64)
	if err != nil {
		return Amount{}, newErr(ErrRange, "amount", in, "too large")
	}
	for ; shift > 0; shift-- {
		if v > math.MaxInt64/10 {
			return Amount{}, newErr(ErrRange, "amount", in, "too large")
		}
		v *= 10
	}
	return Amount{Currency: cur.Code, Minor: v}, nil
}

// ParseMajor parses a price in major units as the v1 edition sends it in
// JSON (a json.Number or its text: "10.99", "15", "1.5e1"), exactly. Unlike
// ParseAmount it accepts JSON's exponent notation, but still refuses negative
// values, junk and more precision than the currency's APIDecimals.
func ParseMajor[T ~string](price T, currency string) (Amount, error) {
	in := strings.TrimSpace(string(price))
	cur, err := LookupCurrency(currency)
	if err != nil {
		return Amount{}, err
	}
	if in == "" {
		return Amount{}, newErr(ErrFormat, "price", in, "empty, expected a number like 10.99")
	}
	mant, expText, hasExp := strings.Cut(strings.ToLower(in), "e")
	ip, fp, ok := splitPlainDecimal(mant)
	if !ok {
		if strings.HasPrefix(mant, "-") {
			return Amount{}, newErr(ErrRange, "price", in, "must not be negative")
		}
		return Amount{}, newErr(ErrFormat, "price", in, "expected a non-negative JSON number like 10.99")
	}
	exp := 0
	if hasExp {
		t := strings.TrimPrefix(strings.TrimPrefix(expText, "+"), "-")
		if t == "" || firstNonDigit(t) >= 0 {
			return Amount{}, newErr(ErrFormat, "price", in, "expected a non-negative JSON number like 10.99")
		}
		t = strings.TrimLeft(t, "0")
		if len(t) > 6 {
			t = "999999" // far beyond any int64 amount either way
		}
		exp, _ = strconv.Atoi(t)
		if strings.HasPrefix(expText, "-") {
			exp = -exp
		}
	}
	a, err := toAmount(in, ip, fp, exp, cur)
	if e, ok := err.(*Error); ok {
		e.What = "price"
	}
	return a, err
}

// CheckPrecision reports whether a v1 major-unit price (json.Number or
// string) is a valid non-negative amount of a supported currency with no more
// decimals than the API allows: "10.99" USD is fine, "12.345" BHD and "10.5"
// JPY are not.
func CheckPrecision[T ~string](price T, currency string) error {
	_, err := ParseMajor(price, currency)
	return err
}

// MustAmount is ParseAmount for tests and constants; it panics on error.
func MustAmount(s, currency string) Amount {
	a, err := ParseAmount(s, currency)
	if err != nil {
		panic(fmt.Sprintf("validate.MustAmount: %v", err))
	}
	return a
}
