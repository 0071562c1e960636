package validate

import (
	"errors"
	"strings"
	"testing"
)

// The "States & Province" tables of the 2024 edition document, copied as
// written ("Name Code" lines), so the code tables are checked against them
// entry by entry, in order.
const (
	docCanada = `
Alberta AB
British Columbia BC
Manitoba MB
New Brunswick NB
Newfoundland and Labrador NL
Northwest Territories NT
Nova Scotia NS
Nunavut NU
Ontario ON
Prince Edward Island PE
Quebec QC
Saskatchewan SK
Yukon YT
`
	docUnitedStates = `
Alabama AL
Alaska AK
Arizona AZ
Arkansas AR
California CA
Colorado CO
Connecticut CT
Delaware DE
Florida FL
Georgia GA
Hawaii HI
Idaho ID
Illinois IL
Indiana IN
Iowa IA
Kansas KS
Kentucky KY
Louisiana LA
Maine ME
Maryland MD
Massachusetts MA
Michigan MI
Minnesota MN
Mississippi MS
Missouri MO
Montana MT
Nebraska NE
Nevada NV
New Hampshire NH
New Jersey NJ
New Mexico NM
New York NY
North Carolina NC
North Dakota ND
Ohio OH
Oklahoma OK
Oregon OR
Pennsylvania PA
Rhode Island RI
South Carolina SC
South Dakota SD
Tennessee TN
Texas TX
Utah UT
Vermont VT
Virginia VA
Washington WA
West Virginia WV
Wisconsin WI
Wyoming WY
`
)

func parseDocTable(t *testing.T, doc string) []Subdivision {
	t.Helper()
	var out []Subdivision
	for _, line := range strings.Split(strings.TrimSpace(doc), "\n") {
		i := strings.LastIndexByte(line, ' ')
		out = append(out, Subdivision{Code: line[i+1:], Name: line[:i]})
	}
	return out
}

func TestSubdivisionTablesAreTheDocuments(t *testing.T) {
	for _, tt := range []struct {
		country string
		doc     string
		n       int
	}{
		{"CA", docCanada, 13},
		{"US", docUnitedStates, 50},
	} {
		want := parseDocTable(t, tt.doc)
		got := Subdivisions(tt.country)
		if len(want) != tt.n || len(got) != tt.n {
			t.Fatalf("%s: document lists %d, table has %d, want %d", tt.country, len(want), len(got), tt.n)
		}
		for i, w := range want {
			if got[i] != w {
				t.Errorf("%s entry %d: %+v, document says %+v", tt.country, i, got[i], w)
			}
			// Every code is accepted, in any case, and named.
			for _, in := range []string{w.Code, strings.ToLower(w.Code), " " + w.Code + " "} {
				if c, err := SubdivisionCode(tt.country, in); err != nil || c != w.Code {
					t.Errorf("SubdivisionCode(%s, %q) = %q, %v", tt.country, in, c, err)
				}
			}
			if name, ok := SubdivisionName(tt.country, w.Code); !ok || name != w.Name {
				t.Errorf("SubdivisionName(%s, %s) = %q, %v", tt.country, w.Code, name, ok)
			}
			if loc, err := PurchaseLocation(strings.ToLower(tt.country + "-" + w.Code)); err != nil || loc != tt.country+"-"+w.Code {
				t.Errorf("PurchaseLocation(%s-%s) = %q, %v", tt.country, w.Code, loc, err)
			}
		}
	}
}

func TestSubdivisionCodeRefusals(t *testing.T) {
	for _, tt := range []struct {
		country, in string
		kind        error
		reason      string
	}{
		{"US", "XX", ErrUnsupported, "not a US state code"},
		{"US", "DC", ErrUnsupported, "not a US state code"}, // the document lists no DC
		{"US", "QC", ErrUnsupported, "not a US state code"},
		{"CA", "CA", ErrUnsupported, "not a CA province code"},
		{"CA", "Quebec", ErrFormat, "use the code QC for Quebec"},
		{"US", "new york", ErrFormat, "use the code NY for New York"},
		{"PT", "LI", ErrUnsupported, "only for US and CA"},
	} {
		_, err := SubdivisionCode(tt.country, tt.in)
		if !errors.Is(err, tt.kind) || err == nil || !strings.Contains(err.Error(), tt.reason) {
			t.Errorf("SubdivisionCode(%s, %q) = %v, want %v with %q", tt.country, tt.in, err, tt.kind, tt.reason)
		}
	}
}

func TestPurchaseLocation(t *testing.T) {
	for _, tt := range []struct {
		in, want, reason string
	}{
		{in: "pt", want: "PT"},
		{in: " US-ca ", want: "US-CA"},
		{in: "CA-QC", want: "CA-QC"},
		{in: "", reason: "must not be empty"},
		{in: "US", reason: "names the state too, e.g. US-CA"},
		{in: "CA", reason: "names the province too, e.g. CA-QC"},
		{in: "US-XX", reason: "not a US state code"},
		{in: "CA-NY", reason: "not a CA province code"},
		{in: "PT-11", reason: "only for US and CA"},
		{in: "UK", reason: "use GB"},
		{in: "USA-CA", reason: "use US"},
	} {
		got, err := PurchaseLocation(tt.in)
		if tt.reason == "" {
			if err != nil || got != tt.want {
				t.Errorf("PurchaseLocation(%q) = %q, %v, want %q", tt.in, got, err, tt.want)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.reason) {
			t.Errorf("PurchaseLocation(%q) = %q, %v, want an error with %q", tt.in, got, err, tt.reason)
		}
	}
}
