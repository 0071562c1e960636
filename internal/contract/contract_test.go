package contract

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

var spec *Spec

func TestMain(m *testing.M) {
	var err error
	spec, err = FindSpec()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}

// fakeT records what a checker reports.
type fakeT struct {
	mu   sync.Mutex
	errs []string
}

func (f *fakeT) Helper() {}

func (f *fakeT) Errorf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.errs = append(f.errs, fmt.Sprintf(format, args...))
}

func (f *fakeT) all() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.errs...)
}

func TestSpecLoadsAndValidates(t *testing.T) {
	p, err := SpecPath()
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(p) != "openapi.yaml" {
		t.Errorf("SpecPath = %s", p)
	}
	s, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Doc.OpenAPI; got != "3.0.3" {
		t.Errorf("openapi = %q, want 3.0.3", got)
	}
	want := []string{
		"GET /v1/products", "GET /v1/products/{product-id}",
		"POST /v1/order", "GET /v1/order", "GET /v1/order/{order-id}",
		"GET /v1/sim", "GET /v1/sim/{iccid}", "PUT /v1/sim/{iccid}", "DELETE /v1/sim/{iccid}",
		"GET /v1/sim/{iccid}/subscriptions", "GET /v1/sim/{iccid}/preferences",
		"POST /v1/sim/{iccid}/preferences/notifications/{type}",
		"DELETE /v1/sim/{iccid}/preferences/notifications/{type}",
		"GET /v1/subscription", "GET /v1/subscription/{subscription_id}",
		"POST /v1/subscription/{subscription_id}/activate",
		"POST /v1/customer", "GET /v1/customer", "GET /v1/customer/{id}", "PATCH /v1/customer/{id}",
	}
	ops := s.Operations()
	if len(ops) != len(want) {
		t.Errorf("%d operations, want %d: %v", len(ops), len(want), ops)
	}
	for _, w := range want {
		if !contains(ops, w) {
			t.Errorf("operation %s missing", w)
		}
	}
	// Every operation: the bearer security, the optional X-Correlation-ID
	// parameter, the rate-limit headers on its success answers, a 429 and a
	// default answer.
	for _, op := range ops {
		method, path, _ := strings.Cut(op, " ")
		item := s.Doc.Paths.Value(path)
		o := item.GetOperation(method)
		var corr bool
		for _, p := range append(item.Parameters, o.Parameters...) {
			if p.Value.In == "header" && p.Value.Name == "X-Correlation-ID" && !p.Value.Required {
				corr = true
			}
		}
		if !corr {
			t.Errorf("%s: no optional X-Correlation-ID header parameter", op)
		}
		if o.Responses.Status(429) == nil || o.Responses.Default() == nil {
			t.Errorf("%s: no 429 or default answer", op)
		}
		for code, r := range o.Responses.Map() {
			if !strings.HasPrefix(code, "2") {
				continue
			}
			for _, h := range []string{"x-rate-limit-limit", "x-rate-limit-remaining", "x-rate-limit-reset", "X-Correlation-ID"} {
				if r.Value.Headers[h] == nil {
					t.Errorf("%s %s: header %s not described", op, code, h)
				}
			}
		}
	}
	ss := s.Doc.Components.SecuritySchemes["connectOAuth"]
	if ss == nil || ss.Value.Flows == nil || ss.Value.Flows.ClientCredentials == nil ||
		!strings.HasSuffix(ss.Value.Flows.ClientCredentials.TokenURL, "/auth/realms/tru-staff/protocol/openid-connect/token") {
		t.Errorf("security scheme connectOAuth is not the Keycloak client-credentials flow")
	}
	s.SetServers("http://127.0.0.1:1234")
	if len(s.Doc.Servers) != 1 || s.Doc.Servers[0].URL != "http://127.0.0.1:1234" {
		t.Errorf("SetServers: %v", s.Doc.Servers)
	}
}

func TestLoadErrors(t *testing.T) {
	if _, err := Load(filepath.Join(t.TempDir(), "missing.yaml")); err == nil {
		t.Error("Load of a missing file: no error")
	}
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(bad, []byte("openapi: 3.0.3\ninfo: {title: x}\npaths: {}\n"), 0o644)
	if _, err := Load(bad); err == nil {
		t.Error("Load of an invalid document (no info.version): no error")
	}
}

