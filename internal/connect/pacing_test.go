package connect

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func rlHeader(limit, remaining int, reset time.Time) http.Header {
	h := http.Header{}
	h.Set("x-rate-limit-limit", fmt.Sprint(limit))
	h.Set("x-rate-limit-remaining", fmt.Sprint(remaining))
	h.Set("x-rate-limit-reset", fmt.Sprint(reset.UnixMilli()))
	return h
}

func TestPacerFakeClock(t *testing.T) {
	ctx := context.Background()
	const key = "GET /v1/sim/{iccid}"

	t.Run("no headers, no waiting", func(t *testing.T) {
		clk := newFakeClock()
		p := newPacer(clk.Now, clk.Sleep, nil)
		for range 5 {
			if err := p.wait(ctx, key); err != nil {
				t.Fatal(err)
			}
			p.done(key, http.Header{}, 200)
		}
		if len(clk.Slept()) != 0 {
			t.Fatalf("slept %v", clk.Slept())
		}
	})

	t.Run("quota used up waits for the reset", func(t *testing.T) {
		clk := newFakeClock()
		p := newPacer(clk.Now, clk.Sleep, nil)
		_ = p.wait(ctx, key)
		p.done(key, rlHeader(10, 0, clk.Now().Add(5*time.Second)), 200)
		if err := p.wait(ctx, key); err != nil {
			t.Fatal(err)
		}
		var total time.Duration
		for _, d := range clk.Slept() {
			total += d
		}
		if total != 5*time.Second+resetMargin {
			t.Fatalf("waited %s (%v), want reset + margin", total, clk.Slept())
		}
	})

	t.Run("last tenth spread over the time left", func(t *testing.T) {
		clk := newFakeClock()
		p := newPacer(clk.Now, clk.Sleep, nil)
		reset := clk.Now().Add(10 * time.Second)
		_ = p.wait(ctx, key)
		p.done(key, rlHeader(100, 5, reset), 200)
		var starts []time.Time
		for range 5 {
			if err := p.wait(ctx, key); err != nil {
				t.Fatal(err)
			}
			starts = append(starts, clk.Now())
			p.done(key, rlHeader(100, 4-len(starts)+1, reset), 200)
		}
		for i := 1; i < len(starts); i++ {
			gap := starts[i].Sub(starts[i-1])
			if gap < time.Second || gap > 4*time.Second {
				t.Fatalf("gaps not spread: %v", starts)
			}
		}
		if starts[4].After(reset.Add(resetMargin)) {
			t.Fatalf("spread past the reset: %v", starts[4].Sub(reset))
		}
	})

	t.Run("plenty left: no waiting", func(t *testing.T) {
		clk := newFakeClock()
		p := newPacer(clk.Now, clk.Sleep, nil)
		_ = p.wait(ctx, key)
		p.done(key, rlHeader(1000, 900, clk.Now().Add(time.Minute)), 200)
		for range 50 {
			_ = p.wait(ctx, key)
		}
		if len(clk.Slept()) != 0 {
			t.Fatalf("slept %v", clk.Slept())
		}
	})

	t.Run("in-flight requests count against the quota", func(t *testing.T) {
		clk := newFakeClock()
		p := newPacer(clk.Now, clk.Sleep, nil)
		_ = p.wait(ctx, key)
		p.done(key, rlHeader(100, 30, clk.Now().Add(time.Minute)), 200)
		for range 30 {
			_ = p.wait(ctx, key) // 30 in flight, none answered
		}
		p.mu.Lock()
		d, _ := p.eps[key].plan(clk.Now())
		p.mu.Unlock()
		if d <= 0 {
			t.Fatal("a 31st request would go although 30 are in flight on a remaining quota of 30")
		}
	})

	t.Run("late answers from the same window do not raise the quota", func(t *testing.T) {
		clk := newFakeClock()
		p := newPacer(clk.Now, clk.Sleep, nil)
		reset := clk.Now().Add(time.Minute)
		_ = p.wait(ctx, key)
		p.done(key, rlHeader(100, 60, reset), 200)
		_ = p.wait(ctx, key)
		_ = p.wait(ctx, key)
		p.done(key, rlHeader(100, 3, reset), 200)
		p.done(key, rlHeader(100, 50, reset), 200) // overtaken answer
		if st := p.eps[key]; st.remaining != 3 {
			t.Fatalf("remaining %d", st.remaining)
		}
	})

	t.Run("after the reset a fresh window is assumed", func(t *testing.T) {
		clk := newFakeClock()
		p := newPacer(clk.Now, clk.Sleep, nil)
		_ = p.wait(ctx, key)
		p.done(key, rlHeader(10, 0, clk.Now().Add(time.Second)), 200)
		_ = clk.Sleep(ctx, 2*time.Second)
		before := len(clk.Slept())
		for range 10 {
			_ = p.wait(ctx, key)
		}
		if len(clk.Slept()) != before {
			t.Fatalf("waited in a fresh window: %v", clk.Slept()[before:])
		}
	})

	t.Run("429 with Retry-After only", func(t *testing.T) {
		clk := newFakeClock()
		p := newPacer(clk.Now, clk.Sleep, nil)
		_ = p.wait(ctx, key)
		h := http.Header{}
		h.Set("Retry-After", "3")
		h.Set("x-rate-limit-limit", "10")
		p.done(key, h, 429)
		_ = p.wait(ctx, key)
		var total time.Duration
		for _, d := range clk.Slept() {
			total += d
		}
		if total < 3*time.Second {
			t.Fatalf("waited %s after a 429 asking for 3s", total)
		}
	})

	t.Run("cancelled while waiting", func(t *testing.T) {
		p := newPacer(time.Now, sleepCtx, nil)
		_ = p.wait(ctx, key)
		p.done(key, rlHeader(10, 0, time.Now().Add(time.Hour)), 200)
		cctx, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
		defer cancel()
		if err := p.wait(cctx, key); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err %v", err)
		}
	})
}

