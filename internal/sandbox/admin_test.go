package sandbox

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

func TestRateLimit(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.RateLimit = 3 })
	reset := strconv.FormatInt(e.clock.Now().Add(time.Minute).UnixMilli(), 10)
	for i := 1; i <= 3; i++ {
		r := e.get("/v1/products")
		e.mustStatus(r, 200)
		if r.header.Get("x-rate-limit-limit") != "3" || r.header.Get("x-rate-limit-remaining") != strconv.Itoa(3-i) ||
			r.header.Get("x-rate-limit-reset") != reset {
			t.Fatalf("request %d headers %v", i, r.header)
		}
	}
	e.clock.Advance(20 * time.Second)
	r := e.get("/v1/products")
	if r.status != 429 || r.header.Get("Retry-After") != "40" || r.header.Get("x-rate-limit-remaining") != "0" ||
		r.header.Get("x-rate-limit-limit") != "3" || r.header.Get("x-rate-limit-reset") != reset {
		t.Fatalf("429: %d %v", r.status, r.header)
	}
	m := r.obj(t)
	if m["message"] != "Rate limit exceeded ! You reach the limit of 3 requests per 1 minutes" || m["http_status_code"] != float64(429) {
		t.Fatalf("429 body %s", r.body)
	}
	// Another endpoint, another client: their own windows. Failed
	// authentication does not count.
	e.mustStatus(e.get("/v1/sim"), 200)
	e.mustStatus(e.get("/v1/products/"+url.PathEscape(pPT.ID)), 200)
	e.mustStatus(e.call("GET", "/v1/products", e.token(otherID, otherSec), nil), 200)
	for range 5 {
		e.mustStatus(e.call("GET", "/v1/sim", "bad-token", nil), 401)
	}
	e.mustStatus(e.get("/v1/sim"), 200)
	// The window ends one minute after its first request.
	e.clock.Advance(40 * time.Second)
	r = e.get("/v1/products")
	e.mustStatus(r, 200)
	if r.header.Get("x-rate-limit-remaining") != "2" {
		t.Fatalf("new window %v", r.header)
	}
	// Off with 0.
	e0 := newEnv(t, func(c *Config) { c.RateLimit = 0 })
	for range 20 {
		e0.mustStatus(e0.get("/v1/products"), 200)
	}
}

func TestCorrelationID(t *testing.T) {
	e := newEnv(t, nil)
	if r := e.call("GET", "/v1/products", e.tok, nil, "X-Correlation-ID", "abc-123"); r.header.Get("X-Correlation-ID") != "abc-123" {
		t.Fatalf("echo: %v", r.header)
	}
	if r := e.call("GET", "/v1/products", e.tok, nil, "Correlation-Id", "def-456"); r.header.Get("X-Correlation-ID") != "def-456" || r.header.Get("Correlation-Id") != "def-456" {
		t.Fatalf("2024 name: %v", r.header)
	}
	r := e.call("GET", "/v1/sim/123", "", nil)
	if _, err := uuid.Parse(r.header.Get("X-Correlation-ID")); err != nil {
		t.Fatalf("generated id %q", r.header.Get("X-Correlation-ID"))
	}
}