// exchange is one hand-made request and the canned answer to give it.
type exchange struct {
	name   string
	method string
	path   string // escaped, with query
	body   string
	noAuth bool
	header map[string]string // extra request headers

	status     int
	respBody   string
	ct         string            // answer Content-Type; "" = application/json when respBody != ""
	respHeader map[string]string // extra answer headers
	noRate     bool              // leave out the rate-limit headers

	want []string // substrings of the expected violations; none = valid
	skip bool     // outside the API: expect it skipped
}

const (
	iccidEven = "8944478600000000217"
	orderID   = "6d41c4ff-1877-4d13-82b0-7dad02c4b02a"
	subID     = "SaLjq5bqP8rsY5k8VVQtFs_punENj1R8ima-M3DQTjg="
)

var exchanges = []exchange{
	// ---------------------------------------------------------- valid
	{name: "products", method: "GET", path: "/v1/products", status: 200, respBody: exProducts},
	{name: "products currency plan", method: "GET", path: "/v1/products?currency=USD&plan_id=cat-2", status: 200, respBody: exProducts},
	{name: "products empty", method: "GET", path: "/v1/products", status: 200, respBody: `[]`},
	{name: "product", method: "GET", path: "/v1/products/" + subID, status: 200, respBody: exProduct},
	{name: "product id with escaped slash", method: "GET", path: "/v1/products/ab%2Fcd%2B%3D%3D", status: 200, respBody: exProduct},
	{name: "product id with star and escaped slash at the end", method: "GET", path: "/v1/products/***abc%2F", status: 200, respBody: exProduct},
	{name: "prod base path", method: "GET", path: "/connect-api/v1/products", status: 200, respBody: exProducts},
	{name: "order new esim (seed)", method: "POST", path: "/v1/order", body: exOrderRequest, status: 201, respBody: exOrderAccepted},
	{name: "order new esim full", method: "POST", path: "/v1/order", body: exOrderRequestFull, status: 201, respBody: exOrderAccepted},
	{name: "order topup", method: "POST", path: "/v1/order", body: exTopupRequest, status: 201, respBody: exOrderAccepted},
	{name: "order topup activation", method: "POST", path: "/v1/order", body: exTopupActivationRequest, status: 201, respBody: exOrderAccepted},
	{name: "order rejected RFC 7807", method: "POST", path: "/v1/order", body: exOrderRequest, status: 400, ct: "application/problem+json", respBody: exProblem},
	{name: "order list (seed)", method: "GET", path: "/v1/order?status=COMPLETED&start_date=2024-01-01&end_date=2024-12-31T00:00:00Z&page=1&page_size=40", status: 200, respBody: exOrders},
	{name: "order list HAL", method: "GET", path: "/v1/order?limit=1", status: 200, respBody: exOrdersHAL},
	{name: "order list HAL as hal+json", method: "GET", path: "/v1/order?limit=1&cursor=abc", status: 200, ct: "application/hal+json", respBody: exOrdersHAL},
	{name: "order completed (seed)", method: "GET", path: "/v1/order/" + orderID, status: 200, respBody: exOrderCompleted},
	{name: "order FULFILING", method: "GET", path: "/v1/order/0d41c4ff-1877-4d13-82b0-7dad02c4b02a", status: 200, respBody: exOrderFulfiling},
	{name: "order failed", method: "GET", path: "/v1/order/" + orderID, status: 200, respBody: exOrderFailed},
	{name: "sims (seed)", method: "GET", path: "/v1/sim?page=1&size=40", status: 200, respBody: exSims},
	{name: "sims HAL", method: "GET", path: "/v1/sim?limit=1", status: 200, respBody: exSimsHAL},
	{name: "sim matching_id status (seed)", method: "GET", path: "/v1/sim/" + iccidEven, status: 200, respBody: exSim},
	{name: "sim matchingId profileStatus", method: "GET", path: "/v1/sim/8944478600000205337", status: 200, respBody: exSimOdd},
	{name: "sim move", method: "PUT", path: "/v1/sim/" + iccidEven, body: `{"eid": "89049032004008882600019002594762"}`, status: 200, respBody: `{}`},
	{name: "sim delete", method: "DELETE", path: "/v1/sim/" + iccidEven, status: 204},
	{name: "sim delete refused", method: "DELETE", path: "/v1/sim/" + iccidEven, status: 400, respBody: `{"type": "INVALID_REQUEST_PARAMS", "messages": ["the profile was installed"]}`},
	{name: "sim subscriptions (seed)", method: "GET", path: "/v1/sim/8944474600000109299/subscriptions?size=40&page=1", status: 200, respBody: exSimSubscriptions},
	{name: "sim subscriptions HAL", method: "GET", path: "/v1/sim/" + iccidEven + "/subscriptions?limit=40", status: 200, respBody: exSubscriptionsHAL},
	{name: "preferences (seed)", method: "GET", path: "/v1/sim/" + iccidEven + "/preferences", status: 200, respBody: exPreferences},
	{name: "preferences empty", method: "GET", path: "/v1/sim/" + iccidEven + "/preferences", status: 200, respBody: `{"notifications": []}`},
	{name: "register webhook", method: "POST", path: "/v1/sim/" + iccidEven + "/preferences/notifications/USAGE_THRESHOLD", body: `{"webhook_url": "https://example.com/hook"}`, status: 200, respBody: `{}`},
	{name: "register webhook misspelt type", method: "POST", path: "/v1/sim/" + iccidEven + "/preferences/notifications/SUBSCRITPION_END", body: `{"webhook_url": "http://127.0.0.1:9999/hook?token=abc"}`, status: 204},
	{name: "unregister webhook", method: "DELETE", path: "/v1/sim/" + iccidEven + "/preferences/notifications/SUBSCRIPTION_END", status: 204},
	{name: "subscriptions filters + X-Next-Page", method: "GET",
		path:   "/v1/subscription?after=2020-04-27T00:00:00.002Z&before=2030-01-01T00:00:00Z&email=john.doe@truphone.com&iccid=8944478600000213091&product-id=Q-hzHc6EErZPQcgw2L02_nDdruGtr6lDrM-jmja_xuE%3D&page=1&size=1",
		status: 200, respBody: "[" + exSubscription + "]",
		respHeader: map[string]string{"X-Next-Page": "http://127.0.0.1:7787/v1/subscription?page=2&size=1"}},
	{name: "subscriptions HAL", method: "GET", path: "/v1/subscription?limit=1", status: 200, respBody: exSubscriptionsHAL},
	{name: "subscription (seed)", method: "GET", path: "/v1/subscription/" + subID, status: 200, respBody: exSubscription},
	{name: "subscription tolerated spellings", method: "GET", path: "/v1/subscription/c3ViLTE%3D", status: 200, respBody: exSubscriptionLoose},
	{name: "subscription activate", method: "POST", path: "/v1/subscription/" + subID + "/activate", status: 200, respBody: `{}`},
	{name: "customer create", method: "POST", path: "/v1/customer", body: `{"email": "ada@example.com", "firstName": "Ada"}`, status: 201, respBody: exCustomer},
	{name: "customer by email", method: "GET", path: "/v1/customer?email=ada@example.com", status: 200, respBody: exCustomer},
	{name: "customer by email as list", method: "GET", path: "/v1/customer?email=ada@example.com", status: 200, respBody: "[" + exCustomer + "]"},
	{name: "customer get", method: "GET", path: "/v1/customer/cust-1", status: 200, respBody: exCustomer},
	{name: "customer patch", method: "PATCH", path: "/v1/customer/cust-1", body: `{"lastName": "King"}`, status: 200, respBody: exCustomer},
	{name: "customer forbidden", method: "GET", path: "/v1/customer/cust-1", status: 403, noRate: true, respBody: `{"type": "ACCESS_DENIED", "messages": ["RESELLER may not use /v1/customer"]}`},

	// errors and faults
	{name: "401 v1", method: "GET", path: "/v1/sim", status: 401, noRate: true, respBody: exV1Error401,
		respHeader: map[string]string{"WWW-Authenticate": `Bearer error="invalid_token"`}},
	{name: "404 v1", method: "GET", path: "/v1/order/" + orderID, status: 404, respBody: `{"type": "NOT_FOUND", "messages": ["no such order"]}`},
	{name: "400 v1 size", method: "GET", path: "/v1/sim/" + iccidEven + "/subscriptions", status: 400, respBody: exV1Error400},
	{name: "429", method: "GET", path: "/v1/products", status: 429, respBody: exRateLimited, respHeader: map[string]string{"Retry-After": "12"}},
	{name: "500 v1", method: "GET", path: "/v1/sim", status: 500, noRate: true, respBody: exV1Error500},
	{name: "502 HTML", method: "POST", path: "/v1/order", body: exTopupRequest, status: 502, noRate: true, ct: "text/html; charset=utf-8", respBody: exHTML502},
	{name: "503 empty", method: "GET", path: "/v1/subscription", status: 503, noRate: true, respHeader: map[string]string{"Retry-After": "1"}},
	{name: "504 RFC 7807", method: "GET", path: "/v1/sim/" + iccidEven, status: 504, noRate: true, ct: "application/problem+json", respBody: exProblem504},

	// outside the API
	{name: "token endpoint", method: "POST", path: "/auth/realms/tru-staff/protocol/openid-connect/token", noAuth: true,
		body: "grant_type=client_credentials", header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"},
		status: 200, respBody: `{"access_token": "x", "expires_in": 300}`, skip: true},
	{name: "sandbox admin", method: "GET", path: "/_sandbox/stats", noAuth: true, status: 200, respBody: `{"requests": {}}`, skip: true},

	// ---------------------------------------------------------- violations
	{name: "undeclared path", method: "GET", path: "/v1/status/123", status: 404, respBody: exV1Error400,
		want: []string{"route", "no operation of the contract matches GET /v1/status/123"}},
	{name: "undeclared method", method: "PATCH", path: "/v1/sim/" + iccidEven, body: `{}`, status: 405, respBody: exV1Error400,
		want: []string{"method PATCH is not declared for /v1/sim/{iccid}"}},
	{name: "trailing slash", method: "GET", path: "/v1/products/", status: 200, respBody: exProducts,
		want: []string{"no operation"}},
	{name: "no bearer token", method: "GET", path: "/v1/products", noAuth: true, status: 200, respBody: exProducts,
		want: []string{"request", "security requirements failed", "Bearer"}},
	{name: "order without input", method: "POST", path: "/v1/order", body: `{"operationType": "NEW_ESIM", "countryCode": "PT"}`, status: 201, respBody: exOrderAccepted,
		want: []string{"request", "body"}},
	{name: "order bad device type", method: "POST", path: "/v1/order",
		body:   strings.Replace(exOrderRequest, `"type": "ios"`, `"type": "windows"`, 1),
		status: 201, respBody: exOrderAccepted, want: []string{"request", "/input/device/type"}},
	{name: "order price without currency", method: "POST", path: "/v1/order",
		body:   strings.Replace(exOrderRequest, `, "currency": "USD"`, ``, 1),
		status: 201, respBody: exOrderAccepted, want: []string{"request", "anyOf"}},
	{name: "order unsupported currency", method: "POST", path: "/v1/order",
		body:   strings.Replace(exOrderRequest, `"USD"`, `"XYZ"`, 1),
		status: 201, respBody: exOrderAccepted, want: []string{"request", "currency"}},
	{name: "order new esim without email", method: "POST", path: "/v1/order",
		body:   strings.Replace(exOrderRequest, `"customer": {"email": "john@doe.com"},`, ``, 1),
		status: 201, respBody: exOrderAccepted, want: []string{"request", `property "customer" is missing`}},
	{name: "order topup without esim", method: "POST", path: "/v1/order",
		body:   `{"input": {"operationType": "TOPUP", "subscriptions": [{"product_id": "x"}]}}`,
		status: 201, respBody: exOrderAccepted, want: []string{"request"}},
	{name: "order unknown field", method: "POST", path: "/v1/order",
		body:   strings.Replace(exOrderRequest, `"countryCode"`, `"country_code": "PT", "countryCode"`, 1),
		status: 201, respBody: exOrderAccepted, want: []string{"request", "country_code"}},
	{name: "order answered 200 not 201", method: "POST", path: "/v1/order", body: exOrderRequest, status: 200, respBody: exOrderAccepted,
		want: []string{"response", "status 200 is not declared"}},
	{name: "order answer bad status enum", method: "GET", path: "/v1/order/" + orderID, status: 200,
		respBody: strings.Replace(exOrderCompleted, `"COMPLETED"`, `"DONE"`, 1), want: []string{"response", "/status"}},
	{name: "order id not a uuid", method: "GET", path: "/v1/order/not-a-uuid", status: 404, respBody: exV1Error400,
		want: []string{"request", `path parameter "order-id"`}},
	{name: "order list bad status filter", method: "GET", path: "/v1/order?status=PENDING", status: 200, respBody: exOrders,
		want: []string{"request", `query parameter "status"`}},
	{name: "sim size 41", method: "GET", path: "/v1/sim?size=41", status: 200, respBody: exSims,
		want: []string{"request", `query parameter "size"`}},
	{name: "sim limit 0", method: "GET", path: "/v1/sim?limit=0", status: 200, respBody: exSimsHAL,
		want: []string{"request", `query parameter "limit"`}},
	{name: "sim bad iccid", method: "GET", path: "/v1/sim/12345", status: 404, respBody: exV1Error400,
		want: []string{"request", `path parameter "iccid"`}},
	{name: "sim bad profile status", method: "GET", path: "/v1/sim/" + iccidEven, status: 200,
		respBody: strings.Replace(exSim, `"Installed"`, `"INSTALLED"`, 1), want: []string{"response", "/status"}},
	{name: "sim move bad eid", method: "PUT", path: "/v1/sim/" + iccidEven, body: `{"eid": "123"}`, status: 200, respBody: `{}`,
		want: []string{"request", "/eid"}},
	{name: "sim delete answers 200", method: "DELETE", path: "/v1/sim/" + iccidEven, status: 200, respBody: `{}`,
		want: []string{"status 200 is not declared"}},
	{name: "subscription list object without _embedded", method: "GET", path: "/v1/subscription?limit=1", status: 200,
		respBody: `{"subscriptions": [], "_links": {"self": {"href": "x"}}}`, want: []string{"response", `property "_embedded" is missing`}},
	{name: "sim subscriptions HAL wrong embedded name", method: "GET", path: "/v1/sim/" + iccidEven + "/subscriptions?limit=1", status: 200,
		respBody: `{"_embedded": {"items": []}, "_links": {"self": {"href": "x"}}}`, want: []string{"response"}},
	{name: "subscription balance as a float string", method: "GET", path: "/v1/subscription/" + subID, status: 200,
		respBody: strings.Replace(exSubscription, `"1024"`, `"1.5"`, 1), want: []string{"response", "spentBalance"}},
	{name: "subscription missing status", method: "GET", path: "/v1/subscription/" + subID, status: 200,
		respBody: strings.Replace(exSubscription, `"status": "ACTIVE",`, ``, 1), want: []string{"response", "status"}},
	{name: "HAL link without href", method: "GET", path: "/v1/sim?limit=1", status: 200,
		respBody: `{"_embedded": {"sims": []}, "_links": {"next": {"url": "x"}}}`, want: []string{"response"}},
	{name: "missing rate-limit headers", method: "GET", path: "/v1/products", status: 200, respBody: exProducts, noRate: true,
		want: []string{"response", `header "x-rate-limit-limit" missing`}},
	{name: "rate-limit header not a number", method: "GET", path: "/v1/products", status: 200, respBody: exProducts,
		respHeader: map[string]string{"x-rate-limit-reset": "soon"}, want: []string{"response", "x-rate-limit-reset"}},
	{name: "product data unit", method: "GET", path: "/v1/products/" + subID, status: 200,
		respBody: strings.Replace(exProduct, `"units": "MB"`, `"units": "Mb"`, 1), want: []string{"response", "/data/units"}},
	{name: "unknown notification type", method: "POST", path: "/v1/sim/" + iccidEven + "/preferences/notifications/FOO",
		body: `{"webhook_url": "https://example.com"}`, status: 204, want: []string{"request", `path parameter "type"`}},
	{name: "webhook not a URL", method: "POST", path: "/v1/sim/" + iccidEven + "/preferences/notifications/USAGE_THRESHOLD",
		body: `{"webhook_url": "example.com"}`, status: 204, want: []string{"request", "webhook_url"}},
	{name: "error body of no known model", method: "GET", path: "/v1/sim/" + iccidEven, status: 400, respBody: `{"error": "bad"}`,
		want: []string{"response", "anyOf"}},
	{name: "error answer not JSON", method: "GET", path: "/v1/sim/" + iccidEven, status: 400, respBody: `oops`,
		want: []string{"response"}},
	{name: "429 body of the wrong shape", method: "GET", path: "/v1/sim", status: 429, respBody: exV1Error400,
		want: []string{"response"}},
	{name: "customer without email", method: "POST", path: "/v1/customer", body: `{"firstName": "Ada"}`, status: 201, respBody: exCustomer,
		want: []string{"request", "email"}},
}

