package orderfile

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/connectctl/connectctl/internal/connect"
	"github.com/connectctl/connectctl/internal/validate"
)

// maxText bounds the free-text fields (names, device make and model): the
// API takes short text, and a longer cell is a pasting accident.
const maxText = 200

// productExample is the hint every bad product id gets, as `order new` says it.
const productExample = "want a product id such as qJ+qU2v/9vFgX3rpyPlEV1CihTo96AWUmsQTIZEn/jI= (see `connectctl products list`)"

// checker gathers a row's problems, so one pass reports all of them.
type checker struct {
	row, defaults Row
	errs          []RowError
}

func (c *checker) fail(field, msg string) {
	c.errs = append(c.errs, RowError{Row: c.row.Number, Line: c.row.Line, Field: field, Msg: msg})
}

// bad reports a bad value, quoted and cut short; one taken from the defaults
// says so, as it will be wrong on every row.
func (c *checker) bad(field, value string, fromDefault bool, reason string) {
	src := ""
	if fromDefault {
		src = " (default)"
	}
	c.fail(field, quote(value)+src+": "+reason)
}

// badErr reports a validate error by its reason alone: the field name and
// value come first already.
func (c *checker) badErr(field, value string, fromDefault bool, err error) {
	reason := err.Error()
	var ve *validate.Error
	if errors.As(err, &ve) {
		reason = ve.Reason
	}
	c.bad(field, value, fromDefault, reason)
}

// get returns a column's value, the row's or else the default's, trimmed.
// Text that is not UTF-8 (a spreadsheet saved as Latin-1) is reported here
// and the value taken as absent, so no other message repeats it.
func (c *checker) get(col string) (v string, fromDefault, ok bool) {
	v = strings.TrimSpace(c.row.Fields[col])
	if v == "" {
		v, fromDefault = strings.TrimSpace(c.defaults.Fields[col]), true
	}
	if v == "" {
		return "", false, false
	}
	if !utf8.ValidString(v) {
		c.bad(col, v, fromDefault, "not valid UTF-8: save the file as UTF-8")
		return "", fromDefault, false
	}
	return v, fromDefault, true
}

// present reports whether a column has any value, valid UTF-8 or not, so a
// column reported as not UTF-8 is not also reported as missing.
func (c *checker) present(col string) bool {
	return strings.TrimSpace(c.row.Fields[col]) != "" || strings.TrimSpace(c.defaults.Fields[col]) != ""
}

func hasSpaceOrControl(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) })
}

// required reports a missing required column.
func (c *checker) required(col, what string) {
	if !c.present(col) {
		c.fail(col, "is required: "+what)
	}
}

// Check validates one row and builds the API's order input (OperationType
// NEW_ESIM), with the rules and messages of `order new`. defaults fills cells
// the row leaves empty (the command's own flags given with --from-file, then
// the profile's defaults.country/defaults.device-type; products from defaults
// only when the row has none). now is for the activation date.
// ignoreChecksum allows an EID whose check digits are wrong (as
// --ignore-checksum does). Device.ID is left "" when neither row nor defaults
// has one: the caller assigns one. It returns every problem of the row, not
// just the first, and a zero OrderInput when there is any.
func Check(row Row, defaults Row, now time.Time, ignoreChecksum bool) (connect.OrderInput, []RowError) {
	return CheckFor(row, defaults, now, ignoreChecksum, connect.EditionV1)
}