func TestFaultQueue(t *testing.T) {
	e := newEnv(t, nil)
	queue := func(f map[string]any) { e.mustStatus(e.admin("POST", "/_sandbox/faults", f), 201) }

	// Before the work: each kind looks like a real deployment's answer.
	queue(map[string]any{"method": "GET", "path": "/v1/products", "status": 503})
	queue(map[string]any{"method": "get", "path": "/v1/products", "status": 502})
	queue(map[string]any{"path": "/v1/products", "status": 504})
	queue(map[string]any{"path": "/v1/products", "status": 500, "count": 2})
	r := e.get("/v1/products")
	if r.status != 503 || len(r.body) != 0 || r.header.Get("Retry-After") != "1" {
		t.Fatalf("503: %d %v %q", r.status, r.header, r.body)
	}
	r = e.get("/v1/products")
	if r.status != 502 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") || !strings.Contains(string(r.body), "Bad Gateway") {
		t.Fatalf("502: %d %v %q", r.status, r.header, r.body)
	}
	r = e.get("/v1/products")
	if m := r.obj(t); r.status != 504 || r.header.Get("Content-Type") != "application/problem+json" || m["title"] != "Gateway Timeout" || m["status"] != float64(504) {
		t.Fatalf("504: %d %s", r.status, r.body)
	}
	for range 2 {
		r = e.get("/v1/products")
		if r.status != 500 || v1Type(t, r) != "INTERNAL_ERROR" {
			t.Fatalf("500: %d %s", r.status, r.body)
		}
	}
	e.mustStatus(e.get("/v1/products"), 200)

	// A bare 429: no Retry-After, no rate-limit headers.
	queue(map[string]any{"path": "/v1/products", "status": 429, "bare": true})
	r = e.get("/v1/products")
	if r.status != 429 || r.header.Get("Retry-After") != "" || r.header.Get("x-rate-limit-reset") != "" || r.header.Get("x-rate-limit-limit") != "" {
		t.Fatalf("bare 429: %d %v %s", r.status, r.header, r.body)
	}
	queue(map[string]any{"path": "/v1/products", "status": 429})
	if r = e.get("/v1/products"); r.status != 429 || r.header.Get("Retry-After") != "1" {
		t.Fatalf("429: %d %v", r.status, r.header)
	}

	// Method and path must match.
	queue(map[string]any{"method": "POST", "path": "/v1/order", "status": 500})
	e.mustStatus(e.get("/v1/order"), 200)

	// After the work: the order exists although the answer was a 500.
	r = e.call("POST", "/v1/order", e.tok, newESIM("f@example.com", pPT.ID))
	e.mustStatus(r, 500)
	if n := len(e.get("/v1/order").arr(t)); n != 0 {
		t.Fatalf("a before-fault did the work: %d orders", n)
	}
	queue(map[string]any{"method": "POST", "path": "/v1/order", "status": 500, "after": true})
	e.mustStatus(e.call("POST", "/v1/order", e.tok, newESIM("f@example.com", pPT.ID)), 500)
	if n := len(e.get("/v1/order").arr(t)); n != 1 {
		t.Fatalf("after-fault: %d orders, want 1", n)
	}

	// Drop: the connection closes with no answer, before or after the work.
	tr := &http.Transport{DisableKeepAlives: true}
	client := &http.Client{Transport: tr}
	post := func() error {
		req, _ := http.NewRequest("POST", e.ts.URL+"/v1/order", strings.NewReader(`{"input": {"operationType": "NEW_ESIM", "countryCode": "PT",
			"customer": {"email": "d@example.com"}, "device": {"id": "x", "type": "iot"}, "subscriptions": [{"product_id": "`+pPT.ID+`"}]}}`))
		req.Header.Set("Authorization", "Bearer "+e.tok)
		resp, err := client.Do(req)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		return err
	}
	queue(map[string]any{"method": "POST", "path": "/v1/order", "drop": true})
	if err := post(); err == nil || !(errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || strings.Contains(err.Error(), "EOF") || strings.Contains(err.Error(), "reset")) {
		t.Fatalf("drop before: %v", err)
	}
	if n := len(e.get("/v1/order").arr(t)); n != 1 {
		t.Fatalf("drop before did the work: %d orders", n)
	}
	queue(map[string]any{"method": "POST", "path": "/v1/order", "drop": true, "after": true})
	if err := post(); err == nil {
		t.Fatal("drop after answered")
	}
	if n := len(e.get("/v1/order").arr(t)); n != 2 {
		t.Fatalf("drop after: %d orders, want 2", n)
	}

	// The token endpoint takes faults too; admin endpoints refuse them.
	queue(map[string]any{"path": TokenPath, "status": 503})
	code, _ := e.tokenResp(url.Values{"grant_type": {"client_credentials"}}, "sandbox", "sandbox")
	if code != 503 {
		t.Fatalf("token fault: %d", code)
	}
	e.mustStatus(e.admin("POST", "/_sandbox/faults", map[string]any{"path": "/_sandbox/stats"}), 400)
	e.mustStatus(e.admin("POST", "/_sandbox/faults", map[string]any{"path": "/v1", "status": 200}), 400)
	queue(map[string]any{"path": "/v1", "count": 5})
	if r := e.admin("DELETE", "/_sandbox/faults", nil); r.obj(t)["cleared"] != float64(1) {
		t.Fatalf("clear: %s", r.body)
	}
	e.mustStatus(e.get("/v1/products"), 200)
}

