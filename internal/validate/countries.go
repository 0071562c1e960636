package validate

import (
	"sort"
	"strings"
)

// countryHints explains codes people type that are not officially assigned
// ISO 3166-1 alpha-2 codes (exceptionally, transitionally or indeterminately
// reserved ones, and common mistakes).
var countryHints = map[string]string{
	"UK": "not an ISO 3166-1 code, use GB for the United Kingdom",
	"EU": "the European Union is not a country, use a member state's code (e.g. DE, FR)",
	"EZ": "the eurozone is not a country, use a member state's code (e.g. DE, FR)",
	"UN": "the United Nations is not a country",
	"EL": "not an ISO 3166-1 code, use GR for Greece",
	"FX": "reserved code, use FR for France",
	"AC": "reserved code, use SH for Ascension Island (Saint Helena, Ascension and Tristan da Cunha)",
	"TA": "reserved code, use SH for Tristan da Cunha (Saint Helena, Ascension and Tristan da Cunha)",
	"CP": "reserved code, Clipperton Island has no ISO 3166-1 code (use FR)",
	"DG": "reserved code, use IO for Diego Garcia (British Indian Ocean Territory)",
	"EA": "reserved code, use ES for Ceuta and Melilla",
	"IC": "reserved code, use ES for the Canary Islands",
	"SU": "the Soviet Union no longer exists, use the successor state's code (e.g. RU)",
	"AN": "the Netherlands Antilles no longer exist, use BQ, CW or SX",
	"YU": "Yugoslavia no longer exists, use the successor state's code (e.g. RS, ME)",
	"CS": "Serbia and Montenegro no longer exists, use RS or ME",
	"TP": "reserved code, use TL for Timor-Leste",
	"BU": "reserved code, use MM for Myanmar",
	"ZR": "reserved code, use CD for the Democratic Republic of the Congo",
	"XK": "Kosovo has no ISO 3166-1 code (XK is user-assigned and not accepted)",
}

// CountryCode validates an ISO 3166-1 alpha-2 country code, case-insensitively
// and ignoring surrounding white space, and returns it upper-cased. Only the
// 249 officially assigned codes are accepted; UK, EU and other reserved codes
// are refused with a hint (for UK: use GB). Errors match ErrFormat (not two
// letters) or ErrUnsupported (two letters but not an assigned code).
func CountryCode(s string) (string, error) {
	in := strings.TrimSpace(s)
	cc := strings.ToUpper(in)
	if _, ok := countries.Get()[cc]; ok {
		return cc, nil
	}
	if hint, ok := countryHints[cc]; ok {
		return "", newErr(ErrUnsupported, "country code", in, "%s", hint)
	}
	if a2, ok := alpha3.Get()[cc]; ok {
		return "", newErr(ErrFormat, "country code", in, "expected the ISO 3166-1 alpha-2 code, use %s (%s)", a2, countries.Get()[a2])
	}
	if len(cc) != 2 || !isASCIILetters(cc) {
		return "", newErr(ErrFormat, "country code", in, "expected two letters (ISO 3166-1 alpha-2, e.g. PT, GB, US)")
	}
	return "", newErr(ErrUnsupported, "country code", in, "not an assigned ISO 3166-1 alpha-2 code (e.g. PT, GB, US)")
}

// IsCountry reports whether cc is an officially assigned ISO 3166-1 alpha-2
// code. It is exact: cc must already be upper case.
func IsCountry(cc string) bool {
	_, ok := countries.Get()[cc]
	return ok
}

// CountryName returns the English short name of an ISO 3166-1 alpha-2 code
// (any case), or "" if the code is not assigned.
func CountryName(cc string) string {
	return countries.Get()[strings.ToUpper(strings.TrimSpace(cc))]
}

// CountryCodes returns all assigned ISO 3166-1 alpha-2 codes, sorted.
func CountryCodes() []string {
	out := make([]string, 0, len(countries.Get()))
	for cc := range countries.Get() {
		out = append(out, cc)
	}
	sort.Strings(out)
	return out
}

func isASCIILetters(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < 'A' || c > 'Z') && (c < 'a' || c > 'z') {
			return false
		}
	}
	return s != ""
}