// fixedWindow is a strict rate limiter as the sandbox runs it: one window
// per endpoint, opened by its first request; past the limit, 429.
type fixedWindow struct {
	mu       sync.Mutex
	limit    int
	window   time.Duration
	start    time.Time
	count    int
	served   atomic.Int64
	rejected atomic.Int64
}

func (f *fixedWindow) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	now := time.Now()
	if f.start.IsZero() || !now.Before(f.start.Add(f.window)) {
		f.start, f.count = now, 0
	}
	f.count++
	over := f.count > f.limit
	remaining := max(f.limit-f.count, 0)
	end := f.start.Add(f.window)
	f.mu.Unlock()
	resetMs := (end.UnixNano() + int64(time.Millisecond) - 1) / int64(time.Millisecond) // ceil
	w.Header().Set("x-rate-limit-limit", fmt.Sprint(f.limit))
	w.Header().Set("x-rate-limit-remaining", fmt.Sprint(remaining))
	w.Header().Set("x-rate-limit-reset", fmt.Sprint(resetMs))
	w.Header().Set("Content-Type", "application/json")
	if over {
		f.rejected.Add(1)
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(429)
		fmt.Fprintf(w, `{"message":"Rate limit exceeded ! You reach the limit of %d requests per 1 minutes","http_status_code":429}`, f.limit)
		return
	}
	f.served.Add(1)
	time.Sleep(2 * time.Millisecond)
	fmt.Fprint(w, `{"iccid":"8944478600000205337","status":"Released"}`)
}

func TestPacingAgainstStrictFixedWindow(t *testing.T) {
	for _, tc := range []struct {
		name           string
		limit          int
		window         time.Duration
		total, workers int
		maxElapsed     time.Duration
	}{
		// 50 at 10 per 300 ms need 5 windows (about 1.2 s plus margins).
		{"10 per 300ms, 8 workers", 10, 300 * time.Millisecond, 50, 8, 3 * time.Second},
		// More workers than the quota: the first request probes alone.
		{"3 per 200ms, 12 workers", 3, 200 * time.Millisecond, 15, 12, 3 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fw := &fixedWindow{limit: tc.limit, window: tc.window}
			srv := httptest.NewServer(fw)
			defer srv.Close()
			c, err := New(Options{BaseURL: srv.URL, HTTPClient: srv.Client(), Retry: RetryPolicy{MaxAttempts: 1}})
			if err != nil {
				t.Fatal(err)
			}
			var next, errs atomic.Int64
			var wg sync.WaitGroup
			start := time.Now()
			for range tc.workers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for next.Add(1) <= int64(tc.total) {
						if _, err := c.GetSIM(context.Background(), "8944478600000205337"); err != nil {
							errs.Add(1)
							t.Log(err)
						}
					}
				}()
			}
			wg.Wait()
			elapsed := time.Since(start)
			if fw.rejected.Load() != 0 || errs.Load() != 0 {
				t.Fatalf("%d answered 429, %d errors", fw.rejected.Load(), errs.Load())
			}
			if fw.served.Load() != int64(tc.total) {
				t.Fatalf("served %d", fw.served.Load())
			}
			if elapsed > tc.maxElapsed {
				t.Fatalf("took %s: the pacer wastes quota", elapsed)
			}
			t.Logf("%d requests in %s", tc.total, elapsed)
		})
	}
}