func TestFailRate(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.FailRate = 1 })
	c := e.rawClient()
	seen := map[int]bool{}
	for range 100 {
		o := e.try(c, "GET", "/v1/products", nil)
		switch o.status {
		case 0: // dropped
		case 500:
			if v1Type(t, result{body: o.body}) != "INTERNAL_ERROR" {
				t.Fatal(string(o.body))
			}
		case 502:
			if !strings.HasPrefix(o.header.Get("Content-Type"), "text/html") {
				t.Fatal(o.header)
			}
		case 503:
			if len(o.body) != 0 || o.header.Get("Retry-After") != "1" {
				t.Fatal(o.header)
			}
		case 504:
			if o.header.Get("Content-Type") != "application/problem+json" {
				t.Fatal(o.header)
			}
		default:
			t.Fatalf("status %d", o.status)
		}
		if o.header.Get("x-rate-limit-limit") != "" {
			t.Fatalf("a fault carries rate limit headers: %v", o.header)
		}
		seen[o.status] = true
	}
	if len(seen) != 5 {
		t.Fatalf("statuses seen %v (0 is a drop)", seen)
	}
	// The token endpoint and the admin endpoints are not affected; half the
	// requests fail at 0.5.
	for range 20 {
		e.token("sandbox", "sandbox")
		e.mustStatus(e.admin("GET", "/_sandbox/health", nil), 200)
		e.mustStatus(e.admin("GET", "/_sandbox/stats", nil), 200)
	}
	half := newEnv(t, func(c *Config) { c.FailRate = 0.5 })
	hc := half.rawClient()
	fails := 0
	for range 200 {
		if half.try(hc, "GET", "/v1/products", nil).status != 200 {
			fails++
		}
	}
	if fails < 60 || fails > 140 {
		t.Fatalf("%d of 200 failed at rate 0.5", fails)
	}
}

func TestStats(t *testing.T) {
	e := newEnv(t, nil)
	e.get("/v1/products")
	e.get("/v1/products")
	e.get("/v1/sim/1234")
	e.call("GET", "/v1/sim", "", nil)
	e.buy(e.tok, "s@example.com", pPT.ID, pPT.ID)
	e.tokenResp(url.Values{"grant_type": {"password"}}, "sandbox", "sandbox")
	var st struct {
		TokenRequests int            `json:"token_requests"`
		ByGrant       map[string]int `json:"token_requests_by_grant"`
		Requests      map[string]int `json:"requests"`
		Orders        int            `json:"orders"`
		SIMs          int            `json:"sims"`
		Subscriptions int            `json:"subscriptions"`
	}
	e.admin("GET", "/_sandbox/stats", nil).json(t, &st)
	if st.TokenRequests != 2 || st.ByGrant["client_credentials"] != 1 || st.ByGrant["password"] != 1 ||
		st.Requests["GET /v1/products"] != 2 || st.Requests["GET /v1/sim/{iccid}"] != 1 || st.Requests["GET /v1/sim"] != 1 ||
		st.Requests["POST /v1/order"] != 1 || st.Orders != 1 || st.SIMs != 1 || st.Subscriptions != 2 {
		t.Fatalf("stats %+v", st)
	}
}

func TestUnknownRoutes(t *testing.T) {
	e := newEnv(t, nil)
	r := e.call("PATCH", "/v1/sim/123", e.tok, "{}")
	if r.status != 405 || !strings.Contains(r.header.Get("Allow"), "GET") {
		t.Fatalf("405: %d %v %s", r.status, r.header, r.body)
	}
	r = e.get("/v1/nothing")
	if r.status != 404 || v1Type(t, r) != "NOT_FOUND" {
		t.Fatalf("404: %d %s", r.status, r.body)
	}
	if r := e.call("GET", "/v1/nothing", "", nil); r.status != 401 {
		t.Fatalf("unauthenticated unknown route: %d", r.status)
	}
	e.mustStatus(e.admin("GET", "/_sandbox/nothing", nil), 404)
}