// handlerFor answers every request with the exchange's canned answer.
func handlerFor(ex exchange) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		h := w.Header()
		if !ex.noRate {
			h.Set("x-rate-limit-limit", "1000")
			h.Set("x-rate-limit-remaining", "999")
			h.Set("x-rate-limit-reset", "1729159260000")
		}
		h.Set("X-Correlation-ID", "corr-1")
		if ex.respBody != "" {
			ct := ex.ct
			if ct == "" {
				ct = "application/json"
			}
			h.Set("Content-Type", ct)
		}
		for k, v := range ex.respHeader {
			h.Set(k, v)
		}
		w.WriteHeader(ex.status)
		io.WriteString(w, ex.respBody)
	})
}

func newRequest(t *testing.T, base string, ex exchange) *http.Request {
	t.Helper()
	var body io.Reader
	if ex.body != "" {
		body = strings.NewReader(ex.body)
	}
	req, err := http.NewRequest(ex.method, base+ex.path, body)
	if err != nil {
		t.Fatal(err)
	}
	if !ex.noAuth {
		req.Header.Set("Authorization", "Bearer token-123")
	}
	req.Header.Set("X-Correlation-ID", "6f1c2a52-7d5e-4a43-9c0b-2f3c3c1f0a11")
	if ex.body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range ex.header {
		req.Header.Set(k, v)
	}
	return req
}

