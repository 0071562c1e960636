package sandbox

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestOrderValidation(t *testing.T) {
	e := newEnv(t, nil)
	out := e.buy(e.tok, "full@example.com", manyIDs(pEurope1.ID, 15)...)
	fullICCID := out["iccid"].(string)
	otherOut := e.buy(e.token(otherID, otherSec), "other@example.com", pEurope1.ID)

	future := e.clock.Now().Add(48 * time.Hour).Format(time.RFC3339)
	past := e.clock.Now().Add(-48 * time.Hour).Format(time.RFC3339)
	// base is a valid NEW_ESIM order; each case edits a copy.
	base := func() map[string]any {
		return map[string]any{
			"operationType": "NEW_ESIM",
			"countryCode":   "PT",
			"customer":      map[string]any{"email": "john@doe.com"},
			"device":        map[string]any{"id": "6d41c4ff", "type": "ios"},
			"subscriptions": []any{map[string]any{"product_id": pEurope1.ID}},
		}
	}
	sub := func(kv ...any) map[string]any {
		m := map[string]any{"product_id": pEurope1.ID}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	tests := []struct {
		name   string
		body   any // map: the input; string: raw body
		edit   func(in map[string]any)
		status int
		code   string
		path   string
	}{
		{name: "not json", body: `{"input": `, status: 400, code: "MALFORMED_BODY", path: "$"},
		{name: "wrong type", body: `{"input": {"subscriptions": "x"}}`, status: 400, code: "MALFORMED_BODY", path: "$.input.subscriptions"},
		{name: "no input", body: `{"operationType": "NEW_ESIM"}`, status: 400, code: "MISSING_MANDATORY_FIELD", path: "$.input"},
		{name: "no operation type", edit: func(in map[string]any) { delete(in, "operationType") }, code: "MISSING_MANDATORY_FIELD", path: "$.input.operationType"},
		{name: "bad operation type", edit: func(in map[string]any) { in["operationType"] = "BUY" }, code: "INVALID_FIELD_VALUE", path: "$.input.operationType"},
		{name: "no country", edit: func(in map[string]any) { delete(in, "countryCode") }, code: "MISSING_CONDITIONAL_MANDATORY_FIELD", path: "$.input.countryCode"},
		{name: "country UK", edit: func(in map[string]any) { in["countryCode"] = "UK" }, code: "INVALID_FIELD_VALUE", path: "$.input.countryCode"},
		{name: "lower-case country", edit: func(in map[string]any) { in["countryCode"] = "pt" }, code: "INVALID_FIELD_VALUE", path: "$.input.countryCode"},
		{name: "no email", edit: func(in map[string]any) { in["customer"] = map[string]any{} }, code: "MISSING_CONDITIONAL_MANDATORY_FIELD", path: "$.input.customer.email"},
		{name: "bad email", edit: func(in map[string]any) { in["customer"] = map[string]any{"email": "john"} }, code: "INVALID_FIELD_VALUE", path: "$.input.customer.email"},
		{name: "no device id", edit: func(in map[string]any) { in["device"] = map[string]any{"type": "ios"} }, code: "MISSING_CONDITIONAL_MANDATORY_FIELD", path: "$.input.device.id"},
		{name: "no device type", edit: func(in map[string]any) { in["device"] = map[string]any{"id": "d"} }, code: "MISSING_CONDITIONAL_MANDATORY_FIELD", path: "$.input.device.type"},
		{name: "bad device type", edit: func(in map[string]any) { in["device"] = map[string]any{"id": "d", "type": "windows"} }, code: "INVALID_FIELD_VALUE", path: "$.input.device.type"},
		{name: "bad eid", edit: func(in map[string]any) {
			in["device"] = map[string]any{"id": "d", "type": "ios", "eid": "89049032004008882600019002594763"}
		}, code: "INVALID_FIELD_VALUE", path: "$.input.device.eid"},
		{name: "no subscriptions", edit: func(in map[string]any) { in["subscriptions"] = []any{} }, code: "MISSING_MANDATORY_FIELD", path: "$.input.subscriptions"},
		{name: "no product id", edit: func(in map[string]any) { in["subscriptions"] = []any{map[string]any{}} }, code: "MISSING_MANDATORY_FIELD", path: "$.input.subscriptions[0].product_id"},
		{name: "unknown product", edit: func(in map[string]any) { in["subscriptions"] = []any{sub(), sub("product_id", "nope=")} }, code: "UNKNOWN_PRODUCT", path: "$.input.subscriptions[1].product_id"},
		{name: "activation not rfc3339", edit: func(in map[string]any) { in["subscriptions"] = []any{sub("activationDate", "tomorrow")} }, code: "INVALID_FIELD_VALUE", path: "$.input.subscriptions[0].activationDate"},
		{name: "activation in past", edit: func(in map[string]any) { in["subscriptions"] = []any{sub("activationDate", past)} }, code: "ACTIVATION_DATE_IN_PAST", path: "$.input.subscriptions[0].activationDate"},
		{name: "price without currency", edit: func(in map[string]any) { in["subscriptions"] = []any{sub("price", 10.99)} }, code: "MISSING_CONDITIONAL_MANDATORY_FIELD", path: "$.input.subscriptions[0].currency"},
		{name: "currency without price", edit: func(in map[string]any) { in["subscriptions"] = []any{sub("currency", "USD")} }, code: "MISSING_CONDITIONAL_MANDATORY_FIELD", path: "$.input.subscriptions[0].price"},
		{name: "unsupported currency", edit: func(in map[string]any) { in["subscriptions"] = []any{sub("price", 10, "currency", "XYZ")} }, code: "UNSUPPORTED_CURRENCY", path: "$.input.subscriptions[0].currency"},
		{name: "three decimals", edit: func(in map[string]any) { in["subscriptions"] = []any{sub("price", 12.345, "currency", "BHD")} }, code: "INVALID_FIELD_VALUE", path: "$.input.subscriptions[0].price"},
		{name: "decimals on JPY", edit: func(in map[string]any) { in["subscriptions"] = []any{sub("price", 10.5, "currency", "JPY")} }, code: "INVALID_FIELD_VALUE", path: "$.input.subscriptions[0].price"},
		{name: "negative price", edit: func(in map[string]any) { in["subscriptions"] = []any{sub("price", -1, "currency", "EUR")} }, code: "INVALID_FIELD_VALUE", path: "$.input.subscriptions[0].price"},
		{name: "sixteen subscriptions", edit: func(in map[string]any) {
			var subs []any
			for range 16 {
				subs = append(subs, sub())
			}
			in["subscriptions"] = subs
		}, code: "SUBSCRIPTION_LIMIT_REACHED", path: "$.input.subscriptions"},
		{name: "topup without iccid", edit: func(in map[string]any) { in["operationType"] = "TOPUP" }, code: "MISSING_CONDITIONAL_MANDATORY_FIELD", path: "$.input.esim.iccid"},
		{name: "topup unknown iccid", edit: func(in map[string]any) {
			in["operationType"], in["esim"] = "TOPUP", map[string]any{"iccid": "8944478600000000001"}
		}, code: "INVALID_FIELD_VALUE", path: "$.input.esim.iccid"},
		{name: "topup past the limit", edit: func(in map[string]any) {
			in["operationType"], in["esim"] = "TOPUP", map[string]any{"iccid": fullICCID}
		}, code: "SUBSCRIPTION_LIMIT_REACHED", path: "$.input.subscriptions"},
		{name: "topup of another client's SIM", edit: func(in map[string]any) {
			in["operationType"], in["esim"] = "TOPUP", map[string]any{"iccid": otherOut["iccid"]}
		}, status: 403, code: "ACCESS_DENIED", path: "$.input.esim.iccid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body any = tt.body
			if tt.edit != nil {
				in := base()
				tt.edit(in)
				body = map[string]any{"input": in}
			}
			r := e.call("POST", "/v1/order", e.tok, body, "X-Correlation-ID", "cid-"+tt.name)
			want := tt.status
			if want == 0 {
				want = 400
			}
			if r.status != want || r.header.Get("Content-Type") != "application/problem+json" {
				t.Fatalf("status %d %s, want %d problem+json: %s", r.status, r.header.Get("Content-Type"), want, r.body)
			}
			var p struct {
				Title         string `json:"title"`
				Status        int    `json:"status"`
				Detail        string `json:"detail"`
				CorrelationID string `json:"correlation_id"`
				Errors        []struct {
					Code     string `json:"code"`
					Detail   string `json:"detail"`
					JSONPath string `json:"json_path"`
				} `json:"errors"`
			}
			r.json(t, &p)
			if p.Title == "" || p.Detail == "" || p.Status != want || p.CorrelationID != "cid-"+tt.name || len(p.Errors) == 0 {
				t.Fatalf("problem shape: %s", r.body)
			}
			var found bool
			for _, pe := range p.Errors {
				found = found || (pe.Code == tt.code && pe.JSONPath == tt.path && pe.Detail != "")
			}
			if !found {
				t.Fatalf("no error %s at %s in %s", tt.code, tt.path, r.body)
			}
		})
	}

	// Valid variants are accepted.
	for name, edit := range map[string]func(in map[string]any){
		"price and currency": func(in map[string]any) { in["subscriptions"] = []any{sub("price", 10.99, "currency", "USD")} },
		"JPY integer":        func(in map[string]any) { in["subscriptions"] = []any{sub("price", 1500, "currency", "JPY")} },
		"BHD two decimals":   func(in map[string]any) { in["subscriptions"] = []any{sub("price", 12.34, "currency", "BHD")} },
		"future activation":  func(in map[string]any) { in["subscriptions"] = []any{sub("activationDate", future)} },
		"valid eid": func(in map[string]any) {
			in["device"] = map[string]any{"id": "d", "type": "android", "eid": makeEID("890490320040088826000190025947")}
		},
		"TOPUP_ACTIVATION": func(in map[string]any) {
			in["operationType"], in["esim"] = "TOPUP_ACTIVATION", map[string]any{"iccid": e.buy(e.tok, "t@x.io", pPT.ID)["iccid"]}
		},
		"topup without email": func(in map[string]any) {
			in["operationType"], in["esim"] = "TOPUP", map[string]any{"iccid": e.buy(e.tok, "t@x.io", pPT.ID)["iccid"]}
			delete(in, "customer")
		},
	} {
		in := map[string]any{}
		for k, v := range base() {
			in[k] = v
		}
		edit(in)
		if r := e.call("POST", "/v1/order", e.tok, map[string]any{"input": in}); r.status != 201 {
			t.Errorf("%s: %d %s", name, r.status, r.body)
		}
	}
}