// CheckFor is Check for an API edition: in 2024 a row carries the
// subscriber and purchase location (see Subscriber); in v1 their columns
// must be empty.
func CheckFor(row Row, defaults Row, now time.Time, ignoreChecksum bool, edition string) (connect.OrderInput, []RowError) {
	c := &checker{row: row, defaults: defaults}
	ids := c.products()

	var err error
	email, emailDefault, ok := c.get("email")
	if ok {
		if email, err = validate.NormalizeEmail(email); err != nil {
			c.badErr("email", c.raw("email"), emailDefault, err)
		}
	}
	c.required("email", "the end customer's e-mail address")

	country, countryDefault, ok := c.get("country")
	if ok {
		if country, err = validate.CountryCode(country); err != nil {
			c.badErr("country", c.raw("country"), countryDefault, err)
		}
	}
	c.required("country", "the ISO 3166-1 alpha-2 code of the country the order is placed in, e.g. PT "+
		"(or give --country, or set a default: connectctl profile set defaults.country PT)")

	deviceType, typeDefault, ok := c.get("device-type")
	if ok {
		if deviceType, err = validate.DeviceType(deviceType); err != nil {
			c.badErr("device-type", c.raw("device-type"), typeDefault, err)
		}
	}
	c.required("device-type", "ios, android or iot "+
		"(or give --device-type, or set a default: connectctl profile set defaults.device-type ios)")

	deviceID, idDefault, ok := c.get("device-id")
	if ok && hasSpaceOrControl(deviceID) {
		c.bad("device-id", deviceID, idDefault, "contains white space or control characters, want a unique device id such as a UUID")
	}

	texts := map[string]string{}
	for _, col := range []string{"device-model", "device-make", "first-name", "last-name"} {
		v, def, ok := c.get(col)
		switch {
		case !ok:
		case strings.ContainsFunc(v, unicode.IsControl):
			c.bad(col, v, def, "contains control characters")
		case len(v) > maxText:
			c.bad(col, v, def, fmt.Sprintf("is %d bytes long, at most %d allowed", len(v), maxText))
		default:
			texts[col] = v
		}
	}

	eid, eidDefault, ok := c.get("eid")
	if ok {
		// A wrong EID binds the profile to the wrong device: refuse it
		// unless told it is right.
		var err error
		eid, err = validate.EID(eid)
		switch {
		case err == nil:
		case errors.Is(err, validate.ErrChecksum) && ignoreChecksum:
		case errors.Is(err, validate.ErrChecksum):
			c.badErr("eid", c.raw("eid"), eidDefault, fmt.Errorf("%s; if it is right, add --ignore-checksum", reasonOf(err)))
		default:
			c.badErr("eid", c.raw("eid"), eidDefault, err)
		}
	}

	residence, resDefault, ok := c.get("residence")
	if ok {
		if residence, err = validate.CountryCode(residence); err != nil {
			c.badErr("residence", c.raw("residence"), resDefault, err)
		}
	}

	terms := c.terms(now)

	vals := map[string]string{"first-name": texts["first-name"], "last-name": texts["last-name"]}
	if c.present("email") {
		vals["email"] = email
	}
	for _, col := range SubscriberColumns {
		if v, _, ok := c.get(col); ok {
			vals[col] = v
		}
	}
	subscriber, location, probs := Subscriber(vals, edition)
	for _, p := range probs {
		if p.Field == "email" && !c.present("email") {
			continue // reported above as required
		}
		c.fail(p.Field, p.Msg)
	}

	if len(c.errs) > 0 {
		return connect.OrderInput{}, c.errs
	}
	return connect.OrderInput{
		OperationType: connect.OperationNewESIM,
		CountryCode:   country,
		Customer: &connect.OrderCustomer{Email: email, FirstName: texts["first-name"], LastName: texts["last-name"],
			CountryOfResidence: residence},
		Device: &connect.OrderDevice{ID: deviceID, Type: deviceType, Model: texts["device-model"],
			Make: texts["device-make"], EID: eid},
		Subscriptions:    subscriptions(ids, terms),
		Subscriber:       subscriber,
		PurchaseLocation: location,
	}, nil
}