// send runs the exchange and checks the caller still reads the whole answer.
func send(t *testing.T, client *http.Client, req *http.Request, ex exchange) {
	t.Helper()
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != ex.status || string(got) != ex.respBody {
		t.Errorf("the caller got %d %q, want %d %q", resp.StatusCode, got, ex.status, ex.respBody)
	}
}

func checkReported(t *testing.T, ex exchange, errs []string, st Stats) {
	t.Helper()
	if len(ex.want) == 0 && len(errs) > 0 {
		t.Errorf("valid exchange reported:\n%s", strings.Join(errs, "\n"))
	}
	if len(ex.want) > 0 {
		if len(errs) == 0 {
			t.Errorf("violation not reported (want %q)", ex.want)
		}
		joined := strings.Join(errs, "\n")
		for _, w := range ex.want {
			if !strings.Contains(joined, w) {
				t.Errorf("report lacks %q:\n%s", w, joined)
			}
		}
		if !strings.Contains(joined, ex.method+" ") {
			t.Errorf("report lacks the method:\n%s", joined)
		}
	}
	switch {
	case ex.skip:
		if st.Skipped != 1 || st.Exchanges != 0 || st.Validated != 0 {
			t.Errorf("stats %+v, want 1 skipped", st)
		}
	case strings.Contains(strings.Join(ex.want, " "), "route") || strings.Contains(strings.Join(ex.want, " "), "no operation") ||
		strings.Contains(strings.Join(ex.want, " "), "is not declared for"):
		if st.Exchanges != 1 || st.Validated != 0 {
			t.Errorf("stats %+v, want 1 exchange, none validated", st)
		}
	default:
		if st.Exchanges != 1 || st.Validated != 1 {
			t.Errorf("stats %+v, want 1 exchange validated", st)
		}
	}
	if st.Violations != len(errs) {
		t.Errorf("stats count %d violations, %d reported", st.Violations, len(errs))
	}
}