func manyIDs(id string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = id
	}
	return out
}

func TestOrderLifecycle(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.OrderDelay = 10 * time.Second })
	spellings := map[string]bool{}
	for i := 0; i < 12 && len(spellings) < 2; i++ {
		id := e.order(e.tok, newESIM(fmt.Sprintf("u%d@example.com", i), pEurope1.ID, pEurope5.ID))
		get := func() map[string]any {
			r := e.get("/v1/order/" + id)
			e.mustStatus(r, 200)
			return r.obj(t)
		}
		if st := get()["status"]; st != "ACCEPTED" {
			t.Fatalf("new order %s", st)
		}
		sims := e.get("/v1/sim").arr(t)
		e.clock.Advance(5 * time.Second)
		m := get()
		want := "FULFILLING"
		if strings.ContainsRune("02468ace", rune(id[0])) {
			want = "FULFILING"
		}
		if m["status"] != want || m["output"] != nil {
			t.Fatalf("order %s at half time: %v, want %s", id, m, want)
		}
		spellings[want] = true
		if len(e.get("/v1/sim").arr(t)) != len(sims) {
			t.Fatal("SIM exists before the order completed")
		}
		e.clock.Advance(5 * time.Second)
		m = get()
		if m["status"] != "COMPLETED" || m["externalId"] != id {
			t.Fatalf("completed order %v", m)
		}
		out := m["output"].(map[string]any)
		iccid := out["iccid"].(string)
		if len(iccid) != 19 || !strings.HasPrefix(iccid, "894447") || !luhnValid(iccid) {
			t.Fatalf("iccid %q", iccid)
		}
		if !matchingIDRe.Get().MatchString(out["matchingId"].(string)) || out["smdpUrl"] != "rsp.truphone.com" ||
			!strings.HasSuffix(out["lpa_url"].(string), out["matchingId"].(string)) || out["subscription_id"] == "" {
			t.Fatalf("output %v", out)
		}
		// The completed order is reflected in every list.
		if got := e.get("/v1/sim").arr(t); len(got) != len(sims)+1 || got[len(got)-1]["id"] != iccid {
			t.Fatalf("SIM list %v", got)
		}
		subs := e.get("/v1/sim/" + iccid + "/subscriptions").arr(t)
		if len(subs) != 2 || subs[0]["id"] != out["subscription_id"] {
			t.Fatalf("subscriptions %v", subs)
		}
		s0 := subs[0]
		if s0["status"] != "ACTIVE" || s0["initialBalance"] != "1073741824" || s0["spentBalance"] != "0" || s0["auto_renew"] != "false" ||
			s0["activationDate"] != fmtTime(e.clock.Now()) || s0["expirationDate"] != fmtTime(e.clock.Now().AddDate(0, 0, 7)) ||
			s0["device_id"] != "device-1" || s0["iccid"] != iccid {
			t.Fatalf("subscription %v", s0)
		}
		if subs[1]["initialBalance"] != "5368709120" {
			t.Fatalf("5 GB subscription %v", subs[1])
		}
		// TOPUP: {"iccid", "subscription_id"} and no matchingId.
		tid := e.order(e.tok, map[string]any{"input": map[string]any{"operationType": "TOPUP", "esim": map[string]any{"iccid": iccid},
			"subscriptions": []any{map[string]any{"product_id": pPT.ID}}}})
		e.clock.Advance(10 * time.Second)
		tm := e.get("/v1/order/" + tid).obj(t)
		tout := tm["output"].(map[string]any)
		if tm["status"] != "COMPLETED" || tout["iccid"] != iccid || tout["matchingId"] != nil || tout["subscription_id"] == "" {
			t.Fatalf("topup %v", tm)
		}
		if n := len(e.get("/v1/sim/" + iccid + "/subscriptions").arr(t)); n != 3 {
			t.Fatalf("%d subscriptions after top-up", n)
		}
	}
	if len(spellings) != 2 {
		t.Fatalf("saw only %v", spellings)
	}
	// Listing and filtering orders.
	all := e.get("/v1/order?page_size=40").arr(t)
	if len(all) == 0 {
		t.Fatal("no orders listed")
	}
	e.order(e.tok, newESIM("late@example.com", pPT.ID))
	if got := e.get("/v1/order?status=ACCEPTED").arr(t); len(got) != 1 {
		t.Fatalf("ACCEPTED orders %v", got)
	}
	if got := e.get("/v1/order?status=COMPLETED").arr(t); len(got) != len(all) {
		t.Fatalf("COMPLETED orders %d, want %d", len(got), len(all))
	}
	if got := e.get("/v1/order?start_date=" + url.QueryEscape(e.clock.Now().Format(time.RFC3339))).arr(t); len(got) != 1 {
		t.Fatalf("orders since now %d", len(got))
	}
	e.mustStatus(e.get("/v1/order?status=LOST"), 400)
	e.mustStatus(e.get("/v1/order?start_date=yesterday"), 400)
}

