package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// tokenServer emulates the Keycloak token endpoint of the sandbox.
type tokenServer struct {
	*httptest.Server
	calls   atomic.Int64
	ttl     int
	delay   time.Duration
	lastErr atomic.Value
}

func newTokenServer(t *testing.T, ttl int) *tokenServer {
	ts := &tokenServer{ttl: ttl}
	ts.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			http.Error(w, "bad form", 400)
			return
		}
		if r.PostForm.Get("grant_type") != "client_credentials" {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(400)
			fmt.Fprint(w, `{"error":"unsupported_grant_type"}`)
			return
		}
		if r.PostForm.Get("client_id") != "sandbox" || r.PostForm.Get("client_secret") != "s3cr3t" {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(401)
			fmt.Fprint(w, `{"error":"unauthorized_client","error_description":"Invalid client or Invalid client credentials"}`)
			return
		}
		if ts.delay > 0 {
			time.Sleep(ts.delay)
		}
		n := ts.calls.Add(1)
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{
			"access_token": fmt.Sprintf("access-%d", n), "token_type": "Bearer", "expires_in": ts.ttl,
			"refresh_token": fmt.Sprintf("refresh-%d", n), "refresh_expires_in": 1800, "scope": "RESELLER",
		})
	}))
	t.Cleanup(ts.Close)
	return ts
}

