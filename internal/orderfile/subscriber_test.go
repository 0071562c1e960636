package orderfile

import (
	"reflect"
	"strings"
	"testing"

	"github.com/connectctl/connectctl/internal/connect"
)

// The 2024 columns (issue 12 item 5): read from the header under their
// names and aliases, checked per edition, and put on the order input.
func TestSubscriberColumns(t *testing.T) {
	csv := "product,email,country,device_type,first_name,last_name,address_line1,address_line2,city,postal_code,province,address_country,purchase_location\n" +
		"P1,ana@example.com,CA,ios,Ana,Silva,1 rue,app 2,Montréal,H2X 1Y4,qc,ca,ca-qc\n" +
		"P1,bo@example.com,US,ios,Bo,Li,1 Main St,,Austin,78701,XX,US,US-TX\n"
	rows, bad, err := Read(strings.NewReader(csv))
	if err != nil || len(bad) > 0 || len(rows) != 2 {
		t.Fatalf("Read: %v %v %d rows", err, bad, len(rows))
	}
	in, errs := CheckFor(rows[0], Row{}, now, false, connect.Edition2024)
	if errs != nil {
		t.Fatalf("row 1: %v", errs)
	}
	want := &connect.OrderSubscriber{FirstName: "Ana", LastName: "Silva", Email: "ana@example.com",
		Address: &connect.OrderAddress{Line1: "1 rue", Line2: "app 2", City: "Montréal", PostalCode: "H2X 1Y4", State: "QC", Country: "CA"}}
	if !reflect.DeepEqual(in.Subscriber, want) || in.PurchaseLocation != "CA-QC" {
		t.Errorf("row 1: %+v %+v %q", in.Subscriber, in.Subscriber.Address, in.PurchaseLocation)
	}
	if _, errs := CheckFor(rows[1], Row{}, now, false, connect.Edition2024); len(errs) != 1 ||
		errs[0].Field != "state" || errs[0].Line != 3 || !strings.Contains(errs[0].Error(), "not a US state code") {
		t.Errorf("row 2: %v", errs)
	}

	// v1: the same columns are refused, each by name.
	_, errs = Check(rows[0], Row{}, now, false)
	var got []string
	for _, e := range errs {
		if !strings.Contains(e.Msg, "needs --api-edition 2024") {
			t.Errorf("v1: %v", e)
		}
		got = append(got, e.Field)
	}
	if w := []string{"address-line1", "address-line2", "city", "postal-code", "state", "address-country", "purchase-location"}; !reflect.DeepEqual(got, w) {
		t.Errorf("v1 refused %v, want %v", got, w)
	}

	// 2024 without them: the subscriber's address and the purchase location
	// are required; defaults (the flags) fill them in.
	base := baseRow()
	_, errs = CheckFor(base, Row{}, now, false, connect.Edition2024)
	fieldsOf := map[string]bool{}
	for _, e := range errs {
		fieldsOf[e.Field] = true
	}
	for _, f := range []string{"first-name", "last-name", "address-line1", "city", "postal-code", "address-country", "purchase-location"} {
		if !fieldsOf[f] {
			t.Errorf("2024 row without subscriber: %s not reported (%v)", f, errs)
		}
	}
	defaults := Row{Fields: fields("subscriber-id", "sub-9", "purchase-location", "PT")}
	in, errs = CheckFor(base, defaults, now, false, connect.Edition2024)
	if errs != nil || in.Subscriber.ID != "sub-9" || in.Subscriber.Address != nil || in.PurchaseLocation != "PT" {
		t.Errorf("defaults: %v %+v %q", errs, in.Subscriber, in.PurchaseLocation)
	}
}
