package orderfile

import (
	"encoding/json"
	"maps"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/connectctl/connectctl/internal/connect"
)

var now = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

const (
	goodEID = "89049032004008882600019002594762"
	badEID  = "89049032004008882600019002594763" // check digits 63, want 62
)

func baseRow() Row {
	return Row{Number: 4, Line: 9, Products: []string{"P1"}, Fields: fields(
		"email", "ana@example.com", "country", "pt", "device-type", "IOS")}
}

func TestCheckFull(t *testing.T) {
	row := Row{Number: 1, Line: 2, Products: []string{"qJ+qU2v/9vFgX3rpyPlEV1CihTo96AWUmsQTIZEn/jI=", "a-b_c*="}, Fields: fields(
		"email", "ana@example.com", "country", "pt", "device-type", "Android", "device-id", "dev-1",
		"device-model", "Pixel 9", "device-make", "Google", "eid", goodEID, "first-name", "Ana", "last-name", "Silva",
		"residence", "gb", "activation-date", "2025-07-01T00:00:00Z", "price", "10.50", "currency", "eur")}
	in, errs := Check(row, Row{}, now, false)
	if errs != nil {
		t.Fatalf("errs = %v", errs)
	}
	act := time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)
	want := connect.OrderInput{
		OperationType: connect.OperationNewESIM,
		CountryCode:   "PT",
		Customer:      &connect.OrderCustomer{Email: "ana@example.com", FirstName: "Ana", LastName: "Silva", CountryOfResidence: "GB"},
		Device:        &connect.OrderDevice{ID: "dev-1", Type: "android", Model: "Pixel 9", Make: "Google", EID: goodEID},
		Subscriptions: []connect.OrderSubscription{
			{ProductID: "qJ+qU2v/9vFgX3rpyPlEV1CihTo96AWUmsQTIZEn/jI=", ActivationDate: act, Price: "10.5", Currency: "EUR"},
			{ProductID: "a-b_c*=", ActivationDate: act, Price: "10.5", Currency: "EUR"},
		},
	}
	if !reflect.DeepEqual(in, want) {
		t.Errorf("input:\n got %+v\nwant %+v", in, want)
	}
}

func TestCheckMinimal(t *testing.T) {
	in, errs := Check(baseRow(), Row{}, now, false)
	if errs != nil {
		t.Fatalf("errs = %v", errs)
	}
	if in.Device.ID != "" || in.Subscriptions[0].Price != "" || !in.Subscriptions[0].ActivationDate.IsZero() ||
		in.CountryCode != "PT" || in.Device.Type != "ios" {
		t.Errorf("input = %+v %+v %+v", in, in.Device, in.Subscriptions)
	}
	b, _ := json.Marshal(in)
	if strings.Contains(string(b), "price") || strings.Contains(string(b), "activationDate") {
		t.Errorf("JSON %s sends an absent price or date", b)
	}
}

