package connect

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// WithFinishOnceSent: an interruption stops a call that has not been sent,
// and never abandons one that has.
func TestFinishOnceSent(t *testing.T) {
	accepted := `{"id":"b27ec0e7-ad36-45ab-8e2f-c291441a2355","status":"ACCEPTED"}`
	order := OrderInput{OperationType: OperationNewESIM, Subscriptions: []OrderSubscription{{ProductID: "p"}}}

	t.Run("cancelled before sending: nothing goes out", func(t *testing.T) {
		var hits atomic.Int32
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			hits.Add(1)
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(accepted))
		}))
		defer srv.Close()
		c, _, _ := newTestClient(t, srv)
		for range 200 {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			_, err := c.CreateOrder(WithFinishOnceSent(ctx), order)
			var ae *APIError
			if !errors.As(err, &ae) || ae.Status != 0 || ae.OutcomeUnknown || !errors.Is(err, context.Canceled) {
				t.Fatalf("err %v: want a not-sent cancellation", err)
			}
		}
		if n := hits.Load(); n != 0 {
			t.Fatalf("%d requests reached the server after the interruption", n)
		}
	})

	t.Run("cancelled while the API works: the answer is awaited", func(t *testing.T) {
		arrived, proceed := make(chan struct{}), make(chan struct{})
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			close(arrived)
			<-proceed
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(accepted))
		}))
		defer srv.Close()
		c, _, _ := newTestClient(t, srv)
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			<-arrived
			cancel()
			time.Sleep(30 * time.Millisecond) // room for a wrong cancellation to land
			close(proceed)
		}()
		acc, err := c.CreateOrder(WithFinishOnceSent(ctx), order)
		if err != nil || acc.ID == "" {
			t.Fatalf("the answer of a sent order was dropped: %v", err)
		}
		if ctx.Err() == nil {
			t.Fatal("the context was never cancelled: the test proves nothing")
		}
	})

	t.Run("cancelled while the limiter holds it back: it stops at once", func(t *testing.T) {
		var hits atomic.Int32
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			hits.Add(1)
			// The quota is used up for a minute.
			w.Header().Set("x-rate-limit-limit", "1")
			w.Header().Set("x-rate-limit-remaining", "0")
			w.Header().Set("x-rate-limit-reset", itoa(time.Now().Add(time.Minute).UnixMilli()))
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(accepted))
		}))
		defer srv.Close()
		c, _, _ := newTestClient(t, srv, func(o *Options) {
			o.DisablePacing, o.Now, o.Sleep = false, time.Now, sleepCtx
		})
		if _, err := c.CreateOrder(context.Background(), order); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(100*time.Millisecond, cancel)
		start := time.Now()
		_, err := c.CreateOrder(WithFinishOnceSent(ctx), order)
		var ae *APIError
		if !errors.As(err, &ae) || ae.OutcomeUnknown || time.Since(start) > 5*time.Second {
			t.Fatalf("err %v after %s: want a prompt not-sent cancellation", err, time.Since(start))
		}
		if n := hits.Load(); n != 1 {
			t.Fatalf("%d requests reached the server, want 1", n)
		}
	})
}
