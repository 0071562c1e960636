package connect_test

// These tests run the real client against a real sandbox over HTTP on
// loopback, with both sides checked against docs/openapi.yaml: every request
// the client sends and every answer the sandbox gives must fit the contract.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/connectctl/connectctl/internal/auth"
	"github.com/connectctl/connectctl/internal/connect"
	"github.com/connectctl/connectctl/internal/contract"
	"github.com/connectctl/connectctl/internal/lpa"
	"github.com/connectctl/connectctl/internal/sandbox"
	"github.com/connectctl/connectctl/internal/testenv"
	"github.com/connectctl/connectctl/internal/validate"
)

type env struct {
	t        *testing.T
	srv      *httptest.Server
	client   *connect.Client
	tokens   *auth.CachingSource
	spec     *contract.Spec
	clientT  *contract.Transport
	serverM  *contract.Middleware
	statusMu sync.Mutex
	statuses map[string][]int // "METHOD /path" -> statuses seen on the wire
}

type envOpts struct {
	retry         connect.RetryPolicy
	disablePacing bool
	clientID      string
	secret        string
	// allowInvalid lets a test send requests the contract rejects on purpose.
	allowInvalid bool
}

func startSandbox(t *testing.T, cfg sandbox.Config, eo envOpts) *env {
	t.Helper()
	spec := contract.Open(t)
	srv0, err := sandbox.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv0.Close() })
	var sopts []contract.Option
	if eo.allowInvalid {
		sopts = append(sopts, contract.AllowInvalidRequests())
	}
	e := &env{t: t, spec: spec, statuses: map[string][]int{}}
	e.serverM = spec.Middleware(t, srv0.Handler(), sopts...)
	e.srv = httptest.NewServer(e.serverM)
	t.Cleanup(e.srv.Close)

	counting := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		resp, err := http.DefaultTransport.RoundTrip(r)
		if err == nil {
			e.statusMu.Lock()
			k := r.Method + " " + r.URL.Path
			e.statuses[k] = append(e.statuses[k], resp.StatusCode)
			e.statusMu.Unlock()
		}
		return resp, err
	})
	e.clientT = spec.Transport(t, counting, sopts...)
	httpClient := &http.Client{Transport: e.clientT, Timeout: 10 * time.Second}

	id, secret := eo.clientID, eo.secret
	if id == "" {
		id, secret = "sandbox", "sandbox"
	}
	e.tokens, err = auth.NewClientCredentials(auth.Config{
		TokenURL: e.srv.URL + sandbox.TokenPath, ClientID: id, ClientSecret: secret,
		HTTPClient: &http.Client{Timeout: 10 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	e.client, err = connect.New(connect.Options{BaseURL: e.srv.URL, HTTPClient: httpClient,
		TokenSource: e.tokens, Retry: eo.retry, DisablePacing: eo.disablePacing})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func (e *env) seen(key string) []int {
	e.statusMu.Lock()
	defer e.statusMu.Unlock()
	return append([]int(nil), e.statuses[key]...)
}

func (e *env) admin(method, path string, body, out any) {
	e.t.Helper()
	testenv.Admin(e.t, e.srv.URL, method, path, body, out)
}

type stats struct {
	TokenRequests int            `json:"token_requests"`
	Requests      map[string]int `json:"requests"`
	Orders        int            `json:"orders"`
}

func (e *env) stats() stats {
	var s stats
	e.admin(http.MethodGet, "/_sandbox/stats", nil, &s)
	return s
}

func fastConfig() sandbox.Config {
	cfg := sandbox.DefaultConfig()
	cfg.OrderDelay = 0
	return cfg
}

func newESIM(productID, email string) connect.OrderInput {
	return connect.OrderInput{
		OperationType: "NEW_ESIM", CountryCode: "PT",
		Customer:      &connect.OrderCustomer{Email: email},
		Device:        &connect.OrderDevice{ID: "dev-" + email, Type: "ios"},
		Subscriptions: []connect.OrderSubscription{{ProductID: productID}},
	}
}

func firstProduct(t *testing.T, c *connect.Client) connect.Product {
	t.Helper()
	ps, err := c.ListProducts(context.Background(), connect.ProductsQuery{})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		if p.ID != sandbox.FailProductID {
			return p
		}
	}
	t.Fatal("no product in the catalogue")
	return connect.Product{}
}

func TestSandboxOrderLifecycleToActivationCode(t *testing.T) {
	cfg := sandbox.DefaultConfig()
	cfg.OrderDelay = 600 * time.Millisecond
	e := startSandbox(t, cfg, envOpts{})
	ctx := context.Background()
	p := firstProduct(t, e.client)

	acc, err := e.client.CreateOrder(ctx, newESIM(p.ID, "life@example.com"))
	if err != nil {
		t.Fatal(err)
	}
	if acc.Status != "ACCEPTED" || acc.ID == "" {
		t.Fatalf("accepted = %+v", acc)
	}
	var seen []string
	var order *connect.Order
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		order, err = e.client.GetOrder(ctx, acc.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(seen) == 0 || seen[len(seen)-1] != order.Status {
			seen = append(seen, order.Status)
		}
		if order.Done() {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	want := []string{"ACCEPTED", "FULFILLING", "COMPLETED"}
	if strings.Join(seen, ",") != strings.Join(want, ",") {
		t.Fatalf("statuses %v, want %v", seen, want)
	}
	if _, err := validate.ICCID(order.Output.ICCID); err != nil || !strings.HasPrefix(order.Output.ICCID, "894447") {
		t.Errorf("ICCID %q: %v", order.Output.ICCID, err)
	}
	code, warnings, err := order.Output.ActivationCode()
	if err != nil || len(warnings) > 0 {
		t.Fatalf("activation code: %v %v", err, warnings)
	}
	if code.SMDP != "rsp.truphone.com" || code.MatchingID != order.Output.MatchingID {
		t.Errorf("code = %+v", code)
	}
	// The canonical SGP.22 form parses back to itself.
	again, err := lpa.Parse(code.String())
	if err != nil || again.String() != code.String() || !strings.HasPrefix(code.String(), "LPA:1$rsp.truphone.com$") {
		t.Errorf("canonical code %q: %v", code.String(), err)
	}

	sim, err := e.client.GetSIM(ctx, order.Output.ICCID)
	if err != nil {
		t.Fatal(err)
	}
	simCode, err := sim.NormalizedLPA()
	if err != nil || simCode != code.String() {
		t.Errorf("SIM code %q (%v), order code %q", simCode, err, code.String())
	}
	if sim.Status != "Released" {
		t.Errorf("new SIM state %q, want Released", sim.Status)
	}
	subs, err := connect.Collect(e.client.ListSIMSubscriptions(ctx, sim.ICCID))
	if err != nil || len(subs) != 1 || subs[0].Status != "ACTIVE" || subs[0].InitialBalance <= 0 {
		t.Fatalf("subscriptions %+v: %v", subs, err)
	}
	e.clientT.RequireValidated(t, 5)
	e.serverM.RequireValidated(t, 5)
}

func TestSandboxRateLimitAbsorbedByGETRetry(t *testing.T) {
	cfg := fastConfig()
	cfg.RateLimit = 3
	cfg.RateWindow = time.Second
	// Pacing off, so the client runs into the limit and must retry.
	e := startSandbox(t, cfg, envOpts{disablePacing: true, retry: connect.RetryPolicy{MaxElapsed: 10 * time.Second}})
	for i := 0; i < 5; i++ {
		if _, err := e.client.ListProducts(context.Background(), connect.ProductsQuery{}); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	got := e.seen("GET /v1/products")
	n429 := 0
	for _, s := range got {
		if s == http.StatusTooManyRequests {
			n429++
		}
	}
	if n429 == 0 || len(got) != 5+n429 {
		t.Fatalf("statuses on the wire %v: want some 429s, each absorbed by one retry", got)
	}
	e.clientT.RequireValidated(t, len(got))
}

func TestSandboxPacingAvoids429(t *testing.T) {
	cfg := fastConfig()
	cfg.RateLimit = 4
	cfg.RateWindow = 500 * time.Millisecond
	e := startSandbox(t, cfg, envOpts{})
	var wg sync.WaitGroup
	errs := make(chan error, 12)
	for i := 0; i < 12; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := e.client.ListProducts(context.Background(), connect.ProductsQuery{})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range e.seen("GET /v1/products") {
		if s == http.StatusTooManyRequests {
			t.Fatalf("pacing let a 429 through: %v", e.seen("GET /v1/products"))
		}
	}
}

func TestSandboxOrderPOSTNeverRetried(t *testing.T) {
	tests := []struct {
		name      string
		fault     map[string]any
		wantOrder int // orders the sandbox holds afterwards
	}{
		{"503 before work", map[string]any{"status": 503}, 0},
		{"502 after work", map[string]any{"status": 502, "after": true}, 1},
		{"500 after work", map[string]any{"status": 500, "after": true}, 1},
		{"connection dropped after work", map[string]any{"drop": true, "after": true}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := startSandbox(t, fastConfig(), envOpts{})
			p := firstProduct(t, e.client)
			fault := map[string]any{"method": "POST", "path": "/v1/order", "count": 1}
			for k, v := range tt.fault {
				fault[k] = v
			}
			e.admin(http.MethodPost, "/_sandbox/faults", fault, nil)

			ctx := connect.WithCorrelationID(context.Background(), "corr-unknown-1")
			_, err := e.client.CreateOrder(ctx, newESIM(p.ID, "unknown@example.com"))
			var apiErr *connect.APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("err = %v, want *APIError", err)
			}
			if !apiErr.OutcomeUnknown || apiErr.CorrelationID != "corr-unknown-1" {
				t.Errorf("OutcomeUnknown=%v CorrelationID=%q", apiErr.OutcomeUnknown, apiErr.CorrelationID)
			}
			msg := err.Error()
			for _, want := range []string{"corr-unknown-1", "may or may not", "order list"} {
				if !strings.Contains(msg, want) {
					t.Errorf("message %q lacks %q", msg, want)
				}
			}
			st := e.stats()
			if st.Requests["POST /v1/order"] != 1 {
				t.Errorf("POST /v1/order reached the sandbox %d times, want exactly 1", st.Requests["POST /v1/order"])
			}
			if st.Orders != tt.wantOrder {
				t.Errorf("sandbox holds %d orders, want %d", st.Orders, tt.wantOrder)
			}
		})
	}
}

func TestSandboxTokenRefreshedAfterTTL(t *testing.T) {
	cfg := fastConfig()
	cfg.TokenTTL = time.Second
	e := startSandbox(t, cfg, envOpts{})
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		if _, err := e.client.ListProducts(ctx, connect.ProductsQuery{}); err != nil {
			t.Fatal(err)
		}
	}
	if n := e.stats().TokenRequests; n != 1 {
		t.Fatalf("token requests %d within one lifetime, want 1", n)
	}
	time.Sleep(1200 * time.Millisecond)
	if _, err := e.client.ListProducts(ctx, connect.ProductsQuery{}); err != nil {
		t.Fatal(err)
	}
	if n := e.stats().TokenRequests; n != 2 {
		t.Fatalf("token requests %d after the TTL, want 2", n)
	}
	for _, s := range e.seen("GET /v1/products") {
		if s == http.StatusUnauthorized {
			t.Fatal("the client sent an expired token instead of refreshing first")
		}
	}
}

func TestSandbox401FetchesOneFreshTokenAndRetriesOnce(t *testing.T) {
	e := startSandbox(t, fastConfig(), envOpts{})
	ctx := context.Background()
	if _, err := e.client.ListProducts(ctx, connect.ProductsQuery{}); err != nil {
		t.Fatal(err)
	}
	e.admin(http.MethodPost, "/_sandbox/tokens/revoke", nil, nil)
	if _, err := e.client.ListProducts(ctx, connect.ProductsQuery{}); err != nil {
		t.Fatalf("after revocation: %v", err)
	}
	if got := e.seen("GET /v1/products"); fmt.Sprint(got) != "[200 401 200]" {
		t.Fatalf("statuses %v, want [200 401 200]", got)
	}
	if n := e.stats().TokenRequests; n != 2 {
		t.Fatalf("token requests %d, want 2", n)
	}
}

func TestSandboxWrongSecret(t *testing.T) {
	e := startSandbox(t, fastConfig(), envOpts{clientID: "sandbox", secret: "wrong"})
	_, err := e.client.ListProducts(context.Background(), connect.ProductsQuery{})
	var ae *auth.Error
	if !errors.As(err, &ae) || ae.Code != "unauthorized_client" || ae.HTTPStatus() != 401 {
		t.Fatalf("err = %#v", err)
	}
}

func TestSandboxPaginationStyles(t *testing.T) {
	e := startSandbox(t, fastConfig(), envOpts{})
	ctx := context.Background()
	p := firstProduct(t, e.client)
	const orders = 45 // two pages of 40: one full, one short
	for i := 0; i < orders; i++ {
		if _, err := e.client.CreateOrder(ctx, newESIM(p.ID, fmt.Sprintf("page%d@example.com", i))); err != nil {
			t.Fatal(err)
		}
	}
	e.admin(http.MethodPost, "/_sandbox/sims", map[string]any{"client_id": "sandbox", "count": 80}, nil)

	t.Run("page and size", func(t *testing.T) {
		sims, err := connect.Collect(e.client.ListSIMs(ctx))
		if err != nil {
			t.Fatal(err)
		}
		if len(sims) != orders+80 || !unique(sims, func(s connect.SIMRef) string { return s.ID }) {
			t.Fatalf("%d SIMs (unique: %v), want %d", len(sims), unique(sims, func(s connect.SIMRef) string { return s.ID }), orders+80)
		}
		// 125 SIMs: pages of 40, 40, 40, 5 — the short page ends the walk.
		if n := len(e.seen("GET /v1/sim")); n != 4 {
			t.Errorf("%d page requests, want 4", n)
		}
	})
	t.Run("X-Next-Page header", func(t *testing.T) {
		subs, err := connect.Collect(e.client.ListSubscriptions(ctx, connect.SubscriptionsQuery{}))
		if err != nil {
			t.Fatal(err)
		}
		if len(subs) != orders || !unique(subs, func(s connect.Subscription) string { return s.ID }) {
			t.Fatalf("%d subscriptions, want %d unique", len(subs), orders)
		}
		if n := len(e.seen("GET /v1/subscription")); n != 2 {
			t.Errorf("%d page requests, want 2 (the second has no X-Next-Page)", n)
		}
	})
	t.Run("HAL cursor", func(t *testing.T) {
		var ids []string
		for raw, err := range e.client.Paginate(ctx, "/v1/order", url.Values{"limit": {"40"}}) {
			if err != nil {
				t.Fatal(err)
			}
			var o connect.Order
			if err := json.Unmarshal(raw, &o); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, o.ID)
		}
		if len(ids) != orders || !unique(ids, func(s string) string { return s }) {
			t.Fatalf("%d orders, want %d unique", len(ids), orders)
		}
		if n := len(e.seen("GET /v1/order")); n != 2 {
			t.Errorf("%d page requests, want 2 (the second has no next link)", n)
		}
	})
	e.clientT.RequireValidated(t, orders+8)
}

func unique[T any](items []T, key func(T) string) bool {
	seen := map[string]bool{}
	for _, it := range items {
		if seen[key(it)] {
			return false
		}
		seen[key(it)] = true
	}
	return true
}

func TestSandboxErrorModelsDecoded(t *testing.T) {
	cfg := fastConfig()
	cfg.Clients = []sandbox.ClientCredential{{ID: "other", Secret: "other", Role: sandbox.RoleReseller}}
	e := startSandbox(t, cfg, envOpts{retry: connect.RetryPolicy{MaxAttempts: 1}})
	ctx := context.Background()
	p := firstProduct(t, e.client)

	// A SIM that belongs to another client.
	other := startClient(t, e, "other", "other")
	acc, err := other.CreateOrder(ctx, newESIM(p.ID, "other@example.com"))
	if err != nil {
		t.Fatal(err)
	}
	o, err := other.GetOrder(ctx, acc.ID)
	if err != nil || o.Output == nil {
		t.Fatalf("other's order: %+v %v", o, err)
	}

	past := time.Now().Add(-48 * time.Hour).UTC().Truncate(time.Second)
	badOrder := newESIM("no-such-product", "bad@example.com")
	badOrder.Subscriptions[0].ActivationDate = past

	tests := []struct {
		name         string
		call         func(ctx context.Context) error
		status       int
		typ          string
		code         string
		msgSubstring string
	}{
		{"v1 403 on another client's SIM", func(ctx context.Context) error {
			_, err := e.client.GetSIM(ctx, o.Output.ICCID)
			return err
		}, 403, "ACCESS_DENIED", "", ""},
		{"v1 404", func(ctx context.Context) error {
			_, err := e.client.GetOrder(ctx, "7f1c2a3e-0000-4000-8000-000000000000")
			return err
		}, 404, "NOT_FOUND", "", ""},
		{"RFC 7807 order validation", func(ctx context.Context) error {
			_, err := e.client.CreateOrder(ctx, badOrder)
			return err
		}, 400, "", "UNKNOWN_PRODUCT", "no-such-product"},
		{"HTML 502 from a proxy", func(ctx context.Context) error {
			e.admin(http.MethodPost, "/_sandbox/faults", map[string]any{"method": "GET", "path": "/v1/products", "status": 502, "count": 1}, nil)
			_, err := e.client.ListProducts(ctx, connect.ProductsQuery{})
			return err
		}, 502, "", "", "Bad Gateway"},
		{"empty 503", func(ctx context.Context) error {
			e.admin(http.MethodPost, "/_sandbox/faults", map[string]any{"method": "GET", "path": "/v1/products", "status": 503, "count": 1}, nil)
			_, err := e.client.ListProducts(ctx, connect.ProductsQuery{})
			return err
		}, 503, "", "", "empty"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			corr := fmt.Sprintf("corr-err-%d", i)
			err := tt.call(connect.WithCorrelationID(ctx, corr))
			var ae *connect.APIError
			if !errors.As(err, &ae) {
				t.Fatalf("err = %v", err)
			}
			if ae.Status != tt.status || ae.HTTPStatus() != tt.status {
				t.Errorf("status %d, want %d", ae.Status, tt.status)
			}
			if tt.typ != "" && ae.Type != tt.typ {
				t.Errorf("type %q, want %q", ae.Type, tt.typ)
			}
			if tt.code != "" && !contains(ae.Codes, tt.code) {
				t.Errorf("codes %v lack %q", ae.Codes, tt.code)
			}
			if tt.typ != "" || tt.code != "" {
				if len(ae.Messages) == 0 {
					t.Errorf("no messages decoded")
				}
			}
			if ae.CorrelationID != corr {
				t.Errorf("correlation id %q, want %q", ae.CorrelationID, corr)
			}
			if msg := err.Error(); !strings.Contains(msg, corr) || !strings.Contains(msg, fmt.Sprint(tt.status)) ||
				(tt.msgSubstring != "" && !strings.Contains(msg, tt.msgSubstring)) {
				t.Errorf("message %q lacks the status, correlation id or %q", msg, tt.msgSubstring)
			}
		})
	}
	t.Run("429 body", func(t *testing.T) {
		e.admin(http.MethodPost, "/_sandbox/faults", map[string]any{"method": "GET", "path": "/v1/products", "status": 429, "count": 1}, nil)
		_, err := e.client.ListProducts(ctx, connect.ProductsQuery{})
		var ae *connect.APIError
		if !errors.As(err, &ae) || ae.Status != 429 || !strings.Contains(strings.Join(ae.Messages, " "), "Rate limit exceeded") {
			t.Fatalf("err = %#v", err)
		}
	})
	t.Run("RFC 7807 details carry json_path", func(t *testing.T) {
		_, err := e.client.CreateOrder(ctx, badOrder)
		var ae *connect.APIError
		if !errors.As(err, &ae) {
			t.Fatal(err)
		}
		paths := map[string]string{}
		for _, d := range ae.Details {
			paths[d.Code] = d.JSONPath
		}
		if paths["UNKNOWN_PRODUCT"] != "$.input.subscriptions[0].product_id" || paths["ACTIVATION_DATE_IN_PAST"] == "" {
			t.Fatalf("details %+v", ae.Details)
		}
	})
}

