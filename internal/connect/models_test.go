package connect

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestTolerantSIM(t *testing.T) {
	for _, tc := range []struct{ name, in string }{
		{"snake and status", `{"iccid":"8944478600000205337","eid":"890","matching_id":"5C-IVCRP-QTQRML","status":"Installed","lpa_url":"LPA:1$rsp.truphone.com$5C-IVCRP-QTQRML","last_modified":"2024-05-01T10:00:00Z"}`},
		{"camel and profileStatus", `{"iccid":"8944478600000205337","eid":"890","matchingId":"5C-IVCRP-QTQRML","profileStatus":"installed","lpa_url":"LPA:1$%rsp.truphone.com$%5C-IVCRP-QTQRML","last_modified":"2024-05-01T10:00:00Z"}`},
		{"bare lpa", `{"iccid":"8944478600000205337","eid":"890","matchingId":"5C-IVCRP-QTQRML","status":"Installed","lpa_url":"1$rsp.truphone.com$5C-IVCRP-QTQRML","last_modified":"2024-05-01T10:00:00.000Z"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var s SIM
			if err := json.Unmarshal([]byte(tc.in), &s); err != nil {
				t.Fatal(err)
			}
			if s.MatchingID != "5C-IVCRP-QTQRML" || s.Status != ProfileInstalled || s.LastModified.IsZero() {
				t.Fatalf("%+v", s)
			}
			code, err := s.NormalizedLPA()
			if err != nil || code != "LPA:1$rsp.truphone.com$5C-IVCRP-QTQRML" {
				t.Fatalf("lpa %q %v", code, err)
			}
			out, _ := json.Marshal(s)
			// Every spelling of the code comes out canonical (cli.md: JSON
			// carries LPA codes normalised).
			want := `{"iccid":"8944478600000205337","eid":"890","matching_id":"5C-IVCRP-QTQRML","status":"Installed","lpa_url":"LPA:1$rsp.truphone.com$5C-IVCRP-QTQRML","last_modified":"2024-05-01T10:00:00Z"}`
			if string(out) != want {
				t.Fatalf("canonical\n got %s\nwant %s", out, want)
			}
		})
	}
}

func TestTolerantProduct(t *testing.T) {
	for _, in := range []string{
		`{"id":"SaLjq5bqP8rsY5k8VVQtFs_punENj1R8ima-M3DQTjg=","name":"P","period":365,"period_unit":"DAYS","data":{"value":10,"units":"MB"},"footprint":["US"],"activeCountries":["ALL"],"pricing":{"EUR":10.99},"region":"global"}`,
		`{"id":"SaLjq5bqP8rsY5k8VVQtFs_punENj1R8ima-M3DQTjg=","name":"P","period":"365","period_unit":"DAYS","data":{"value":"10","unit":"mb"},"footprint":["US"],"activeCountries":["ALL"],"pricing":{"eur":"10.99"},"region":"global"}`,
	} {
		var p Product
		if err := json.Unmarshal([]byte(in), &p); err != nil {
			t.Fatal(err)
		}
		if p.Period != 365 || p.Data.Unit != "MB" || p.Data.Value != 10 || p.Pricing["EUR"] != "10.99" || !p.SoldEverywhere() {
			t.Fatalf("%+v", p)
		}
		if n, ok := p.Data.Bytes(); !ok || n != 10<<20 {
			t.Fatalf("bytes %d", n)
		}
		out, _ := json.Marshal(p)
		want := `{"id":"SaLjq5bqP8rsY5k8VVQtFs_punENj1R8ima-M3DQTjg=","name":"P","period":365,"period_unit":"DAYS","data":{"value":10,"unit":"MB"},"footprint":["US"],"activeCountries":["ALL"],"pricing":{"EUR":10.99},"region":"global"}`
		if string(out) != want {
			t.Fatalf("canonical\n got %s\nwant %s", out, want)
		}
	}
}

func TestTolerantSubscription(t *testing.T) {
	for _, in := range []string{
		`{"status":"ACTIVE","id":"Njc1","initialBalance":"1073741824","spentBalance":"1024","activationDate":"2020-10-16T19:05:05Z","expirationDate":"2020-11-16T19:05:05Z","createdDate":"2020-11-16T19:05:05Z","product":{"id":"MzA=","period":0,"period_unit":"DAYS","plan_id":"plan"},"iccid":"8944474600000109299","device_id":"123","auto_renew":"true"}`,
		`{"status":"active","id":"Njc1","initialBalance":1073741824,"spentBalance":1024.0,"activationDate":"2020-10-16T19:05:05Z","expirationDate":"2020-11-16T19:05:05Z","createdDate":"2020-11-16T19:05:05Z","product":{"id":"MzA=","period":"0","period_unit":"DAYS","plan_id":"plan"},"iccid":"8944474600000109299","device_id":"123","auto_renew":true}`,
	} {
		var s Subscription
		if err := json.Unmarshal([]byte(in), &s); err != nil {
			t.Fatal(err)
		}
		if s.InitialBalance != 1<<30 || s.SpentBalance != 1024 || !s.AutoRenew || s.Status != "ACTIVE" || s.Product.PlanID != "plan" {
			t.Fatalf("%+v", s)
		}
		if s.Remaining() != 1<<30-1024 || Balance([]Subscription{s, {Status: "EXPIRED", InitialBalance: 5}}) != 1<<30-1024 {
			t.Fatal("balance")
		}
		out, _ := json.Marshal(s)
		want := `{"id":"Njc1","status":"ACTIVE","initialBalance":1073741824,"spentBalance":1024,"activationDate":"2020-10-16T19:05:05Z","expirationDate":"2020-11-16T19:05:05Z","createdDate":"2020-11-16T19:05:05Z","product":{"id":"MzA=","period":0,"period_unit":"DAYS","plan_id":"plan"},"iccid":"8944474600000109299","device_id":"123","auto_renew":true}`
		if string(out) != want {
			t.Fatalf("canonical\n got %s\nwant %s", out, want)
		}
	}
	var s Subscription
	if err := json.Unmarshal([]byte(`{"id":"x","auto_renew":"false","initialBalance":"","spentBalance":null}`), &s); err != nil || s.AutoRenew {
		t.Fatalf("%+v %v", s, err)
	}
	if err := json.Unmarshal([]byte(`{"id":"x","initialBalance":"lots"}`), &s); err == nil {
		t.Fatal("garbage balance accepted")
	}
}

func TestTolerantOrder(t *testing.T) {
	var o Order
	in := `{"output":{"matchingId":"5C-M1OIY-QHWKD1","iccid":"8944478600000205337","smdpUrl":"rsp.truphone.com","lpa_url":"LPA:1$%rsp.truphone.com$%5C-M1OIY-QHWKD1","subscription_id":"a-5g="},"status":"FULFILING","externalId":"b27ec0e7-ad36-45ab-8e2f-c291441a2355","operationType":"TOPUP_ACTIVATION","createdDate":"2024-01-02T03:04:05Z"}`
	if err := json.Unmarshal([]byte(in), &o); err != nil {
		t.Fatal(err)
	}
	if o.ID != "b27ec0e7-ad36-45ab-8e2f-c291441a2355" || o.Status != OrderStatusFulfilling || o.OperationType != OperationTopUp || o.Done() {
		t.Fatalf("%+v", o)
	}
	code, err := o.Output.NormalizedLPA()
	if err != nil || code != "LPA:1$rsp.truphone.com$5C-M1OIY-QHWKD1" {
		t.Fatalf("%q %v", code, err)
	}
	out, _ := json.Marshal(o)
	want := `{"id":"b27ec0e7-ad36-45ab-8e2f-c291441a2355","status":"FULFILLING","operationType":"TOPUP","createdDate":"2024-01-02T03:04:05Z","output":{"iccid":"8944478600000205337","matchingId":"5C-M1OIY-QHWKD1","smdpUrl":"rsp.truphone.com","lpa_url":"LPA:1$rsp.truphone.com$5C-M1OIY-QHWKD1","subscription_id":"a-5g="}}`
	if string(out) != want {
		t.Fatalf("canonical\n got %s\nwant %s", out, want)
	}
	// id wins over externalId; matching_id accepted in the output.
	if err := json.Unmarshal([]byte(`{"id":"a","externalId":"b","status":"FAILED","error":"boom","output":{"matching_id":"X-1","iccid":"1"}}`), &o); err != nil {
		t.Fatal(err)
	}
	if o.ID != "a" || o.Error != "boom" || !o.Done() || o.Output.MatchingID != "X-1" {
		t.Fatalf("%+v", o)
	}
	// A completed top-up has no activation code.
	if _, err := (OrderOutput{ICCID: "1", SubscriptionID: "s"}).NormalizedLPA(); !errors.Is(err, ErrNoLPA) {
		t.Fatalf("top-up: %v", err)
	}
	var a OrderAccepted
	if err := json.Unmarshal([]byte(`{"externalId":"e1","status":"ACCEPTED"}`), &a); err != nil || a.ID != "e1" {
		t.Fatalf("%+v %v", a, err)
	}
}

func TestTolerantNotifications(t *testing.T) {
	var p Preferences
	if err := json.Unmarshal([]byte(`{"notifications":[{"type":"SUBSCRITPION_END","webhook_url":"https://h/a"},{"type":"USAGE_THRESHOLD","webhookUrl":"https://h/b"}]}`), &p); err != nil {
		t.Fatal(err)
	}
	if p.Notifications[0].Type != NotificationSubscriptionEnd || p.Notifications[1].WebhookURL != "https://h/b" {
		t.Fatalf("%+v", p)
	}
	var n Notification
	if err := json.Unmarshal([]byte(`{"id":"n1","type":"USAGE_THRESHOLD","iccid":"1","subscription_id":"s","threshold":"80"}`), &n); err != nil || *n.Threshold != 80 {
		t.Fatalf("%+v %v", n, err)
	}
	for in, want := range map[string]string{"SUBSCRITPION_END": "SUBSCRIPTION_END", "subscription_end": "SUBSCRIPTION_END", "USAGE_THRESHOLD": "USAGE_THRESHOLD"} {
		if got := NormalizeNotificationType(in); got != want {
			t.Errorf("%s -> %s", in, got)
		}
	}
}

func TestOrderInputEncoding(t *testing.T) {
	in := OrderInput{
		OperationType: "NEW_ESIM", CountryCode: "PT",
		Customer: &OrderCustomer{Email: "john@doe.com"},
		Device:   &OrderDevice{ID: "dev-1", Type: "ios"},
		Subscriptions: []OrderSubscription{{ProductID: "p=", Price: "10.99", Currency: "USD",
			ActivationDate: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)}, {ProductID: "q"}},
	}
	out, _ := json.Marshal(in)
	want := `{"operationType":"NEW_ESIM","countryCode":"PT","customer":{"email":"john@doe.com"},"device":{"id":"dev-1","type":"ios"},"subscriptions":[{"product_id":"p=","activationDate":"2030-01-02T03:04:05Z","price":10.99,"currency":"USD"},{"product_id":"q"}]}`
	if string(out) != want {
		t.Fatalf("\n got %s\nwant %s", out, want)
	}
}

func TestTolerantCustomer(t *testing.T) {
	var c Customer
	if err := json.Unmarshal([]byte(`{"id":"c1","email":"a@b.c","first_name":"A","lastName":"B","country_of_residence":"PT","created":"2024-01-01T00:00:00Z"}`), &c); err != nil {
		t.Fatal(err)
	}
	if c.FirstName != "A" || c.LastName != "B" || c.CountryOfResidence != "PT" || c.CreatedDate.IsZero() {
		t.Fatalf("%+v", c)
	}
}

// The customer's modification time arrives as lastModifiedDate (the
// sandbox), updatedDate or updated; it prints as lastModifiedDate.
func TestCustomerModifiedSpellings(t *testing.T) {
	for _, key := range []string{"lastModifiedDate", "updatedDate", "updated"} {
		var c Customer
		if err := json.Unmarshal([]byte(`{"id":"c1","email":"a@example.com","`+key+`":"2026-12-05T10:00:00Z"}`), &c); err != nil {
			t.Fatal(err)
		}
		if c.UpdatedDate.IsZero() {
			t.Errorf("%s not read", key)
		}
		b, _ := json.Marshal(c)
		if !strings.Contains(string(b), `"lastModifiedDate":"2026-12-05T10:00:00Z"`) {
			t.Errorf("%s: marshals as %s", key, b)
		}
	}
}