func TestTransport(t *testing.T) {
	for _, ex := range exchanges {
		t.Run(ex.name, func(t *testing.T) {
			srv := httptest.NewServer(handlerFor(ex))
			defer srv.Close()
			ft := &fakeT{}
			tr := spec.Transport(ft, srv.Client().Transport)
			send(t, &http.Client{Transport: tr}, newRequest(t, srv.URL, ex), ex)
			checkReported(t, ex, ft.all(), tr.Stats())
		})
	}
}

func TestMiddleware(t *testing.T) {
	for _, ex := range exchanges {
		t.Run(ex.name, func(t *testing.T) {
			ft := &fakeT{}
			mw := spec.Middleware(ft, handlerFor(ex))
			srv := httptest.NewServer(mw)
			defer srv.Close()
			send(t, srv.Client(), newRequest(t, srv.URL, ex), ex)
			checkReported(t, ex, ft.all(), mw.Stats())
		})
	}
}

// The request body reaches the server intact through the Transport, and the
// handler behind the Middleware reads it too.
func TestBodiesPassThrough(t *testing.T) {
	var got string
	echo := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got = string(b)
		w.Header().Set("x-rate-limit-limit", "1")
		w.Header().Set("x-rate-limit-remaining", "0")
		w.Header().Set("x-rate-limit-reset", "1")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(201)
		io.WriteString(w, exOrderAccepted)
	})
	ft := &fakeT{}
	srv := httptest.NewServer(spec.Middleware(ft, echo))
	defer srv.Close()
	tr := spec.Transport(ft, nil)
	req, _ := http.NewRequest("POST", srv.URL+"/v1/order", strings.NewReader(exTopupRequest))
	req.Header.Set("Authorization", "Bearer t")
	req.Header.Set("Content-Type", "application/json")
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if got != exTopupRequest || string(b) != exOrderAccepted {
		t.Errorf("server got %q, client got %q", got, b)
	}
	if errs := ft.all(); len(errs) > 0 {
		t.Errorf("unexpected violations: %v", errs)
	}
	tr.RequireValidated(t, 1)
	if st := spec.Stats(); st.Validated < 2 || st.Operations["POST /v1/order"] < 2 {
		t.Errorf("spec stats %+v, want both checkers counted", st)
	}
}