func TestOrderFailureTriggers(t *testing.T) {
	e := newEnv(t, nil)
	for name, body := range map[string]any{
		"+fail e-mail":         newESIM("ops+fail@example.com", pEurope1.ID),
		"SANDBOX-FAIL product": newESIM("ops@example.com", pEurope1.ID, FailProductID),
	} {
		id := e.order(e.tok, body)
		m := e.get("/v1/order/" + id).obj(t)
		if m["status"] != "FAILED" || m["error"] == "" || m["output"] != nil {
			t.Fatalf("%s: %v", name, m)
		}
	}
	if n := len(e.get("/v1/sim").arr(t)); n != 0 {
		t.Fatalf("failed orders made %d SIMs", n)
	}
	if got := e.get("/v1/order?status=FAILED").arr(t); len(got) != 2 {
		t.Fatalf("FAILED filter: %v", got)
	}
}

func TestPendingSubscriptionActivation(t *testing.T) {
	e := newEnv(t, nil)
	when := e.clock.Now().Add(72 * time.Hour)
	body := newESIM("p@example.com", pEurope1.ID)
	body["input"].(map[string]any)["subscriptions"] = []any{map[string]any{"product_id": pEurope1.ID, "activationDate": when.Format(time.RFC3339)}}
	id := e.order(e.tok, body)
	sid := e.get("/v1/order/" + id).obj(t)["output"].(map[string]any)["subscription_id"].(string)
	path := "/v1/subscription/" + url.PathEscape(sid)
	m := e.get(path).obj(t)
	if m["status"] != "PENDING" || m["activationDate"] != fmtTime(when) || m["expirationDate"] != fmtTime(when.AddDate(0, 0, 7)) {
		t.Fatalf("pending subscription %v", m)
	}
	e.advance(time.Hour)
	r := e.call("POST", path+"/activate", e.tok, nil)
	e.mustStatus(r, 200)
	if m := r.obj(t); m["status"] != "ACTIVE" || m["activationDate"] != fmtTime(e.clock.Now()) {
		t.Fatalf("activated %v", m)
	}
	r = e.call("POST", path+"/activate", e.tok, nil)
	if r.status != 400 || v1Type(t, r) != "INVALID_REQUEST_PARAMS" {
		t.Fatalf("second activation: %d %s", r.status, r.body)
	}
	// A pending subscription becomes ACTIVE on its own at its date, and
	// EXPIRED at the end of its period.
	id = e.order(e.tok, body)
	sid = e.get("/v1/order/" + id).obj(t)["output"].(map[string]any)["subscription_id"].(string)
	e.advance(72 * time.Hour)
	if st := e.get("/v1/subscription/" + url.PathEscape(sid)).obj(t)["status"]; st != "ACTIVE" {
		t.Fatalf("at its date: %v", st)
	}
	e.advance(7 * 24 * time.Hour)
	if st := e.get("/v1/subscription/" + url.PathEscape(sid)).obj(t)["status"]; st != "EXPIRED" {
		t.Fatalf("after its period: %v", st)
	}
}

func TestSubscriptionLimit(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.OrderDelay = time.Minute })
	// 14 now, then a top-up of 1 in flight: the next top-up is one too many.
	id := e.order(e.tok, newESIM("l@example.com", manyIDs(pPT.ID, 14)...))
	e.clock.Advance(time.Minute)
	iccid := e.get("/v1/order/" + id).obj(t)["output"].(map[string]any)["iccid"].(string)
	topup := map[string]any{"input": map[string]any{"operationType": "TOPUP", "esim": map[string]any{"iccid": iccid},
		"subscriptions": []any{map[string]any{"product_id": pPT.ID}}}}
	e.order(e.tok, topup)
	r := e.call("POST", "/v1/order", e.tok, topup)
	if r.status != 400 || !strings.Contains(string(r.body), "SUBSCRIPTION_LIMIT_REACHED") {
		t.Fatalf("16th subscription: %d %s", r.status, r.body)
	}
	// Once subscriptions expire the SIM takes new ones again.
	e.advance(48 * time.Hour) // the 1-day products expire
	e.order(e.tok, topup)
}
