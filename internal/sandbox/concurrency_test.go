package sandbox

import (
	"fmt"
	"net/http"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

func TestConcurrentUse(t *testing.T) {
	file := filepath.Join(t.TempDir(), "state.json")
	e := newEnv(t, func(c *Config) { c.StateFile = file; c.RateLimit = 10000 })
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 5 {
				body := newESIM(fmt.Sprintf("w%d-%d@example.com", w, i), pPT.ID)
				r := e.call(http.MethodPost, "/v1/order", e.tok, body)
				if r.status != 201 {
					errs <- fmt.Errorf("order: %d %s", r.status, r.body)
					return
				}
				for _, p := range []string{"/v1/sim?size=5", "/v1/subscription?limit=3", "/v1/order", "/v1/products"} {
					if r := e.get(p); r.status != 200 {
						errs <- fmt.Errorf("%s: %d", p, r.status)
					}
				}
				e.admin("GET", "/_sandbox/stats", nil)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := len(e.get("/v1/order?page_size=40").arr(t)); n != 40 {
		t.Fatalf("%d orders", n)
	}
	e.srv.Close()
	srv2, err := New(e.cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer srv2.Close()
	srv2.mu.Lock()
	n := len(srv2.st.orders)
	srv2.mu.Unlock()
	if n != 40 {
		t.Fatalf("%d orders persisted", n)
	}
}

func TestLatency(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.Latency = 60 * time.Millisecond })
	start := time.Now()
	e.mustStatus(e.get("/v1/products"), 200)
	if d := time.Since(start); d < 60*time.Millisecond {
		t.Fatalf("answered in %v", d)
	}
	start = time.Now()
	e.admin("GET", "/_sandbox/stats", nil)
	if d := time.Since(start); d >= 60*time.Millisecond {
		t.Fatalf("admin delayed %v", d)
	}
}