func TestRequireValidated(t *testing.T) {
	ft := &fakeT{}
	tr := spec.Transport(ft, nil)
	tr.RequireValidated(ft, 1)
	if errs := ft.all(); len(errs) != 1 || !strings.Contains(errs[0], "0 exchanges validated") {
		t.Errorf("RequireValidated on an idle transport reported %q", errs)
	}
}

func TestAllowInvalidRequests(t *testing.T) {
	// A test that sends a bad order on purpose still gets the answer checked.
	bad := exchange{method: "POST", path: "/v1/order", body: `{"input": {}}`, status: 400, ct: "application/problem+json", respBody: exProblem}
	srv := httptest.NewServer(handlerFor(bad))
	defer srv.Close()
	ft := &fakeT{}
	tr := spec.Transport(ft, nil, AllowInvalidRequests())
	send(t, &http.Client{Transport: tr}, newRequest(t, srv.URL, bad), bad)
	if errs := ft.all(); len(errs) > 0 {
		t.Errorf("request violations reported despite AllowInvalidRequests: %v", errs)
	}
	// ...and a wrong answer is still reported.
	bad.respBody = `{"nope": 1}`
	srv2 := httptest.NewServer(handlerFor(bad))
	defer srv2.Close()
	send(t, &http.Client{Transport: tr}, newRequest(t, srv2.URL, bad), bad)
	errs := ft.all()
	if len(errs) == 0 {
		t.Error("the wrong answer was not reported")
	}
	for _, e := range errs {
		if !strings.Contains(e, ": response: ") {
			t.Errorf("want response violations only, got %q", e)
		}
	}
}

