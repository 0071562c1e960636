package validate

import (
	"sort"
	"strings"
)

// Subdivision is a US state or Canadian province or territory as the 2024
// edition document lists it under "States & Province".
type Subdivision struct {
	Code string // the document's code, e.g. QC
	Name string // the document's name, e.g. Quebec
}

// The tables are the document's, in its order: 13 Canadian provinces and
// territories, 50 US states (the document lists no District of Columbia
// and no territories, so neither do we).
var (
	caProvinces = []Subdivision{
		{"AB", "Alberta"}, {"BC", "British Columbia"}, {"MB", "Manitoba"}, {"NB", "New Brunswick"},
		{"NL", "Newfoundland and Labrador"}, {"NT", "Northwest Territories"}, {"NS", "Nova Scotia"},
		{"NU", "Nunavut"}, {"ON", "Ontario"}, {"PE", "Prince Edward Island"}, {"QC", "Quebec"},
		{"SK", "Saskatchewan"}, {"YT", "Yukon"},
	}
	usStates = []Subdivision{
		{"AL", "Alabama"}, {"AK", "Alaska"}, {"AZ", "Arizona"}, {"AR", "Arkansas"}, {"CA", "California"},
		{"CO", "Colorado"}, {"CT", "Connecticut"}, {"DE", "Delaware"}, {"FL", "Florida"}, {"GA", "Georgia"},
		{"HI", "Hawaii"}, {"ID", "Idaho"}, {"IL", "Illinois"}, {"IN", "Indiana"}, {"IA", "Iowa"},
		{"KS", "Kansas"}, {"KY", "Kentucky"}, {"LA", "Louisiana"}, {"ME", "Maine"}, {"MD", "Maryland"},
		{"MA", "Massachusetts"}, {"MI", "Michigan"}, {"MN", "Minnesota"}, {"MS", "Mississippi"},
		{"MO", "Missouri"}, {"MT", "Montana"}, {"NE", "Nebraska"}, {"NV", "Nevada"},
		{"NH", "New Hampshire"}, {"NJ", "New Jersey"}, {"NM", "New Mexico"}, {"NY", "New York"},
		{"NC", "North Carolina"}, {"ND", "North Dakota"}, {"OH", "Ohio"}, {"OK", "Oklahoma"},
		{"OR", "Oregon"}, {"PA", "Pennsylvania"}, {"RI", "Rhode Island"}, {"SC", "South Carolina"},
		{"SD", "South Dakota"}, {"TN", "Tennessee"}, {"TX", "Texas"}, {"UT", "Utah"}, {"VT", "Vermont"},
		{"VA", "Virginia"}, {"WA", "Washington"}, {"WV", "West Virginia"}, {"WI", "Wisconsin"},
		{"WY", "Wyoming"},
	}
)

// Subdivisions returns the document's table for a country (US or CA, upper
// case), a copy in the document's order; nil for any other country.
func Subdivisions(country string) []Subdivision {
	switch country {
	case "US":
		return append([]Subdivision(nil), usStates...)
	case "CA":
		return append([]Subdivision(nil), caProvinces...)
	}
	return nil
}

// HasSubdivisions reports whether addresses in country (upper case) need a
// state or province: the US and Canada, the countries the document lists.
func HasSubdivisions(country string) bool { return country == "US" || country == "CA" }

// SubdivisionName returns the name of a state or province code of the
// document's tables (exact, upper case), and whether it is one.
func SubdivisionName(country, code string) (string, bool) {
	for _, s := range Subdivisions(country) {
		if s.Code == code {
			return s.Name, true
		}
	}
	return "", false
}

// SubdivisionCode validates a US state or Canadian province code for
// country (an upper-case ISO code), case-insensitively, and returns it upper
// case. A full name ("Quebec") is refused with its code as the hint. Any
// other country has no table: ErrUnsupported.
func SubdivisionCode(country, s string) (string, error) {
	in := strings.TrimSpace(s)
	what := "state"
	if country == "CA" {
		what = "province"
	}
	if !HasSubdivisions(country) {
		return "", newErr(ErrUnsupported, "state", in, "a state or province is taken only for US and CA addresses, not %s", country)
	}
	code := strings.ToUpper(in)
	if _, ok := SubdivisionName(country, code); ok {
		return code, nil
	}
	for _, sd := range Subdivisions(country) {
		if strings.EqualFold(sd.Name, in) {
			return "", newErr(ErrFormat, what, in, "use the code %s for %s", sd.Code, sd.Name)
		}
	}
	codes := make([]string, 0, 50)
	for _, sd := range Subdivisions(country) {
		codes = append(codes, sd.Code)
	}
	sort.Strings(codes)
	return "", newErr(ErrUnsupported, what, in, "not a %s %s code; want one of %s", country, what, strings.Join(codes, ", "))
}

// PurchaseLocation validates the 2024 edition's purchase_location: an ISO
// 3166-1 alpha-2 country code, with the state or province for the US and
// Canada written as US-CA or CA-QC (required there; refused elsewhere, as
// we have no table to check it against). It returns it upper case.
func PurchaseLocation(s string) (string, error) {
	in := strings.TrimSpace(s)
	if in == "" {
		return "", newErr(ErrFormat, "purchase location", in, "must not be empty; want a country code such as PT, or US-CA / CA-QC for the US and Canada")
	}
	cc, sub, hasSub := strings.Cut(in, "-")
	country, err := CountryCode(cc)
	if err != nil {
		return "", newErr(ErrFormat, "purchase location", in, "%s", reasonOf(err))
	}
	switch {
	case HasSubdivisions(country) && !hasSub:
		return "", newErr(ErrFormat, "purchase location", in, "a %s purchase location names the %s too, e.g. %s", country, map[string]string{"US": "state", "CA": "province"}[country], map[string]string{"US": "US-CA", "CA": "CA-QC"}[country])
	case !HasSubdivisions(country) && hasSub:
		return "", newErr(ErrUnsupported, "purchase location", in, "a subdivision is taken only for US and CA; give the country alone, %s", country)
	case !hasSub:
		return country, nil
	}
	code, err := SubdivisionCode(country, sub)
	if err != nil {
		return "", newErr(ErrUnsupported, "purchase location", in, "%s", reasonOf(err))
	}
	return country + "-" + code, nil
}

func reasonOf(err error) string {
	if e, ok := err.(*Error); ok {
		return e.Reason
	}
	return err.Error()
}