// TestCheckRules changes one cell of a good row and expects one error.
func TestCheckRules(t *testing.T) {
	long := strings.Repeat("é", 101) // 202 bytes
	tests := []struct {
		name  string
		set   map[string]string // "" deletes
		prods []string          // replaces the products when non-nil
		field string
		msg   string // "" means accepted
		check func(t *testing.T, in connect.OrderInput)
	}{
		{name: "no product", prods: []string{}, field: "product", msg: "is required: give at least one product id"},
		{name: "product with a control char", prods: []string{"P1\x00x"}, field: "product", msg: `"P1\x00x": want a product id such as`},
		{name: "product not UTF-8", prods: []string{"P\xff"}, field: "product", msg: "not valid UTF-8"},
		{name: "no email", set: map[string]string{"email": ""}, field: "email", msg: "is required: the end customer's e-mail address"},
		{name: "bad email", set: map[string]string{"email": "ana@"}, field: "email", msg: `"ana@": expected one address like john@doe.com`},
		{name: "email trimmed", set: map[string]string{"email": " ana@example.com "},
			check: func(t *testing.T, in connect.OrderInput) { expect(t, in.Customer.Email, "ana@example.com") }},
		{name: "no country", set: map[string]string{"country": ""}, field: "country", msg: "is required: the ISO 3166-1 alpha-2 code"},
		{name: "UK", set: map[string]string{"country": "UK"}, field: "country", msg: `"UK": not an ISO 3166-1 code, use GB`},
		{name: "no device type", set: map[string]string{"device-type": ""}, field: "device-type", msg: "is required: ios, android or iot"},
		{name: "bad device type", set: map[string]string{"device-type": "phone"}, field: "device-type", msg: `"phone": expected ios, android or iot`},
		{name: "bad residence", set: map[string]string{"residence": "XX"}, field: "residence", msg: `"XX": not an assigned`},
		{name: "eid ok", set: map[string]string{"eid": goodEID},
			check: func(t *testing.T, in connect.OrderInput) { expect(t, in.Device.EID, goodEID) }},
		{name: "eid checksum", set: map[string]string{"eid": badEID}, field: "eid", msg: "check digits are 63, expected 62 (typo?); if it is right, add --ignore-checksum"},
		{name: "eid format", set: map[string]string{"eid": "8904"}, field: "eid", msg: `"8904": 4 digits, expected 32`},
		{name: "device id with a space", set: map[string]string{"device-id": "dev 1"}, field: "device-id", msg: `"dev 1": contains white space`},
		{name: "device id", set: map[string]string{"device-id": "6f0e0e8c-4d4b-4a52-9a3b-0d4a1f1f2e3c"},
			check: func(t *testing.T, in connect.OrderInput) {
				expect(t, in.Device.ID, "6f0e0e8c-4d4b-4a52-9a3b-0d4a1f1f2e3c")
			}},
		{name: "first name control char", set: map[string]string{"first-name": "A\x1bna"}, field: "first-name", msg: `"A\x1bna": contains control characters`},
		{name: "last name too long", set: map[string]string{"last-name": long}, field: "last-name", msg: "is 202 bytes long, at most 200"},
		{name: "make not UTF-8", set: map[string]string{"device-make": "Sams\xfcng"}, field: "device-make", msg: "not valid UTF-8: save the file as UTF-8"},
		{name: "model 200 bytes", set: map[string]string{"device-model": strings.Repeat("m", 200)},
			check: func(t *testing.T, in connect.OrderInput) { expect(t, len(in.Device.Model), 200) }},
		{name: "activation date in the past", set: map[string]string{"activation-date": "2025-05-01T00:00:00Z"}, field: "activation-date", msg: "is in the past"},
		{name: "activation date alone", set: map[string]string{"activation-date": "2025-07-01"}, field: "activation-date", msg: "a date alone is not enough"},
		{name: "price without currency", set: map[string]string{"price": "10"}, field: "currency", msg: "is required with a price: price and currency go together"},
		{name: "currency without price", set: map[string]string{"currency": "EUR"}, field: "price", msg: "is required with a currency"},
		{name: "USD 10.99", set: map[string]string{"price": "10.99", "currency": "usd"},
			check: func(t *testing.T, in connect.OrderInput) {
				expect(t, in.Subscriptions[0].Price, json.Number("10.99"))
				expect(t, in.Subscriptions[0].Currency, "USD")
			}},
		{name: "JPY 15.0 is 15", set: map[string]string{"price": "15.0", "currency": "JPY"},
			check: func(t *testing.T, in connect.OrderInput) { expect(t, in.Subscriptions[0].Price, json.Number("15")) }},
		{name: "JPY 10.5", set: map[string]string{"price": "10.5", "currency": "JPY"}, field: "price", msg: `"10.5": JPY has no minor unit, give a whole number`},
		{name: "BHD 12.345", set: map[string]string{"price": "12.345", "currency": "BHD"}, field: "price", msg: `"12.345": BHD takes at most 2 decimals`},
		{name: "price with a comma", set: map[string]string{"price": "10,99", "currency": "EUR"}, field: "price", msg: `use "." as the decimal separator`},
		{name: "JSON exponent", set: map[string]string{"price": "1e2", "currency": "EUR"}, field: "price", msg: "exponent notation is not allowed"},
		{name: "unsupported currency", set: map[string]string{"price": "10", "currency": "XYZ"}, field: "currency", msg: `"XYZ": XYZ is not one of the`},
		{name: "negative price", set: map[string]string{"price": "-1", "currency": "EUR"}, field: "price", msg: "must not be negative"},
		{name: "long value cut short", set: map[string]string{"email": strings.Repeat("a", 300)}, field: "email",
			msg: `"` + strings.Repeat("a", 64) + `"...: 300 characters`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			row := baseRow()
			for k, v := range tt.set {
				if v == "" {
					delete(row.Fields, k)
				} else {
					row.Fields[k] = v
				}
			}
			if tt.prods != nil {
				row.Products = tt.prods
			}
			in, errs := Check(row, Row{}, now, false)
			if tt.msg == "" {
				if errs != nil {
					t.Fatalf("errs = %v", errs)
				}
				tt.check(t, in)
				return
			}
			if len(errs) != 1 {
				t.Fatalf("errs = %v, want one", errs)
			}
			e := errs[0]
			if e.Row != 4 || e.Line != 9 || e.Field != tt.field || !strings.Contains(e.Msg, tt.msg) {
				t.Errorf("err = %+v, want field %q msg ~ %q", e, tt.field, tt.msg)
			}
			if !strings.HasPrefix(e.Error(), "line 9: "+tt.field+" ") {
				t.Errorf("Error() = %q", e.Error())
			}
			if !reflect.DeepEqual(in, connect.OrderInput{}) {
				t.Errorf("input %+v with errors", in)
			}
		})
	}
}

