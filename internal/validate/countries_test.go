package validate

import (
	"sort"
	"strings"
	"testing"
)

func TestCountryTable(t *testing.T) {
	if n := len(countries.Get()); n != 249 {
		t.Fatalf("%d countries.Get(), want the 249 officially assigned ISO 3166-1 codes", n)
	}
	if n := len(alpha3.Get()); n != 249 {
		t.Fatalf("%d alpha-3 codes, want 249", n)
	}
	for cc, name := range countries.Get() {
		if len(cc) != 2 || strings.ToUpper(cc) != cc || !isASCIILetters(cc) || name == "" {
			t.Errorf("bad entry %q: %q", cc, name)
		}
		if _, hinted := countryHints[cc]; hinted {
			t.Errorf("%s is assigned but also has a rejection hint", cc)
		}
	}
	for a3, a2 := range alpha3.Get() {
		if _, ok := countries.Get()[a2]; !ok || len(a3) != 3 {
			t.Errorf("alpha3.Get() %q -> %q not an assigned code", a3, a2)
		}
	}
	codes := CountryCodes()
	if len(codes) != 249 || !sort.StringsAreSorted(codes) {
		t.Errorf("CountryCodes() = %d codes, sorted %v", len(codes), sort.StringsAreSorted(codes))
	}
}

func TestCountryCode(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		kind    error
		wantMsg string
	}{
		{"PT", "PT", nil, ""}, // seed order countryCode
		{"pt", "PT", nil, ""},
		{" gb ", "GB", nil, ""},
		{"US", "US", nil, ""},
		{"Gb", "GB", nil, ""},
		{"SS", "SS", nil, ""}, // South Sudan (2011)
		{"BQ", "BQ", nil, ""},
		{"CW", "CW", nil, ""},
		{"SX", "SX", nil, ""},
		{"AQ", "AQ", nil, ""},
		{"TW", "TW", nil, ""},
		{"PS", "PS", nil, ""},
		{"UK", "", ErrUnsupported, `country code "UK": not an ISO 3166-1 code, use GB for the United Kingdom`},
		{"uk", "", ErrUnsupported, `country code "uk": not an ISO 3166-1 code, use GB for the United Kingdom`},
		{"EU", "", ErrUnsupported, ""},
		{"EL", "", ErrUnsupported, ""},
		{"AN", "", ErrUnsupported, ""},
		{"YU", "", ErrUnsupported, ""},
		{"XK", "", ErrUnsupported, ""},
		{"ZZ", "", ErrUnsupported, `country code "ZZ": not an assigned ISO 3166-1 alpha-2 code (e.g. PT, GB, US)`},
		{"AA", "", ErrUnsupported, ""},
		{"GBR", "", ErrFormat, `country code "GBR": expected the ISO 3166-1 alpha-2 code, use GB (United Kingdom)`},
		{"prt", "", ErrFormat, ""},
		{"ALL", "", ErrFormat, ""}, // activeCountries' wildcard is not a country
		{"", "", ErrFormat, ""},
		{"P", "", ErrFormat, ""},
		{"P1", "", ErrFormat, ""},
		{"Portugal", "", ErrFormat, ""},
		{"ÅL", "", ErrFormat, ""},
	}
	for _, tt := range tests {
		got, err := CountryCode(tt.in)
		if got != tt.want {
			t.Errorf("CountryCode(%q) = %q, want %q", tt.in, got, tt.want)
		}
		checkKind(t, err, tt.kind)
		if tt.wantMsg != "" && (err == nil || err.Error() != tt.wantMsg) {
			t.Errorf("CountryCode(%q) error = %v, want %q", tt.in, err, tt.wantMsg)
		}
	}
}

func TestIsCountryAndName(t *testing.T) {
	if !IsCountry("GB") || IsCountry("gb") || IsCountry("UK") || IsCountry("") {
		t.Error("IsCountry wrong")
	}
	for cc, want := range map[string]string{"GB": "United Kingdom", "pt": "Portugal", "US": "United States", "UK": "", "": ""} {
		if got := CountryName(cc); got != want {
			t.Errorf("CountryName(%q) = %q, want %q", cc, got, want)
		}
	}
	// Every footprint country of the seed product is valid.
	for _, cc := range []string{"US", "GB", "PT"} {
		if !IsCountry(cc) {
			t.Errorf("IsCountry(%q) = false", cc)
		}
	}
}
