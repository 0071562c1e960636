package connect

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
)

// The 2024 fields go out only in the 2024 edition; a v1 client refuses
// them rather than send fields the v1 API ignores.
func TestCreateOrderSubscriberByEdition(t *testing.T) {
	in := OrderInput{OperationType: OperationNewESIM, CountryCode: "US",
		Subscriptions: []OrderSubscription{{ProductID: "P1"}},
		Subscriber: &OrderSubscriber{FirstName: "Ana", LastName: "Silva", Email: "a@example.com",
			Address: &OrderAddress{Line1: "1 Main St", City: "Austin", PostalCode: "78701", State: "TX", Country: "US"}},
		PurchaseLocation: "US-TX"}
	var body string
	srv, _ := newScripted(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		body = string(b)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(201)
		io.WriteString(w, `{"id":"o1","status":"ACCEPTED"}`)
	})
	c, _, _ := newTestClient(t, srv, func(o *Options) { o.Edition = Edition2024 })
	if _, err := c.CreateOrder(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{`"subscriber":{"first_name":"Ana","last_name":"Silva","email":"a@example.com","address":{"line1":"1 Main St","city":"Austin","postal_code":"78701","state":"TX","country":"US"}}`,
		`"purchase_location":"US-TX"`} {
		if !strings.Contains(body, w) {
			t.Errorf("2024 body %s lacks %s", body, w)
		}
	}

	v1, _, _ := newTestClient(t, srv)
	body = ""
	if _, err := v1.CreateOrder(context.Background(), in); err == nil || !strings.Contains(err.Error(), "2024") || body != "" {
		t.Errorf("v1 with a subscriber: %v, sent %q", err, body)
	}

	// Read back: the order carries them.
	var o Order
	if err := o.UnmarshalJSON([]byte(`{"id":"o1","status":"COMPLETED","subscriber":{"id":"s1"},"purchase_location":"CA-QC"}`)); err != nil ||
		o.Subscriber == nil || o.Subscriber.ID != "s1" || o.PurchaseLocation != "CA-QC" {
		t.Errorf("order read: %+v %v", o, err)
	}
}
