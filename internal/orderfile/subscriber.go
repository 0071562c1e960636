package orderfile

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/connectctl/connectctl/internal/connect"
	"github.com/connectctl/connectctl/internal/validate"
)

// SubscriberColumns are the 2024 edition's order fields, as columns and as
// `order new` flags: the subscriber's id and address, and the purchase
// location. The subscriber's names and e-mail are the first-name,
// last-name and email columns.
var SubscriberColumns = []string{"subscriber-id", "address-line1", "address-line2", "city", "postal-code",
	"state", "address-country", "purchase-location"}

// Problem is a bad or missing value of one field (a column, a flag name).
type Problem struct {
	Field string
	Msg   string
}

// NeedsEdition is what a 2024 field given in v1 is told.
const NeedsEdition = "needs --api-edition 2024: the v1 API has no subscriber address or purchase location"

// Subscriber checks the 2024 edition's fields and builds the order's
// subscriber and purchase location. vals maps a column of
// SubscriberColumns, and first-name, last-name and email (already checked),
// to its trimmed value, "" for none. In the v1 edition every 2024 field
// given is refused. In 2024 a subscriber without id needs first and last
// name, e-mail and address (the document's "cannot be null when field [id]
// is equal to [null]"); the state is required and checked against the
// document's tables for US and CA addresses and refused for others; the
// purchase location is required ("must not be empty").
func Subscriber(vals map[string]string, edition string) (*connect.OrderSubscriber, string, []Problem) {
	var probs []Problem
	fail := func(field, format string, args ...any) {
		probs = append(probs, Problem{Field: field, Msg: fmt.Sprintf(format, args...)})
	}
	if edition != connect.Edition2024 {
		for _, col := range SubscriberColumns {
			if vals[col] != "" {
				fail(col, "%s", NeedsEdition)
			}
		}
		return nil, "", probs
	}
	for _, col := range []string{"address-line1", "address-line2", "city", "postal-code"} {
		v := vals[col]
		switch {
		case strings.ContainsFunc(v, unicode.IsControl):
			fail(col, "%s: contains control characters", quote(v))
		case len(v) > maxText:
			fail(col, "%s: is %d bytes long, at most %d allowed", quote(v), len(v), maxText)
		}
	}
	id := vals["subscriber-id"]
	if hasSpaceOrControl(id) {
		fail("subscriber-id", "%s: contains white space or control characters, want the subscriber's id", quote(id))
	}

	var addr *connect.OrderAddress
	given := false
	for _, col := range []string{"address-line1", "address-line2", "city", "postal-code", "state", "address-country"} {
		given = given || vals[col] != ""
	}
	if given || id == "" {
		why := "a subscriber's address needs it"
		if !given {
			why = "without --subscriber-id the 2024 edition needs the subscriber's address"
		}
		for _, col := range []string{"address-line1", "city", "postal-code", "address-country"} {
			if vals[col] == "" {
				fail(col, "is required: %s (address-line1, city, postal-code, address-country; state for US and CA)", why)
			}
		}
		country := ""
		if v := vals["address-country"]; v != "" {
			c, err := validate.CountryCode(v)
			if err != nil {
				fail("address-country", "%s: %s", quote(v), reasonOf(err))
			}
			country = c
		}
		state := vals["state"]
		switch {
		case country == "":
		case validate.HasSubdivisions(country) && state == "":
			fail("state", "is required for a %s address: the %s code, e.g. %s", country,
				map[string]string{"US": "state", "CA": "province"}[country], map[string]string{"US": "CA or NY", "CA": "QC or ON"}[country])
		case state != "":
			s, err := validate.SubdivisionCode(country, state)
			if err != nil {
				fail("state", "%s: %s", quote(state), reasonOf(err))
			}
			state = s
		}
		addr = &connect.OrderAddress{Line1: vals["address-line1"], Line2: vals["address-line2"], City: vals["city"],
			PostalCode: vals["postal-code"], State: state, Country: country}
	}
	if id == "" {
		for _, col := range []string{"first-name", "last-name", "email"} {
			if vals[col] == "" {
				fail(col, "is required: without --subscriber-id the 2024 edition needs the subscriber's first and last name, e-mail and address")
			}
		}
	}

	loc := vals["purchase-location"]
	if loc == "" {
		fail("purchase-location", "is required in the 2024 edition: the country of purchase, e.g. PT, or with the state or province for the US and Canada, e.g. US-CA, CA-QC")
	} else if l, err := validate.PurchaseLocation(loc); err != nil {
		fail("purchase-location", "%s: %s", quote(loc), reasonOf(err))
	} else {
		loc = l
	}
	if len(probs) > 0 {
		return nil, "", probs
	}
	return &connect.OrderSubscriber{ID: id, FirstName: vals["first-name"], LastName: vals["last-name"],
		Email: vals["email"], Address: addr}, loc, nil
}