func TestSkipPaths(t *testing.T) {
	ex := exchange{method: "GET", path: "/healthz", status: 200, respBody: `{}`}
	srv := httptest.NewServer(handlerFor(ex))
	defer srv.Close()
	ft := &fakeT{}
	tr := spec.Transport(ft, nil, SkipPaths("/healthz"))
	send(t, &http.Client{Transport: tr}, newRequest(t, srv.URL, ex), ex)
	if errs := ft.all(); len(errs) > 0 || tr.Stats().Skipped != 1 {
		t.Errorf("violations %v, stats %+v", errs, tr.Stats())
	}
}

// A transport failure is no contract violation, but the request is checked.
func TestTransportError(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, _, _ := w.(http.Hijacker).Hijack()
		conn.Close()
	}))
	defer srv.Close()
	ft := &fakeT{}
	tr := spec.Transport(ft, nil)
	req, _ := http.NewRequest("GET", srv.URL+"/v1/sim?size=99", nil)
	req.Header.Set("Authorization", "Bearer t")
	if _, err := (&http.Client{Transport: tr}).Do(req); err == nil {
		t.Fatal("no error from a dropped connection")
	}
	errs := ft.all()
	if len(errs) != 1 || !strings.Contains(errs[0], `query parameter "size"`) {
		t.Errorf("want the request's violation only, got %v", errs)
	}
	if st := tr.Stats(); st.Exchanges != 1 || st.Validated != 0 {
		t.Errorf("stats %+v", st)
	}
}

// The sandbox drops connections by hijacking them: the Middleware lets it.
func TestMiddlewareHijack(t *testing.T) {
	ft := &fakeT{}
	srv := httptest.NewServer(spec.Middleware(ft, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Errorf("hijack through the middleware: %v", err)
			return
		}
		conn.Close()
	})))
	defer srv.Close()
	req, _ := http.NewRequest("GET", srv.URL+"/v1/products", nil)
	req.Header.Set("Authorization", "Bearer t")
	if _, err := srv.Client().Do(req); err == nil {
		t.Error("no error from a dropped connection")
	}
	if errs := ft.all(); len(errs) > 0 {
		t.Errorf("violations: %v", errs)
	}
}

