package connect

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/connectctl/connectctl/internal/auth"
)

func TestBuildPathEscapesOneSegment(t *testing.T) {
	for _, tc := range []struct {
		template string
		args     []string
		wantPath string
		wantRaw  string
	}{
		{"/v1/products/{id}", []string{"SaLjq5bqP8rsY5k8VVQtFs_punENj1R8ima-M3DQTjg="}, "/v1/products/SaLjq5bqP8rsY5k8VVQtFs_punENj1R8ima-M3DQTjg=", "/v1/products/SaLjq5bqP8rsY5k8VVQtFs_punENj1R8ima-M3DQTjg%3D"},
		{"/v1/products/{id}", []string{"a/b+c=*"}, "/v1/products/a/b+c=*", "/v1/products/a%2Fb%2Bc%3D%2A"},
		{"/v1/subscription/{id}/activate", []string{"Q-hz/c6+EE=="}, "/v1/subscription/Q-hz/c6+EE==/activate", "/v1/subscription/Q-hz%2Fc6%2BEE%3D%3D/activate"},
		{"/v1/sim/{iccid}/preferences/notifications/{type}", []string{"894", "USAGE_THRESHOLD"}, "/v1/sim/894/preferences/notifications/USAGE_THRESHOLD", "/v1/sim/894/preferences/notifications/USAGE_THRESHOLD"},
		{"/v1/sim/{iccid}", []string{".."}, "/v1/sim/..", "/v1/sim/%2E%2E"},
		{"/v1/sim/{iccid}", []string{"a b?c#d%"}, "/v1/sim/a b?c#d%", "/v1/sim/a%20b%3Fc%23d%25"},
	} {
		p, raw, err := BuildPath(tc.template, tc.args...)
		if err != nil || p != tc.wantPath || raw != tc.wantRaw {
			t.Errorf("BuildPath(%q, %q) = %q, %q, %v", tc.template, tc.args, p, raw, err)
		}
		u := url.URL{Path: p, RawPath: raw}
		if u.EscapedPath() != tc.wantRaw {
			t.Errorf("url.URL would send %q, want %q", u.EscapedPath(), tc.wantRaw)
		}
	}
	for _, bad := range [][]string{{}, {""}, {"a", "b"}} {
		if _, _, err := BuildPath("/v1/sim/{iccid}", bad...); err == nil {
			t.Errorf("args %q accepted", bad)
		}
	}
}