func expect[T comparable](t *testing.T, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestCheckEIDIgnoreChecksum(t *testing.T) {
	row := baseRow()
	row.Fields["eid"] = badEID
	in, errs := Check(row, Row{}, now, true)
	if errs != nil || in.Device.EID != badEID {
		t.Fatalf("errs %v, eid %q", errs, in.Device.EID)
	}
	row.Fields["eid"] = "1234" // a format error is never ignored
	if _, errs := Check(row, Row{}, now, true); len(errs) != 1 || errs[0].Field != "eid" {
		t.Fatalf("errs = %v", errs)
	}
}

func TestCheckEveryProblem(t *testing.T) {
	row := Row{Number: 2, Line: 3, Fields: fields("email", "x", "country", "UK", "eid", "1", "price", "1.5")}
	_, errs := Check(row, Row{}, now, false)
	var got []string
	for _, e := range errs {
		got = append(got, e.Field)
		if e.Row != 2 || e.Line != 3 {
			t.Errorf("err %+v: wrong row or line", e)
		}
	}
	want := []string{"product", "email", "country", "device-type", "eid", "currency"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("fields %v, want %v (%v)", got, want, errs)
	}
}

func TestCheckDefaults(t *testing.T) {
	defaults := Row{Products: []string{"D1", "D2"}, Fields: fields(
		"country", "es", "device-type", "iot", "currency", "EUR", "price", "5", "device-make", "Acme")}
	tests := []struct {
		name  string
		row   Row
		check func(t *testing.T, in connect.OrderInput)
	}{
		{
			name: "defaults fill empty cells and products",
			row:  Row{Number: 1, Line: 2, Fields: fields("email", "a@x.pt")},
			check: func(t *testing.T, in connect.OrderInput) {
				expect(t, in.CountryCode, "ES")
				expect(t, in.Device.Type, "iot")
				expect(t, in.Device.Make, "Acme")
				expect(t, len(in.Subscriptions), 2)
				expect(t, in.Subscriptions[1].ProductID, "D2")
				expect(t, in.Subscriptions[0].Price, json.Number("5"))
				expect(t, in.Subscriptions[0].Currency, "EUR")
			},
		},
		{
			name: "the row wins, products not merged",
			row: Row{Number: 1, Line: 2, Products: []string{"R1"}, Fields: fields(
				"email", "a@x.pt", "country", "PT", "device-type", "ios", "price", "7.25")},
			check: func(t *testing.T, in connect.OrderInput) {
				expect(t, in.CountryCode, "PT")
				expect(t, in.Device.Type, "ios")
				expect(t, len(in.Subscriptions), 1)
				expect(t, in.Subscriptions[0].ProductID, "R1")
				expect(t, in.Subscriptions[0].Price, json.Number("7.25"))
				expect(t, in.Subscriptions[0].Currency, "EUR")
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, errs := Check(tt.row, defaults, now, false)
			if errs != nil {
				t.Fatalf("errs = %v", errs)
			}
			tt.check(t, in)
		})
	}

	t.Run("a default price that does not fit the row's currency", func(t *testing.T) {
		d := Row{Products: defaults.Products, Fields: maps.Clone(defaults.Fields)}
		d.Fields["price"] = "5.5"
		_, errs := Check(Row{Number: 1, Line: 2, Fields: fields("email", "a@x.pt", "currency", "JPY")}, d, now, false)
		if len(errs) != 1 || errs[0].Field != "price" || !strings.Contains(errs[0].Msg, `"5.5" (default): JPY has no minor unit`) {
			t.Fatalf("errs = %v", errs)
		}
	})
	t.Run("a bad default is named as one", func(t *testing.T) {
		_, errs := Check(Row{Number: 1, Line: 2, Products: []string{"P"}, Fields: fields("email", "a@x.pt")},
			Row{Fields: fields("country", "UK", "device-type", "ios")}, now, false)
		if len(errs) != 1 || errs[0].Error() != `line 2: country "UK" (default): not an ISO 3166-1 code, use GB for the United Kingdom` {
			t.Fatalf("errs = %v", errs)
		}
	})
}

// TestReadThenCheck runs a whole file through both, as the command will.
func TestReadThenCheck(t *testing.T) {
	file := "product,email,country,device_type,price,currency\n" +
		"P1;P2,ana@example.com,PT,ios,10.99,USD\n" +
		"P3,ana@,PT,ios,,\n" +
		"P4,bo@example.com,PT,ios,10.5,JPY\n"
	rows, bad, err := Read(strings.NewReader(file))
	if err != nil || bad != nil || len(rows) != 3 {
		t.Fatalf("Read: %v %v %v", rows, bad, err)
	}
	var msgs []string
	for _, r := range rows {
		if _, errs := Check(r, Row{}, now, false); errs != nil {
			for _, e := range errs {
				msgs = append(msgs, e.Error())
			}
		}
	}
	want := []string{
		`line 3: email "ana@": expected one address like john@doe.com, without display name or <>`,
		`line 4: price "10.5": JPY has no minor unit, give a whole number`,
	}
	if !reflect.DeepEqual(msgs, want) {
		t.Errorf("messages:\n%s\nwant\n%s", strings.Join(msgs, "\n"), strings.Join(want, "\n"))
	}
}