// Check works on an exchange alone, whatever the host.
func TestCheckDirect(t *testing.T) {
	req := httptest.NewRequest("GET", "https://services.truphone.com/connect-api-preprod/v1/products/a%2Fb%3D", nil)
	req.Header.Set("Authorization", "Bearer t")
	h := http.Header{"Content-Type": {"application/json"}, "X-Rate-Limit-Limit": {"1"}, "X-Rate-Limit-Remaining": {"1"}, "X-Rate-Limit-Reset": {"1"}}
	vs, skipped := spec.Check(&Exchange{Request: req, Status: 200, Header: h, Body: []byte(exProduct)})
	if skipped || len(vs) > 0 {
		t.Errorf("skipped %v, violations %v", skipped, vs)
	}
	vs, _ = spec.Check(&Exchange{Request: req, Status: 200, Header: h, Body: []byte(`{"name": "no id"}`)})
	if len(vs) != 1 || vs[0].Side != "response" || vs[0].Operation != "GET /v1/products/{product-id}" || vs[0].Status != 200 {
		t.Errorf("violations %+v", vs)
	}
	if s := vs[0].String(); !strings.Contains(s, "GET /connect-api-preprod/v1/products/a%2Fb%3D -> 200") || !strings.Contains(s, "no id") {
		t.Errorf("String() = %q", s)
	}
}

func TestFindRouteParams(t *testing.T) {
	route, params, err := spec.findRoute("GET", "/v1/products/ab%2Fcd%2B%3D%3D")
	if err != nil {
		t.Fatal(err)
	}
	if route.Path != "/v1/products/{product-id}" || params["product-id"] != "ab/cd+==" {
		t.Errorf("route %s params %v", route.Path, params)
	}
	route, params, err = spec.findRoute("POST", "/v1/sim/8944478600000000217/preferences/notifications/USAGE_THRESHOLD")
	if err != nil || route.Path != "/v1/sim/{iccid}/preferences/notifications/{type}" ||
		params["iccid"] != "8944478600000000217" || params["type"] != "USAGE_THRESHOLD" {
		t.Errorf("route %v params %v err %v", route, params, err)
	}
	for _, p := range []string{"/v1/products//x", "/v1/sim/", "/v2/sim", "/", "/v1/sim/1/2/3"} {
		if _, _, err := spec.findRoute("GET", p); err == nil {
			t.Errorf("%s routed", p)
		}
	}
}

func TestSkipped(t *testing.T) {
	for p, want := range map[string]bool{
		"/auth/realms/tru-staff/protocol/openid-connect/token": true,
		"/auth/realms/x/protocol/openid-connect/token":         true,
		"/_sandbox/stats":             true,
		"/_sandbox/sims/89/status":    true,
		"/v1/products":                false,
		"/v1/sim/_sandbox":            false,
		"/connect-api/v1/order":       false,
		"/auth/realms/openid-token":   false,
		"/connect-api/_sandbox/x":     true,
		"/v1/products/openid-connect": false,
	} {
		if got := Skipped(p); got != want {
			t.Errorf("Skipped(%q) = %v, want %v", p, got, want)
		}
	}
}

// Every exchange at once, on a fresh Spec: kin-openapi's lazily compiled
// patterns and the counters must be safe for concurrent use (run with -race).
func TestConcurrentUse(t *testing.T) {
	s, err := FindSpec()
	if err != nil {
		t.Fatal(err)
	}
	ft := &fakeT{}
	tr := s.Transport(ft, nil)
	client := &http.Client{Transport: tr}
	var wg sync.WaitGroup
	n := 0
	for _, ex := range exchanges {
		if len(ex.want) > 0 || ex.skip {
			continue
		}
		srv := httptest.NewServer(s.Middleware(ft, handlerFor(ex)))
		defer srv.Close()
		for range 3 {
			n++
			req := newRequest(t, srv.URL, ex)
			wg.Add(1)
			go func() {
				defer wg.Done()
				resp, err := client.Do(req)
				if err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
			}()
		}
	}
	wg.Wait()
	if errs := ft.all(); len(errs) > 0 {
		t.Errorf("violations: %v", errs)
	}
	tr.RequireValidated(t, n)
	if st := s.Stats(); st.Validated != 2*n {
		t.Errorf("spec stats: %d validated, want %d", st.Validated, 2*n)
	}
}

func contains(s []string, x string) bool {
	for _, y := range s {
		if y == x {
			return true
		}
	}
	return false
}