func TestPathsOnTheWire(t *testing.T) {
	var mu sync.Mutex
	var got []string
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, r.Method+" "+r.URL.EscapedPath())
		mu.Unlock()
		w.Write([]byte(`{}`))
	})
	var pv []string
	mux.HandleFunc("GET /base/v1/products/{id}", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		pv = append(pv, r.PathValue("id"))
		mu.Unlock()
		w.Write([]byte(`{"id":"x"}`))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c, _, _ := newTestClient(t, srv, func(o *Options) { o.BaseURL = srv.URL + "/base/" })
	ctx := context.Background()
	id := "ab/cd+ef=gh-_*"
	if _, err := c.GetProduct(ctx, id); err != nil {
		t.Fatal(err)
	}
	_, _ = c.GetSubscription(ctx, id)
	_, _ = c.ActivateSubscription(ctx, id)
	_ = c.RegisterNotification(ctx, "894", "SUBSCRITPION_END", "https://h")
	_ = c.UnregisterNotification(ctx, "894", "USAGE_THRESHOLD")
	_, _ = c.GetCustomer(ctx, "c/1")
	want := []string{
		"GET /base/v1/subscription/ab%2Fcd%2Bef%3Dgh-_%2A",
		"POST /base/v1/subscription/ab%2Fcd%2Bef%3Dgh-_%2A/activate",
		"POST /base/v1/sim/894/preferences/notifications/SUBSCRIPTION_END",
		"DELETE /base/v1/sim/894/preferences/notifications/USAGE_THRESHOLD",
		"GET /base/v1/customer/c%2F1",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("on the wire:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(pv) != 1 || pv[0] != id {
		t.Fatalf("server saw product id %q, want %q (one segment)", pv, id)
	}
}

func TestEveryEndpointHasAMethod(t *testing.T) {
	// Each row of the table is reachable through a typed method; the path of
	// the request matches its template.
	seen := map[string]bool{}
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ep, ok := matchEndpoint(r.Method, r.URL.EscapedPath())
		mu.Lock()
		if ok {
			seen[string(ep.Name)] = true
		}
		mu.Unlock()
		switch {
		case r.Method == http.MethodGet && (r.URL.Path == "/v1/products" || r.URL.Path == "/v1/sim" || r.URL.Path == "/v1/order" || r.URL.Path == "/v1/subscription" || strings.HasSuffix(r.URL.Path, "/subscriptions")):
			w.Write([]byte(`[]`))
		case r.URL.Path == "/v1/customer" && r.Method == http.MethodGet:
			w.Write([]byte(`[{"id":"c1","email":"a@b.c"}]`))
		default:
			w.Write([]byte(`{"id":"x"}`))
		}
	}))
	defer srv.Close()
	c, _, _ := newTestClient(t, srv)
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err := c.ListProducts(ctx, ProductsQuery{Currency: "USD", PlanID: "p"})
	must(err)
	_, err = c.GetProduct(ctx, "p")
	must(err)
	_, err = c.CreateOrder(ctx, OrderInput{OperationType: "TOPUP_ACTIVATION"})
	must(err)
	_, err = c.GetOrder(ctx, "o")
	must(err)
	_, err = Collect(c.ListOrders(ctx, OrdersQuery{}))
	must(err)
	_, err = Collect(c.ListSIMs(ctx))
	must(err)
	_, err = c.GetSIM(ctx, "1")
	must(err)
	must(c.ChangeEID(ctx, "1", "2"))
	must(c.DeleteSIM(ctx, "1"))
	_, err = Collect(c.ListSIMSubscriptions(ctx, "1"))
	must(err)
	_, err = c.GetSIMPreferences(ctx, "1")
	must(err)
	must(c.RegisterNotification(ctx, "1", "USAGE_THRESHOLD", "u"))
	must(c.UnregisterNotification(ctx, "1", "USAGE_THRESHOLD"))
	_, err = Collect(c.ListSubscriptions(ctx, SubscriptionsQuery{}))
	must(err)
	_, err = c.GetSubscription(ctx, "s")
	must(err)
	_, err = c.ActivateSubscription(ctx, "s")
	must(err)
	_, err = c.CreateCustomer(ctx, CustomerInput{Email: "a@b.c"})
	must(err)
	cu, err := c.FindCustomerByEmail(ctx, "a@b.c")
	must(err)
	if cu.ID != "c1" {
		t.Fatalf("%+v", cu)
	}
	_, err = c.GetCustomer(ctx, "c")
	must(err)
	_, err = c.UpdateCustomer(ctx, "c", CustomerUpdate{})
	must(err)
	for _, e := range Endpoints() {
		if !seen[string(e.Name)] {
			t.Errorf("endpoint %s not exercised", e.Name)
		}
	}
}

func TestFindCustomerNotFound(t *testing.T) {
	srv, _ := newScripted(t, jsonOK(`[]`))
	c, _, _ := newTestClient(t, srv)
	_, err := c.FindCustomerByEmail(context.Background(), "a@b.c")
	var nf *NotFoundError
	if !errors.As(err, &nf) || nf.HTTPStatus() != 404 {
		t.Fatalf("%v", err)
	}
}

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestHeaders(t *testing.T) {
	srv, sc := newScripted(t, jsonOK(`{"id":"o","status":"ACCEPTED"}`))
	c, _, _ := newTestClient(t, srv, func(o *Options) { o.UserAgent = "" })
	ctx := context.Background()
	_, _ = c.GetSIM(ctx, "1")
	_, _ = c.GetSIM(ctx, "1")
	_, _ = c.CreateOrder(ctx, OrderInput{OperationType: "NEW_ESIM"})
	_, _ = c.GetSIM(WithCorrelationID(ctx, "mine-123"), "1")
	reqs := sc.requests()
	for i, r := range reqs {
		if r.Header.Get("Authorization") != "Bearer tok-1" {
			t.Errorf("%d: Authorization %q", i, r.Header.Get("Authorization"))
		}
		if r.Header.Get("Accept") != "application/json" {
			t.Errorf("%d: Accept %q", i, r.Header.Get("Accept"))
		}
		if ua := r.Header.Get("User-Agent"); !strings.HasPrefix(ua, "connectctl/") {
			t.Errorf("%d: User-Agent %q", i, ua)
		}
		if r.Header.Get("Correlation-Id") != r.Header.Get("X-Correlation-ID") {
			t.Errorf("%d: the two correlation headers differ", i)
		}
	}
	if !uuidRE.MatchString(reqs[0].Header.Get("X-Correlation-ID")) || reqs[0].Header.Get("X-Correlation-ID") == reqs[1].Header.Get("X-Correlation-ID") {
		t.Errorf("correlation ids %q %q: want a fresh UUID each", reqs[0].Header.Get("X-Correlation-ID"), reqs[1].Header.Get("X-Correlation-ID"))
	}
	if reqs[0].Header.Get("Content-Type") != "" || reqs[2].Header.Get("Content-Type") != "application/json" {
		t.Errorf("Content-Type %q / %q", reqs[0].Header.Get("Content-Type"), reqs[2].Header.Get("Content-Type"))
	}
	if reqs[3].Header.Get("X-Correlation-ID") != "mine-123" {
		t.Errorf("context correlation id not used: %q", reqs[3].Header.Get("X-Correlation-ID"))
	}

	srv2, sc2 := newScripted(t, jsonOK(`{}`))
	c2, _, _ := newTestClient(t, srv2, func(o *Options) { o.CorrelationID = "fixed-1" })
	_, _ = c2.GetSIM(ctx, "1")
	if got := sc2.requests()[0].Header.Get("X-Correlation-ID"); got != "fixed-1" {
		t.Errorf("options correlation id not used: %q", got)
	}
}