// CheckTopUp validates one row of a top-up file and builds the API's order
// input (OperationType TOPUP): the ICCID (a wrong Luhn check digit is a
// problem unless ignoreChecksum, as for `order topup`), then the products
// and plan columns as Check reads them, defaults included.
func CheckTopUp(row Row, defaults Row, now time.Time, ignoreChecksum bool) (connect.OrderInput, []RowError) {
	c := &checker{row: row, defaults: defaults}
	iccid, iccidDefault, ok := c.get("iccid")
	if ok {
		var err error
		iccid, err = validate.ICCID(iccid)
		switch {
		case err == nil:
		case errors.Is(err, validate.ErrChecksum) && ignoreChecksum:
		case errors.Is(err, validate.ErrChecksum):
			// Topping up the wrong SIM charges for plans nobody gets.
			c.badErr("iccid", c.raw("iccid"), iccidDefault, fmt.Errorf("%s; if it is right, add --ignore-checksum", reasonOf(err)))
		default:
			c.badErr("iccid", c.raw("iccid"), iccidDefault, err)
		}
	}
	c.required("iccid", "the ICCID of the eSIM to top up (see `connectctl sim list`)")
	ids := c.products()
	terms := c.terms(now)
	if len(c.errs) > 0 {
		return connect.OrderInput{}, c.errs
	}
	return connect.OrderInput{
		OperationType: connect.OperationTopUp,
		ESIM:          &connect.OrderESIM{ICCID: iccid},
		Subscriptions: subscriptions(ids, terms),
	}, nil
}

// products checks the product ids: the row's, else the defaults'.
func (c *checker) products() []string {
	products, fromDefault := c.row.Products, false
	if len(products) == 0 {
		products, fromDefault = c.defaults.Products, true
	}
	ids := make([]string, 0, len(products))
	for _, p := range products {
		id := strings.TrimSpace(p)
		switch {
		case id == "" || hasSpaceOrControl(id):
			c.bad("product", p, fromDefault, productExample)
		case !utf8.ValidString(id):
			c.bad("product", p, fromDefault, "not valid UTF-8: save the file as UTF-8")
		default:
			ids = append(ids, id)
		}
	}
	if len(products) == 0 {
		c.fail("product", "is required: give at least one product id (see `connectctl products list`)")
	}
	return ids
}

// terms checks what every plan of the row shares: activation date, price
// and currency. The product id is left to fill.
func (c *checker) terms(now time.Time) connect.OrderSubscription {
	var err error
	var activation time.Time
	if v, def, ok := c.get("activation-date"); ok {
		if activation, err = validate.ActivationDate(v, now); err != nil {
			c.badErr("activation-date", v, def, err)
		}
	}

	// As PlanOptions.validate: both or neither, converted exactly to the
	// v1 major-unit form and the canonical currency code.
	var price json.Number
	var currency string
	p, priceDefault, hasPrice := c.get("price")
	cur, curDefault, hasCur := c.get("currency")
	switch {
	case !c.present("price") && c.present("currency"):
		c.fail("price", "is required with a currency: price and currency go together (e.g. 10.99 and EUR), give both or neither")
	case c.present("price") && !c.present("currency"):
		c.fail("currency", "is required with a price: price and currency go together (e.g. 10.99 and EUR), give both or neither")
	case hasPrice && hasCur:
		amount, err := validate.ParseAmount(p, cur)
		var ve *validate.Error
		if errors.As(err, &ve) && ve.What == "currency" {
			c.badErr("currency", cur, curDefault, err)
		} else if err != nil {
			c.badErr("price", p, priceDefault, err)
		} else {
			price, currency = amount.Major(), amount.Currency
		}
	}

	return connect.OrderSubscription{ActivationDate: activation, Price: price, Currency: currency}
}

// subscriptions are one plan per product id, on the row's terms.
func subscriptions(ids []string, terms connect.OrderSubscription) []connect.OrderSubscription {
	subs := make([]connect.OrderSubscription, 0, len(ids))
	for _, id := range ids {
		sub := terms
		sub.ProductID = id
		subs = append(subs, sub)
	}
	return subs
}

// raw is a column's value as given (row or default, trimmed), for messages:
// validators may return "" alongside their error.
func (c *checker) raw(col string) string {
	if v := strings.TrimSpace(c.row.Fields[col]); v != "" {
		return v
	}
	return strings.TrimSpace(c.defaults.Fields[col])
}

func reasonOf(err error) string {
	var ve *validate.Error
	if errors.As(err, &ve) {
		return ve.Reason
	}
	return err.Error()
}