func newSource(t *testing.T, ts *tokenServer, secret string, clk *clock) *CachingSource {
	t.Helper()
	src, err := NewClientCredentials(Config{TokenURL: ts.URL + "/token", ClientID: "sandbox", ClientSecret: secret,
		HTTPClient: ts.Client(), Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	return src
}

func TestRefreshMargin(t *testing.T) {
	for _, tc := range []struct{ life, want time.Duration }{
		{2 * time.Second, 400 * time.Millisecond},
		{60 * time.Second, 12 * time.Second},
		{5 * time.Minute, 30 * time.Second},
		{time.Hour, 30 * time.Second},
		{0, 0},
	} {
		if got := RefreshMargin(tc.life); got != tc.want {
			t.Errorf("RefreshMargin(%s) = %s, want %s", tc.life, got, tc.want)
		}
	}
}

func TestReuseAndRefreshNearExpiry(t *testing.T) {
	for _, tc := range []struct {
		name        string
		ttl         int
		reuseAt     time.Duration // still reused
		refreshAt   time.Duration // replaced
		wantFetches int64
	}{
		{"5 minutes", 300, 269 * time.Second, 271 * time.Second, 2},
		{"2 seconds still reused", 2, 1500 * time.Millisecond, 1700 * time.Millisecond, 2},
		{"60 seconds", 60, 47 * time.Second, 49 * time.Second, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts := newTokenServer(t, tc.ttl)
			clk := &clock{t: time.Unix(1_700_000_000, 0)}
			src := newSource(t, ts, "s3cr3t", clk)
			ctx := context.Background()
			t1, err := src.Token(ctx)
			if err != nil {
				t.Fatal(err)
			}
			clk.Add(tc.reuseAt)
			t2, err := src.Token(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if t2.AccessToken != t1.AccessToken || ts.calls.Load() != 1 {
				t.Fatalf("token not reused at %s: %s vs %s (%d fetches)", tc.reuseAt, t1.AccessToken, t2.AccessToken, ts.calls.Load())
			}
			clk.Add(tc.refreshAt - tc.reuseAt)
			t3, err := src.Token(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if t3.AccessToken == t1.AccessToken || ts.calls.Load() != tc.wantFetches {
				t.Fatalf("token not refreshed at %s (%d fetches)", tc.refreshAt, ts.calls.Load())
			}
		})
	}
}

func TestConcurrentCallersShareOneFetch(t *testing.T) {
	ts := newTokenServer(t, 300)
	ts.delay = 50 * time.Millisecond
	src := newSource(t, ts, "s3cr3t", &clock{t: time.Now()})
	var wg sync.WaitGroup
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := src.Token(context.Background()); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if n := ts.calls.Load(); n != 1 {
		t.Fatalf("%d fetches, want 1", n)
	}
}

func TestInvalidate(t *testing.T) {
	ts := newTokenServer(t, 300)
	src := newSource(t, ts, "s3cr3t", &clock{t: time.Now()})
	ctx := context.Background()
	t1, _ := src.Token(ctx)
	src.Invalidate(&oauth2.Token{AccessToken: "some-other-token"})
	if t2, _ := src.Token(ctx); t2.AccessToken != t1.AccessToken {
		t.Fatal("invalidating another token dropped the cached one")
	}
	src.Invalidate(t1)
	t3, _ := src.Token(ctx)
	if t3.AccessToken == t1.AccessToken || ts.calls.Load() != 2 {
		t.Fatalf("Invalidate did not force a fresh token (%s, %d fetches)", t3.AccessToken, ts.calls.Load())
	}
	// A stale Invalidate (of t1, after t3 was fetched) must not drop t3.
	src.Invalidate(t1)
	if t4, _ := src.Token(ctx); t4.AccessToken != t3.AccessToken {
		t.Fatal("a stale Invalidate dropped the fresh token")
	}
}

func TestStoreSharedAcrossSources(t *testing.T) {
	ts := newTokenServer(t, 300)
	store := NewMemoryStore()
	mk := func() *CachingSource {
		src, err := NewClientCredentials(Config{TokenURL: ts.URL + "/token", ClientID: "sandbox", ClientSecret: "s3cr3t",
			HTTPClient: ts.Client(), Store: store})
		if err != nil {
			t.Fatal(err)
		}
		return src
	}
	a, b := mk(), mk()
	ta, _ := a.Token(context.Background())
	tb, _ := b.Token(context.Background())
	if ta.AccessToken != tb.AccessToken || ts.calls.Load() != 1 {
		t.Fatalf("second source did not reuse the stored token (%d fetches)", ts.calls.Load())
	}
	b.Invalidate(tb)
	if got, _ := store.Load(context.Background(), CacheKey(ts.URL+"/token", "sandbox", nil)); got != nil {
		t.Fatal("Invalidate left the token in the store")
	}
}

func TestTokenEndpointErrors(t *testing.T) {
	ts := newTokenServer(t, 300)
	src := newSource(t, ts, "wrong-secret-value", &clock{t: time.Now()})
	_, err := src.Token(context.Background())
	var ae *Error
	if !errors.As(err, &ae) {
		t.Fatalf("error %T %v, want *auth.Error", err, err)
	}
	if ae.Status != 401 || ae.Code != "unauthorized_client" || !strings.Contains(ae.Description, "Invalid client") {
		t.Fatalf("got %+v", ae)
	}
	if ae.HTTPStatus() != 401 {
		t.Fatalf("HTTPStatus %d", ae.HTTPStatus())
	}
	msg := err.Error()
	for _, want := range []string{"401", "unauthorized_client", "client id and secret"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
	if strings.Contains(msg, "wrong-secret-value") {
		t.Fatal("the secret leaked into the error")
	}

	// No answer at all.
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	src2, _ := NewClientCredentials(Config{TokenURL: dead.URL + "/token", ClientID: "a", ClientSecret: "b"})
	_, err = src2.Token(context.Background())
	if !errors.As(err, &ae) || ae.Status != 0 || ae.Cause == nil || ae.HTTPStatus() != 0 {
		t.Fatalf("transport failure: %#v", err)
	}
}

func TestNoSecretsInConfigOrDebug(t *testing.T) {
	ts := newTokenServer(t, 300)
	var buf strings.Builder
	var mu sync.Mutex
	w := writerFunc(func(p []byte) (int, error) { mu.Lock(); defer mu.Unlock(); return buf.Write(p) })
	cfg := Config{TokenURL: ts.URL + "/token", ClientID: "sandbox", ClientSecret: "s3cr3t", HTTPClient: ts.Client(), Debug: w}
	for _, s := range []string{cfg.String(), fmt.Sprintf("%v", cfg), fmt.Sprintf("%#v", cfg), fmt.Sprintf("%+v", cfg)} {
		if strings.Contains(s, "s3cr3t") {
			t.Fatalf("secret printed: %s", s)
		}
	}
	src, _ := NewClientCredentials(cfg)
	tok, err := src.Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	out := buf.String()
	mu.Unlock()
	if !strings.Contains(out, "POST") || !strings.Contains(out, "200") {
		t.Fatalf("debug output %q", out)
	}
	for _, secret := range []string{"s3cr3t", tok.AccessToken, tok.RefreshToken} {
		if strings.Contains(out, secret) {
			t.Fatalf("debug output leaks %q: %s", secret, out)
		}
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

func TestContextCancelWhileWaitingForFetch(t *testing.T) {
	block := make(chan struct{})
	src := NewCachingSource(func(ctx context.Context) (*oauth2.Token, error) {
		<-block
		return &oauth2.Token{AccessToken: "x"}, nil
	}, CacheOptions{})
	go src.Token(context.Background()) // holds the fetch
	time.Sleep(20 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	if _, err := src.Token(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err %v, want deadline exceeded", err)
	}
	close(block)
}

func TestConfigValidation(t *testing.T) {
	for _, cfg := range []Config{
		{ClientID: "a", ClientSecret: "b"},
		{TokenURL: "http://x/token", ClientSecret: "b"},
		{TokenURL: "http://x/token", ClientID: "a"},
		{TokenURL: "::bad", ClientID: "a", ClientSecret: "b"},
	} {
		if _, err := NewClientCredentials(cfg); err == nil {
			t.Errorf("%v accepted", cfg)
		}
	}
}