func TestRawDo(t *testing.T) {
	srv, sc := newScripted(t,
		respond(201, "application/json", `{"ok":true}`, "X-Correlation-ID", "srv"),
		respond(404, "application/json", `{"type":"NOT_FOUND","messages":["nope"]}`))
	c, _, _ := newTestClient(t, srv)
	ctx := context.Background()
	res, err := c.Do(ctx, RawRequest{Method: "post", Path: "/v1/sim/1/preferences/notifications/USAGE_THRESHOLD?x=1",
		Query: url.Values{"y": {"2"}}, Body: []byte(`{"webhook_url":"u"}`), Headers: http.Header{"X-Extra": {"e"}, "Authorization": {"Bearer stolen"}}})
	if err != nil || res.Status != 201 || string(res.Body) != `{"ok":true}` {
		t.Fatalf("%+v %v", res, err)
	}
	r0 := sc.requests()[0]
	if r0.Method != "POST" || r0.URL.Query().Get("x") != "1" || r0.URL.Query().Get("y") != "2" ||
		r0.Header.Get("X-Extra") != "e" || r0.Header.Get("Authorization") != "Bearer tok-1" || r0.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("request %s %s %v", r0.Method, r0.URL, r0.Header)
	}
	res, err = c.Do(ctx, RawRequest{Path: "v1/sim/2"})
	var ae *APIError
	if res == nil || res.Status != 404 || !errors.As(err, &ae) || ae.Type != "NOT_FOUND" || ae.Endpoint != EPSIMGet {
		t.Fatalf("%+v %v", res, err)
	}
	if _, err := c.Do(ctx, RawRequest{Path: "https://evil.example.com/v1/sim"}); err == nil {
		t.Fatal("foreign host accepted")
	}
	if sc.count() != 2 {
		t.Fatalf("%d requests", sc.count())
	}
}

func TestDebugRedacts(t *testing.T) {
	srv, _ := newScripted(t, respond(200, "application/json", `{"iccid":"1","lpa_url":"LPA:1$rsp.truphone.com$SECRET-CODE"}`, "X-Correlation-ID", "srv-c"))
	var buf strings.Builder
	var mu sync.Mutex
	w := writerFunc(func(p []byte) (int, error) { mu.Lock(); defer mu.Unlock(); return buf.Write(p) })
	c, _, _ := newTestClient(t, srv, func(o *Options) {
		o.Debug = w
		o.TokenSource = auth.StaticTokenSource{AccessToken: "eyJhbGciOi.super-secret-token"}
	})
	_, _ = c.GetSIM(context.Background(), "1")
	_, _ = c.Do(context.Background(), RawRequest{Path: "/v1/sim?access_token=leak1&client_secret=leak2&refresh_token=leak3"})
	mu.Lock()
	out := buf.String()
	mu.Unlock()
	for _, secret := range []string{"super-secret-token", "leak1", "leak2", "leak3", "SECRET-CODE"} {
		if strings.Contains(out, secret) {
			t.Fatalf("debug output leaks %q:\n%s", secret, out)
		}
	}
	for _, want := range []string{"GET ", "/v1/sim/1", "200 OK", "attempt 1/4", "correlation id", "srv-c", "Bearer REDACTED", "endpoint sim.get"} {
		if !strings.Contains(out, want) {
			t.Fatalf("debug output lacks %q:\n%s", want, out)
		}
	}
	if got := RedactString(`{"access_token":"abc","refresh_token":"def"} Authorization: Bearer xyz client_secret=s3`); strings.Contains(got, "abc") ||
		strings.Contains(got, "def") || strings.Contains(got, "xyz") || strings.Contains(got, "s3") {
		t.Fatalf("RedactString: %s", got)
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

func TestNewValidatesBaseURL(t *testing.T) {
	for _, b := range []string{"", "services.truphone.com/connect-api", "ftp://x", "https://u:p@x", "https://x?q=1"} {
		if _, err := New(Options{BaseURL: b}); err == nil {
			t.Errorf("%q accepted", b)
		}
	}
}
