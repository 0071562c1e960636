package sandbox

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock {
	return &fakeClock{t: time.Date(2025, 6, 1, 10, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// env is one sandbox served over real HTTP with a fake clock.
type env struct {
	t     *testing.T
	srv   *Server
	ts    *httptest.Server
	clock *fakeClock
	cfg   Config
	tok   string // access token of the built-in client
}

const (
	otherID  = "other"
	otherSec = "other-secret"
	amID     = "manager"
	amSec    = "manager-secret"
)

func testConfig(clock *fakeClock) Config {
	return Config{
		TokenTTL:   5 * time.Minute,
		OrderDelay: 0,
		Seed:       42,
		Now:        clock.Now,
		Clients: []ClientCredential{
			{ID: otherID, Secret: otherSec, Role: RoleReseller},
			{ID: amID, Secret: amSec, Role: RoleAccountManager},
		},
	}
}

func newEnv(t *testing.T, mutate func(*Config)) *env {
	t.Helper()
	clock := newClock()
	cfg := testConfig(clock)
	if mutate != nil {
		mutate(&cfg)
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		ts.Close()
		if err := srv.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	e := &env{t: t, srv: srv, ts: ts, clock: clock, cfg: cfg}
	e.tok = e.token(BuiltinClientID, BuiltinClientSecret)
	return e
}

// tokenResp posts a form to the token endpoint.
func (e *env) tokenResp(form url.Values, basicID, basicSecret string) (int, map[string]any) {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.ts.URL+TokenPath, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if basicID != "" {
		req.SetBasicAuth(url.QueryEscape(basicID), url.QueryEscape(basicSecret))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}

// advance moves the clock and takes a fresh token for the built-in client.
func (e *env) advance(d time.Duration) {
	e.clock.Advance(d)
	e.tok = e.token(BuiltinClientID, BuiltinClientSecret)
}

func (e *env) token(id, secret string) string {
	e.t.Helper()
	code, m := e.tokenResp(url.Values{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {secret}}, "", "")
	if code != 200 {
		e.t.Fatalf("token for %s: %d %v", id, code, m)
	}
	return m["access_token"].(string)
}

type result struct {
	status int
	header http.Header
	body   []byte
}

func (r result) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

func (r result) obj(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	r.json(t, &m)
	return m
}

func (r result) arr(t *testing.T) []map[string]any {
	t.Helper()
	var a []map[string]any
	r.json(t, &a)
	return a
}

// call sends a request with a token ("" for none) and a JSON body (a
// string is sent as is).
func (e *env) call(method, path, tok string, body any, hdr ...string) result {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(data)
	}
	target := path
	if !strings.HasPrefix(path, "http") {
		target = e.ts.URL + path
	}
	req, err := http.NewRequest(method, target, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return result{status: resp.StatusCode, header: resp.Header, body: data}
}

func (e *env) get(path string) result { return e.call(http.MethodGet, path, e.tok, nil) }

func (e *env) mustStatus(r result, want int) {
	e.t.Helper()
	if r.status != want {
		e.t.Fatalf("status %d, want %d: %s", r.status, want, r.body)
	}
}

func (e *env) admin(method, path string, body any) result {
	e.t.Helper()
	return e.call(method, path, "", body)
}

// v1Type checks a v1 error answer and returns its type.
func v1Type(t *testing.T, r result) string {
	t.Helper()
	var v struct {
		Type     string   `json:"type"`
		Messages []string `json:"messages"`
	}
	r.json(t, &v)
	if v.Type == "" || len(v.Messages) == 0 {
		t.Fatalf("not a v1 error: %s", r.body)
	}
	return v.Type
}

var (
	pEurope1 = catalogue.Get()[0] // id has + and /
	pEurope5 = catalogue.Get()[1]
	pPT      = catalogue.Get()[9] // 500 MB
)

func newESIM(email string, productIDs ...string) map[string]any {
	subs := []map[string]any{}
	for _, id := range productIDs {
		subs = append(subs, map[string]any{"product_id": id})
	}
	return map[string]any{"input": map[string]any{
		"operationType": "NEW_ESIM",
		"countryCode":   "PT",
		"customer":      map[string]any{"email": email},
		"device":        map[string]any{"id": "device-1", "type": "ios"},
		"subscriptions": subs,
	}}
}

// order places an order and returns its id.
func (e *env) order(tok string, body any) string {
	e.t.Helper()
	r := e.call(http.MethodPost, "/v1/order", tok, body)
	e.mustStatus(r, http.StatusCreated)
	m := r.obj(e.t)
	if m["status"] != "ACCEPTED" || m["externalId"] != m["id"] {
		e.t.Fatalf("order answer %s", r.body)
	}
	return m["id"].(string)
}

// buy places a NEW_ESIM order (the env's delay must be 0) and returns the
// completed order's output.
func (e *env) buy(tok, email string, productIDs ...string) map[string]any {
	e.t.Helper()
	id := e.order(tok, newESIM(email, productIDs...))
	r := e.call(http.MethodGet, "/v1/order/"+url.PathEscape(id), tok, nil)
	e.mustStatus(r, 200)
	m := r.obj(e.t)
	if m["status"] != "COMPLETED" {
		e.t.Fatalf("order not completed: %s", r.body)
	}
	return m["output"].(map[string]any)
}

type lockedBuf struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuf) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuf) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