func TestStatePersistence(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "state.json")
	clock := newClock()
	cfg := testConfig(clock)
	cfg.StateFile = file
	cfg.OrderDelay = time.Minute

	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, srv: srv, clock: clock, cfg: cfg}
	e.ts = newServer(t, srv)
	e.tok = e.token("sandbox", "sandbox")
	done := e.order(e.tok, newESIM("keep@example.com", pEurope1.ID))
	clock.Advance(time.Minute)
	out := e.get("/v1/order/" + done).obj(t)["output"].(map[string]any)
	iccid := out["iccid"].(string)
	e.mustStatus(e.call("POST", "/v1/sim/"+iccid+"/preferences/notifications/USAGE_THRESHOLD", e.tok, map[string]any{"webhook_url": "https://example.com/hook"}), 200)
	e.mustStatus(e.admin("POST", "/_sandbox/usage", map[string]any{"iccid": iccid, "bytes": 1000}), 200)
	inflight := e.order(e.tok, newESIM("later@example.com", pPT.ID))
	am := e.token(amID, amSec)
	e.mustStatus(e.call("POST", "/v1/customer", am, map[string]any{"email": "c@example.com"}), 201)
	e.bulkSIMs(otherID, 3)

	// The state is on disk before Close (a crash keeps it), with no usable
	// token in it.
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), e.tok) || !strings.Contains(string(data), iccid) {
		t.Fatal("state file holds a token or misses the SIM")
	}
	if fi, _ := os.Stat(file); fi.Mode().Perm() != 0o600 {
		t.Fatalf("state file mode %v", fi.Mode())
	}
	e.ts.Close()
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Fatalf("temporary files left: %v", ents)
	}

	srv2, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer srv2.Close()
	e2 := &env{t: t, srv: srv2, clock: clock, cfg: cfg, tok: e.tok}
	e2.ts = newServer(t, srv2)
	// Tokens survive a restart; so does everything else.
	m := e2.get("/v1/sim/" + iccid).obj(t)
	if m["iccid"] != iccid {
		t.Fatalf("SIM after restart %v", m)
	}
	subs := e2.get("/v1/sim/" + iccid + "/subscriptions").arr(t)
	if len(subs) != 1 || subs[0]["spentBalance"] != "1000" || subs[0]["id"] != out["subscription_id"] {
		t.Fatalf("subscriptions after restart %v", subs)
	}
	prefs := e2.get("/v1/sim/" + iccid + "/preferences").obj(t)["notifications"].([]any)
	if len(prefs) != 1 {
		t.Fatalf("preferences after restart %v", prefs)
	}
	if st := e2.get("/v1/order/" + inflight).obj(t)["status"]; st != "ACCEPTED" {
		t.Fatalf("in-flight order after restart: %v", st)
	}
	clock.Advance(time.Minute)
	e2.tok = e2.token("sandbox", "sandbox")
	if st := e2.get("/v1/order/" + inflight).obj(t); st["status"] != "COMPLETED" || st["output"].(map[string]any)["iccid"] == iccid {
		t.Fatalf("in-flight order completed after restart: %v", st)
	}
	e2.mustStatus(e2.call("GET", "/v1/customer?email=c%40example.com", e2.token(amID, amSec), nil), 200)
	if n := len(e2.call("GET", "/v1/sim", e2.token(otherID, otherSec), nil).arr(t)); n != 3 {
		t.Fatalf("other client's SIMs after restart: %d", n)
	}
	// New ids never repeat old ones.
	if n := len(e2.get("/v1/sim").arr(t)); n != 2 {
		t.Fatalf("SIMs after restart %d", n)
	}

	// A corrupt file is an error, not an empty sandbox.
	bad := filepath.Join(dir, "bad.json")
	_ = os.WriteFile(bad, []byte("{"), 0o600)
	cfg.StateFile = bad
	if _, err := New(cfg); err == nil {
		t.Fatal("corrupt state accepted")
	}
}

func newServer(t *testing.T, srv *Server) *httptest.Server {
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return ts
}

func TestLogging(t *testing.T) {
	var buf lockedBuf
	e := newEnv(t, func(c *Config) { c.Log = &buf })
	e.call("GET", "/v1/products", e.tok, nil, "X-Correlation-ID", "log-cid")
	out := buf.String()
	if !strings.Contains(out, "GET /v1/products 200") || !strings.Contains(out, "cid=log-cid") || strings.Contains(out, e.tok) ||
		strings.Contains(out, "sandbox:sandbox") {
		t.Fatalf("log:\n%s", out)
	}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if strings.Count(line, "\n") > 0 || len(line) > 300 {
			t.Fatalf("long log line %q", line)
		}
	}
}

// A queued delay holds the answer back: alone the real answer comes late,
// with a status the fault comes late; bad combinations are refused.
func TestFaultDelay(t *testing.T) {
	e := newEnv(t, nil)
	queue := func(f map[string]any) { e.mustStatus(e.admin("POST", "/_sandbox/faults", f), 201) }
	queue(map[string]any{"path": "/v1/products", "delay": "150ms"})
	start := time.Now()
	e.mustStatus(e.get("/v1/products"), 200)
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Fatalf("delayed answer came after %v", d)
	}
	queue(map[string]any{"path": "/v1/products", "delay": "100ms", "status": 503})
	start = time.Now()
	e.mustStatus(e.get("/v1/products"), 503)
	if d := time.Since(start); d < 100*time.Millisecond {
		t.Fatalf("delayed fault came after %v", d)
	}
	if l := e.admin("GET", "/_sandbox/faults", nil); !strings.Contains(string(l.body), `"faults":[]`) {
		t.Fatalf("faults left: %s", l.body)
	}
	for _, bad := range []map[string]any{
		{"path": "/v1", "delay": "soon"},
		{"path": "/v1", "delay": "-1s"},
		{"path": "/v1", "delay": "11m"},
		{"path": "/v1", "drop": true, "status": 500},
		{"path": "/v1", "bare": true, "status": 500},
	} {
		if r := e.admin("POST", "/_sandbox/faults", bad); r.status != 400 {
			t.Errorf("%v: %d %s, want 400", bad, r.status, r.body)
		}
	}
	queue(map[string]any{"path": "/v1/sim", "delay": "1s", "count": 2})
	if l := e.admin("GET", "/_sandbox/faults", nil); !strings.Contains(string(l.body), `"delay":"1s"`) {
		t.Fatalf("list: %s", l.body)
	}
}