func TestPacingSeparateEndpoints(t *testing.T) {
	// Quotas are per endpoint: exhausting one does not slow another.
	clk := newFakeClock()
	p := newPacer(clk.Now, clk.Sleep, nil)
	ctx := context.Background()
	_ = p.wait(ctx, "GET /v1/sim")
	p.done("GET /v1/sim", rlHeader(10, 0, clk.Now().Add(time.Minute)), 200)
	_ = p.wait(ctx, "POST /v1/order")
	if len(clk.Slept()) != 0 {
		t.Fatalf("slept %v", clk.Slept())
	}
}

// Concurrent callers that take spread slots before any answer comes back
// share the time left after the slots already given, so the last of the
// quota still goes before the reset (it once spilled past it: each new slot
// divided the whole time left among fewer requests).
func TestPacerSpreadSlotsFitTheWindow(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	reset := now.Add(10 * time.Second)
	st := &paceState{probed: true, known: true, resetKnown: true, limit: 100, remaining: 10, reset: reset, changed: make(chan struct{})}
	var slots []time.Duration
	for range 10 {
		d, reserved := st.plan(now)
		if !reserved {
			t.Fatalf("slot %d not reserved after %v", len(slots)+1, slots)
		}
		slots = append(slots, d)
	}
	for i, d := range slots {
		want := time.Duration(i) * (10*time.Second + resetMargin) / 10
		if diff := d - want; diff < -time.Millisecond || diff > time.Millisecond {
			t.Fatalf("slots %v: slot %d at %v, want about %v", slots, i+1, d, want)
		}
	}
	if d, reserved := st.plan(now); reserved || d <= 0 {
		t.Fatalf("an 11th request got a slot (%v) with 10 left in the window", d)
	}
}

// A 429 with neither rate-limit headers nor Retry-After, after an earlier
// window has ended, used to leave the pacer polling forever: quota zero, end
// unknown, and no request in flight whose answer could change that. Now the
// retry budget ends it with the 429.
func TestBare429AfterAnEndedWindowIsBounded(t *testing.T) {
	var clk *fakeClock
	window := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("x-rate-limit-limit", "3")
		w.Header().Set("x-rate-limit-remaining", "2")
		w.Header().Set("x-rate-limit-reset", itoa(clk.Now().Add(time.Second).UnixMilli()))
		jsonOK(`{"iccid":"894"}`)(w, r)
	}
	bare := respond(http.StatusTooManyRequests, "application/json", `{"message":"Rate limit exceeded","http_status_code":429}`)
	srv, sc := newScripted(t, window, bare)
	c, clk0, _ := newTestClient(t, srv, func(o *Options) { o.DisablePacing = false })
	clk = clk0
	if _, err := c.GetSIM(context.Background(), "894"); err != nil {
		t.Fatal(err)
	}
	_ = clk.Sleep(context.Background(), 2*time.Second) // the window ends

	done := make(chan error, 1)
	go func() { _, err := c.GetSIM(context.Background(), "894"); done <- err }()
	var err error
	select {
	case err = <-done:
	case <-time.After(10 * time.Second): // a hang guard, not a timing assertion
		t.Fatalf("still waiting after %d requests: the pacer never gives up", sc.count())
	}
	var ae *APIError
	if !errors.As(err, &ae) || ae.Status != http.StatusTooManyRequests {
		t.Fatalf("err = %v, want the 429", err)
	}
	if got := sc.count() - 1; got != 4 {
		t.Fatalf("%d attempts after the window, want the retry budget's 4", got)
	}
}
