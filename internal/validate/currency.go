package validate

import (
	"sort"
	"strings"

	"github.com/connectctl/connectctl/internal/lazy"
)

// Currency describes a currency the Connect API supports.
type Currency struct {
	Code string // ISO 4217 alphabetic code, upper case
	Name string // name as the Connect API documentation gives it
	// ISOExponent is the ISO 4217 minor-unit exponent (JPY 0, USD 2, BHD 3).
	// XDR has no minor unit in ISO 4217 ("N.A."); it is recorded as 2 here,
	// which is what the Connect API rule applies to it anyway.
	ISOExponent int
	// APIDecimals is the number of decimals the Connect API accepts: 0 for a
	// zero-decimal currency (ISO exponent 0), 2 for every other one, even the
	// ISO three-decimal currencies (BHD, JOD, KWD, OMR, TND). Amounts in the
	// 2024 edition are integers of major × 10^APIDecimals.
	APIDecimals int
}

// supportedCurrencies is the list of the 2024-10-17 edition ("Suported
// Currencies", seeds/002), written by hand with ISO 4217 exponents.
// A test (currency_iso_test.go) checks the exponents against
// github.com/bojanz/currency, which the binary does not link.
// Built on first use, not in package init: start-up pays nothing (issue 13).
var supportedCurrencies = lazy.Value[map[string]Currency]{New: func() map[string]Currency {
	m := map[string]Currency{}
	for _, c := range []struct {
		code, name string
		exp        int
	}{
		{"USD", "United States Dollar", 2},
		{"ALL", "Albanian Lek", 2},
		{"DZD", "Algerian Dinar", 2},
		{"ARS", "Argentine Peso", 2},
		{"AMD", "Armenian Dram", 2},
		{"AUD", "Australian Dollar", 2},
		{"BHD", "Bahraini Dinar", 3},
		{"BDT", "Bangladeshi Taka", 2},
		{"BBD", "Barbadian Dollar", 2},
		{"BOB", "Bolivian Boliviano", 2},
		{"BRL", "Brazilian Real", 2},
		{"GBP", "British Pound", 2},
		{"BND", "Brunei Dollar", 2},
		{"BGN", "Bulgarian Lev", 2},
		{"KHR", "Cambodian Riel", 2},
		{"CAD", "Canadian Dollar", 2},
		{"XAF", "Central African CFA Franc", 0},
		{"CLP", "Chilean Peso", 0},
		{"CNY", "Chinese Yuan Renminbi", 2},
		{"COP", "Colombian Peso", 2},
		{"CRC", "Costa Rican Colon", 2},
		{"CZK", "Czech Republic Koruna", 2},
		{"DKK", "Danish Kroner", 2},
		{"DOP", "Dominican Peso", 2},
		{"EGP", "Egyptian Pound", 2},
		{"EUR", "Euro", 2},
		{"FJD", "Fijian Dollar", 2},
		{"GEL", "Georgian Lari", 2},
		{"HKD", "Hong Kong Dollar", 2},
		{"HUF", "Hungarian Forint", 2},
		{"ISK", "Icelandic Krona", 0},
		{"INR", "Indian Rupee", 2},
		{"IDR", "Indonesian Rupiah", 2},
		{"ILS", "Israeli Shekel", 2},
		{"JMD", "Jamaican Dollar", 2},
		{"JPY", "Japanese Yen", 0},
		{"JOD", "Jordanian Dinar", 3},
		{"KZT", "Kazakhstani Tenge", 2},
		{"KES", "Kenyan Shilling", 2},
		{"KWD", "Kuwaiti Dinar", 3},
		{"KGS", "Kyrgyzstani Som", 2},
		{"LBP", "Lebanese Pound", 2},
		{"MKD", "Macedonian Denar", 2},
		{"MYR", "Malaysian Ringgit", 2},
		{"MUR", "Mauritian Rupee", 2},
		{"MXN", "Mexican Peso", 2},
		{"MDL", "Moldovan Leu", 2},
		{"MAD", "Moroccan Dirham", 2},
		{"NPR", "Nepalese Rupee", 2},
		{"NZD", "New Zealand Dollar", 2},
		{"NGN", "Nigerian Naira", 2},
		{"NOK", "Norwegian Krone", 2},
		{"OMR", "Omani Rial", 3},
		{"PKR", "Pakistani Rupee", 2},
		{"PEN", "Peruvian Sol", 2},
		{"PHP", "Philippine Peso", 2},
		{"QAR", "Qatari Riyal", 2},
		{"RON", "Romanian Leu", 2},
		{"RUB", "Russian Ruble", 2},
		{"SAR", "Saudi Riyal", 2},
		{"RSD", "Serbian Dinar", 2},
		{"SGD", "Singapore Dollar", 2},
		{"ZAR", "South African Rand", 2},
		{"KRW", "South Korean Won", 0},
		{"XDR", "Special Drawing Rights", 2}, // ISO 4217: minor unit "N.A."
		{"LKR", "Sri Lankan Rupee", 2},
		{"SEK", "Swedish Krona", 2},
		{"CHF", "Swiss Franc", 2},
		{"TWD", "Taiwan Dollar", 2},
		{"TJS", "Tajikistani Somoni", 2},
		{"THB", "Thai Baht", 2},
		{"TTD", "Trinidad and Tobago Dollar", 2},
		{"TND", "Tunisian Dinar", 3},
		{"TRY", "Turkish Lira", 2},
		{"AED", "UAE Dirham", 2},
		{"UGX", "Ugandan Shilling", 0},
		{"UAH", "Ukrainian Hryvnia", 2},
		{"UYU", "Uruguayan Peso", 2},
		{"UZS", "Uzbekistani Som", 2},
		{"VND", "Vietnamese Dong", 0},
		{"XOF", "West African CFA Franc", 0},
		{"PLN", "Polish Zloty", 2},
	} {
		dec := 2
		if c.exp == 0 {
			dec = 0
		}
		m[c.code] = Currency{Code: c.code, Name: c.name, ISOExponent: c.exp, APIDecimals: dec}
	}
	return m
}}

// LookupCurrency returns the supported currency with the given ISO 4217 code
// (any case, surrounding white space ignored). A code that is not three
// letters matches ErrFormat; one not on the Connect API's supported list
// matches ErrUnsupported and the message names it.
func LookupCurrency(code string) (Currency, error) {
	in := strings.TrimSpace(code)
	up := strings.ToUpper(in)
	if c, ok := supportedCurrencies.Get()[up]; ok {
		return c, nil
	}
	if len(up) != 3 || !isASCIILetters(up) {
		return Currency{}, newErr(ErrFormat, "currency", in, "expected a three-letter ISO 4217 code (e.g. EUR, USD)")
	}
	return Currency{}, newErr(ErrUnsupported, "currency", in, "%s is not one of the %d currencies the Connect API supports", up, len(supportedCurrencies.Get()))
}

// IsSupportedCurrency reports whether code (exact, upper case) is supported.
func IsSupportedCurrency(code string) bool {
	_, ok := supportedCurrencies.Get()[code]
	return ok
}

// SupportedCurrencies returns the codes of all supported currencies, sorted.
func SupportedCurrencies() []string {
	out := make([]string, 0, len(supportedCurrencies.Get()))
	for c := range supportedCurrencies.Get() {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}
