package connect

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

// fakeClock drives retry decisions without real waiting: Sleep records the
// delay and moves the clock.
type fakeClock struct {
	mu    sync.Mutex
	t     time.Time
	slept []time.Duration
}

func newFakeClock() *fakeClock { return &fakeClock{t: time.Unix(1_700_000_000, 0)} }

func (f *fakeClock) Now() time.Time { f.mu.Lock(); defer f.mu.Unlock(); return f.t }

func (f *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.slept = append(f.slept, d)
	if d > 0 {
		f.t = f.t.Add(d)
	}
	return nil
}

func (f *fakeClock) Slept() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Duration(nil), f.slept...)
}

// fakeTokens hands out tok-1, tok-2, ... and counts invalidations.
type fakeTokens struct {
	mu          sync.Mutex
	n           int
	cur         string
	invalidated []string
}

func (f *fakeTokens) Token(context.Context) (*oauth2.Token, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.cur == "" {
		f.n++
		f.cur = fmt.Sprintf("tok-%d", f.n)
	}
	return &oauth2.Token{AccessToken: f.cur}, nil
}

func (f *fakeTokens) Invalidate(t *oauth2.Token) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.invalidated = append(f.invalidated, t.AccessToken)
	if t.AccessToken == f.cur {
		f.cur = ""
	}
}

// newTestClient returns a client of srv with a fake token source, a fake
// clock for retries and pacing off unless opts turn it on.
func newTestClient(t *testing.T, srv *httptest.Server, mod ...func(*Options)) (*Client, *fakeClock, *fakeTokens) {
	t.Helper()
	clk := newFakeClock()
	toks := &fakeTokens{}
	o := Options{BaseURL: srv.URL, HTTPClient: srv.Client(), TokenSource: toks, Now: clk.Now, Sleep: clk.Sleep,
		DisablePacing: true, UserAgent: "connectctl/test"}
	for _, m := range mod {
		m(&o)
	}
	c, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return c, clk, toks
}

// script answers the requests to a server in turn, repeating the last.
type script struct {
	mu    sync.Mutex
	steps []http.HandlerFunc
	n     atomic.Int64
	reqs  []*http.Request
}

func (s *script) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	i := int(s.n.Add(1)) - 1
	s.mu.Lock()
	s.reqs = append(s.reqs, r.Clone(context.Background()))
	step := s.steps[min(i, len(s.steps)-1)]
	s.mu.Unlock()
	step(w, r)
}

func (s *script) count() int { return int(s.n.Load()) }

func (s *script) requests() []*http.Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*http.Request(nil), s.reqs...)
}

func respond(status int, ctype, body string, hdr ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(hdr); i += 2 {
			w.Header().Set(hdr[i], hdr[i+1])
		}
		if ctype != "" {
			w.Header().Set("Content-Type", ctype)
		}
		w.WriteHeader(status)
		fmt.Fprint(w, body)
	}
}

func jsonOK(body string) http.HandlerFunc { return respond(200, "application/json", body) }

// drop closes the connection without an answer, after reading the request.
func drop(w http.ResponseWriter, r *http.Request) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic("no hijacker")
	}
	conn, _, err := hj.Hijack()
	if err == nil {
		conn.Close()
	}
}

func newScripted(t *testing.T, steps ...http.HandlerFunc) (*httptest.Server, *script) {
	t.Helper()
	s := &script{steps: steps}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return srv, s
}

func itoa(n int64) string { return fmt.Sprint(n) }