func startClient(t *testing.T, e *env, id, secret string) *connect.Client {
	t.Helper()
	ts, err := auth.NewClientCredentials(auth.Config{TokenURL: e.srv.URL + sandbox.TokenPath, ClientID: id, ClientSecret: secret})
	if err != nil {
		t.Fatal(err)
	}
	c, err := connect.New(connect.Options{BaseURL: e.srv.URL, TokenSource: ts,
		HTTPClient: &http.Client{Transport: e.spec.Transport(t, nil), Timeout: 10 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func TestSandboxUsageWebhooks(t *testing.T) {
	e := startSandbox(t, fastConfig(), envOpts{})
	ctx := context.Background()
	p := firstProduct(t, e.client)

	var mu sync.Mutex
	var got []connect.Notification
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var n connect.Notification
		if err := json.NewDecoder(r.Body).Decode(&n); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		mu.Lock()
		got = append(got, n)
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	defer hook.Close()

	acc, err := e.client.CreateOrder(ctx, newESIM(p.ID, "hooks@example.com"))
	if err != nil {
		t.Fatal(err)
	}
	o, err := e.client.GetOrder(ctx, acc.ID)
	if err != nil {
		t.Fatal(err)
	}
	iccid := o.Output.ICCID
	// The misspelt type of one document is accepted and stored rightly.
	for _, typ := range []string{"USAGE_THRESHOLD", "SUBSCRITPION_END"} {
		if err := e.client.RegisterNotification(ctx, iccid, typ, hook.URL+"/hook"); err != nil {
			t.Fatal(err)
		}
	}
	prefs, err := e.client.GetSIMPreferences(ctx, iccid)
	if err != nil || len(prefs.Notifications) != 2 {
		t.Fatalf("preferences %+v: %v", prefs, err)
	}
	subs, err := connect.Collect(e.client.ListSIMSubscriptions(ctx, iccid))
	if err != nil || len(subs) != 1 {
		t.Fatal(subs, err)
	}
	total := subs[0].InitialBalance
	use := func(bytes int64) {
		e.admin(http.MethodPost, "/_sandbox/usage", map[string]any{"iccid": iccid, "bytes": bytes}, nil)
	}
	use(total * 7 / 10) // 70 %: nothing yet
	use(total / 10)     // 80 %: threshold
	use(total / 20)     // 85 %: nothing new
	use(total)          // depleted (more than is left)
	use(1)              // nothing left to deplete: no second end

	mu.Lock()
	defer mu.Unlock()
	var types []string
	for _, n := range got {
		if n.ICCID != iccid || n.SubscriptionID != subs[0].ID {
			t.Errorf("notification for %s/%s", n.ICCID, n.SubscriptionID)
		}
		types = append(types, n.Type)
	}
	if strings.Join(types, ",") != "USAGE_THRESHOLD,SUBSCRIPTION_END" {
		t.Fatalf("notifications %v, want exactly one USAGE_THRESHOLD then one SUBSCRIPTION_END", types)
	}
	if got[0].Threshold == nil || *got[0].Threshold != 80 {
		t.Errorf("threshold %v, want 80", got[0].Threshold)
	}
	after, err := e.client.GetSubscription(ctx, subs[0].ID)
	if err != nil || after.Status != "DEPLETED" || after.SpentBalance != after.InitialBalance {
		t.Fatalf("subscription after depletion %+v: %v", after, err)
	}
}
