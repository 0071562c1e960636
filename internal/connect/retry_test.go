package connect

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/connectctl/connectctl/internal/auth"
)

func TestRetriesByMethodAndStatus(t *testing.T) {
	type callFn func(c *Client) error
	get := func(c *Client) error { _, err := c.GetSIM(context.Background(), "894"); return err }
	put := func(c *Client) error {
		return c.ChangeEID(context.Background(), "894", "89049032004008882600019002594762")
	}
	del := func(c *Client) error { return c.DeleteSIM(context.Background(), "894") }
	post := func(c *Client) error {
		return c.RegisterNotification(context.Background(), "894", "USAGE_THRESHOLD", "https://h/x")
	}
	order := func(c *Client) error {
		_, err := c.CreateOrder(context.Background(), OrderInput{OperationType: "NEW_ESIM"})
		return err
	}
	patch := func(c *Client) error {
		_, err := c.UpdateCustomer(context.Background(), "c1", CustomerUpdate{})
		return err
	}
	v1 := func(status int, typ string) http.HandlerFunc {
		return respond(status, "application/json", `{"type":"`+typ+`","messages":["x"]}`)
	}
	for _, tc := range []struct {
		name     string
		call     callFn
		first    http.HandlerFunc
		wantReqs int // with the second answer a success
		wantErr  bool
	}{
		{"GET 500 retried", get, v1(500, "INTERNAL_ERROR"), 2, false},
		{"GET 502 retried", get, respond(502, "text/html", "<h1>bad gateway</h1>"), 2, false},
		{"GET 503 retried", get, respond(503, "", "", "Retry-After", "1"), 2, false},
		{"GET 504 retried", get, respond(504, "application/problem+json", `{"title":"Gateway Timeout","status":504}`), 2, false},
		{"GET 429 retried", get, respond(429, "application/json", `{"message":"Rate limit exceeded","http_status_code":429}`), 2, false},
		{"GET dropped connection retried", get, drop, 2, false},
		{"PUT 503 retried", put, respond(503, "", ""), 2, false},
		{"DELETE 500 retried", del, v1(500, "INTERNAL_ERROR"), 2, false},
		{"GET 400 not retried", get, v1(400, "INVALID_REQUEST_PARAMS"), 1, true},
		{"GET 403 not retried", get, v1(403, "ACCESS_DENIED"), 1, true},
		{"GET 404 not retried", get, v1(404, "NOT_FOUND"), 1, true},
		{"GET 501 not retried", get, v1(501, "X"), 1, true},
		{"POST 500 not retried", post, v1(500, "INTERNAL_ERROR"), 1, true},
		{"POST dropped not retried", post, drop, 1, true},
		{"POST order 503 not retried", order, respond(503, "", ""), 1, true},
		{"POST order 502 not retried", order, respond(502, "text/html", "<p>x</p>"), 1, true},
		{"POST order dropped not retried", order, drop, 1, true},
		{"POST 429 not retried by default", post, respond(429, "application/json", `{"message":"Rate limit exceeded","http_status_code":429}`, "Retry-After", "1"), 1, true},
		{"POST order 429 not retried by default", order, respond(429, "application/json", `{"message":"Rate limit exceeded","http_status_code":429}`, "Retry-After", "1"), 1, true},
		{"PATCH 503 not retried", patch, respond(503, "", ""), 1, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, sc := newScripted(t, tc.first, jsonOK(`{"id":"x","status":"ACCEPTED","iccid":"894"}`))
			c, _, _ := newTestClient(t, srv)
			err := tc.call(c)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v", err)
			}
			if sc.count() != tc.wantReqs {
				t.Fatalf("%d requests, want %d", sc.count(), tc.wantReqs)
			}
		})
	}
}

func TestPOSTRetryOn429OptIn(t *testing.T) {
	srv, sc := newScripted(t, respond(429, "application/json", `{"message":"Rate limit exceeded","http_status_code":429}`, "Retry-After", "1"),
		respond(201, "application/json", `{"id":"o1","status":"ACCEPTED"}`))
	c, clk, _ := newTestClient(t, srv, func(o *Options) { o.Retry.RetryPOSTOn429 = true })
	a, err := c.CreateOrder(context.Background(), OrderInput{OperationType: "NEW_ESIM"})
	if err != nil || a.ID != "o1" || sc.count() != 2 || len(clk.Slept()) != 1 || clk.Slept()[0] < time.Second {
		t.Fatalf("%v %+v %d %v", err, a, sc.count(), clk.Slept())
	}
	// A 5xx is still never retried, and is an unknown outcome.
	srv2, sc2 := newScripted(t, respond(500, "application/json", `{"type":"INTERNAL_ERROR","messages":["x"]}`))
	c2, _, _ := newTestClient(t, srv2, func(o *Options) { o.Retry.RetryPOSTOn429 = true })
	_, err = c2.CreateOrder(context.Background(), OrderInput{OperationType: "NEW_ESIM"})
	var ae *APIError
	if !errors.As(err, &ae) || !ae.OutcomeUnknown || sc2.count() != 1 {
		t.Fatalf("%v %d", err, sc2.count())
	}
}

func TestRetryAfterAndResetHonoured(t *testing.T) {
	for _, tc := range []struct {
		name string
		hdr  func(now time.Time) []string
		want time.Duration
	}{
		{"Retry-After seconds", func(time.Time) []string { return []string{"Retry-After", "5"} }, 5 * time.Second},
		{"Retry-After HTTP date", func(now time.Time) []string {
			return []string{"Retry-After", now.Add(9 * time.Second).UTC().Format(http.TimeFormat)}
		}, 9 * time.Second},
		{"x-rate-limit-reset", func(now time.Time) []string {
			return []string{"x-rate-limit-reset", itoa(now.Add(4 * time.Second).UnixMilli()), "x-rate-limit-remaining", "0"}
		}, 4*time.Second + resetMargin},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clk := newFakeClock()
			first := func(w http.ResponseWriter, r *http.Request) {
				respond(429, "application/json", `{"message":"Rate limit exceeded","http_status_code":429}`, tc.hdr(clk.Now())...)(w, r)
			}
			srv, sc := newScripted(t, first, jsonOK(`{"iccid":"1"}`))
			c, _, _ := newTestClient(t, srv, func(o *Options) { o.Now, o.Sleep = clk.Now, clk.Sleep })
			if _, err := c.GetSIM(context.Background(), "1"); err != nil {
				t.Fatal(err)
			}
			slept := clk.Slept()
			if sc.count() != 2 || len(slept) != 1 || slept[0] != tc.want {
				t.Fatalf("%d requests, slept %v, want one sleep of %s", sc.count(), slept, tc.want)
			}
		})
	}
}

func TestBackoffBounded(t *testing.T) {
	t.Run("max attempts", func(t *testing.T) {
		srv, sc := newScripted(t, respond(500, "application/json", `{"type":"INTERNAL_ERROR","messages":["boom"]}`))
		c, clk, _ := newTestClient(t, srv, func(o *Options) {
			o.Retry = RetryPolicy{MaxAttempts: 3, BaseDelay: 100 * time.Millisecond, MaxDelay: 150 * time.Millisecond}
		})
		_, err := c.GetSIM(context.Background(), "1")
		var ae *APIError
		if !errors.As(err, &ae) || ae.Status != 500 || ae.Attempts != 3 {
			t.Fatalf("%v", err)
		}
		if sc.count() != 3 {
			t.Fatalf("%d requests", sc.count())
		}
		for i, d := range clk.Slept() {
			ceil := []time.Duration{100 * time.Millisecond, 150 * time.Millisecond}[i]
			if d < 0 || d > ceil {
				t.Errorf("sleep %d = %s, outside full-jitter range [0, %s]", i, d, ceil)
			}
		}
	})
	t.Run("max elapsed", func(t *testing.T) {
		srv, sc := newScripted(t, respond(503, "", "", "Retry-After", "20"))
		c, _, _ := newTestClient(t, srv, func(o *Options) { o.Retry = RetryPolicy{MaxAttempts: 10, MaxElapsed: 30 * time.Second} })
		_, err := c.GetSIM(context.Background(), "1")
		var ae *APIError
		if !errors.As(err, &ae) || ae.Status != 503 || ae.RetryAfter != 20*time.Second {
			t.Fatalf("%v", err)
		}
		// 0s first, 20s second, a third would end at 40s > 30s.
		if sc.count() != 2 {
			t.Fatalf("%d requests, want 2", sc.count())
		}
	})
	t.Run("retry-after beyond budget gives up at once", func(t *testing.T) {
		srv, sc := newScripted(t, respond(429, "application/json", `{"message":"Rate limit exceeded","http_status_code":429}`, "Retry-After", "45"))
		c, clk, _ := newTestClient(t, srv)
		_, err := c.GetSIM(context.Background(), "1")
		if err == nil || sc.count() != 1 || len(clk.Slept()) != 0 {
			t.Fatalf("err %v, %d requests, slept %v", err, sc.count(), clk.Slept())
		}
		if !strings.Contains(err.Error(), "retry after 45s") {
			t.Fatalf("message: %s", err)
		}
	})
}

func TestRetryCancelledByContext(t *testing.T) {
	srv, sc := newScripted(t, respond(503, "", "", "Retry-After", "2"))
	ctx, cancel := context.WithCancel(context.Background())
	c, _, _ := newTestClient(t, srv, func(o *Options) {
		o.Sleep = func(ctx context.Context, d time.Duration) error {
			cancel() // the user presses Ctrl-C during the backoff
			return sleepCtx(ctx, d)
		}
	})
	start := time.Now()
	_, err := c.GetSIM(ctx, "1")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
	if sc.count() != 1 || time.Since(start) > time.Second {
		t.Fatalf("%d requests in %s", sc.count(), time.Since(start))
	}
}

func TestRetryRealBackoffWithinBudget(t *testing.T) {
	// Real clock: a flaky endpoint recovers on the third attempt.
	srv, sc := newScripted(t, respond(502, "text/html", "<b>bad</b>"), drop, jsonOK(`{"iccid":"1"}`))
	c, err := New(Options{BaseURL: srv.URL, HTTPClient: srv.Client(), DisablePacing: true,
		Retry: RetryPolicy{BaseDelay: 5 * time.Millisecond, MaxDelay: 20 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	sim, err := c.GetSIM(context.Background(), "1")
	if err != nil || sim.ICCID != "1" || sc.count() != 3 {
		t.Fatalf("sim %+v err %v after %d requests", sim, err, sc.count())
	}
}

func TestOrderOutcomeUnknown(t *testing.T) {
	for _, tc := range []struct {
		name    string
		handler http.HandlerFunc
		status  int
	}{
		{"500", respond(500, "application/json", `{"type":"INTERNAL_ERROR","messages":["boom"]}`), 500},
		{"502 html", respond(502, "text/html", "<html>bad gateway</html>"), 502},
		{"503 empty", respond(503, "", ""), 503},
		{"504 problem", respond(504, "application/problem+json", `{"title":"Gateway Timeout","status":504}`), 504},
		{"dropped after the request was written", drop, 0},
		{"timeout", func(w http.ResponseWriter, r *http.Request) { time.Sleep(300 * time.Millisecond) }, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, sc := newScripted(t, tc.handler, jsonOK(`{"id":"dup","status":"ACCEPTED"}`))
			c, _, _ := newTestClient(t, srv, func(o *Options) {
				hc := *srv.Client()
				hc.Timeout = 100 * time.Millisecond
				o.HTTPClient = &hc
				o.CorrelationID = "order-corr-1"
			})
			_, err := c.CreateOrder(context.Background(), OrderInput{OperationType: "NEW_ESIM", CountryCode: "PT"})
			var ae *APIError
			if !errors.As(err, &ae) {
				t.Fatalf("err %T %v", err, err)
			}
			if sc.count() != 1 {
				t.Fatalf("the order was sent %d times", sc.count())
			}
			if !ae.OutcomeUnknown || ae.Status != tc.status || ae.Endpoint != EPOrderCreate {
				t.Fatalf("%+v", ae)
			}
			msg := err.Error()
			for _, w := range []string{"may or may not have been placed", "order-corr-1", "connectctl order list --since 15m", "connectctl order history --status unknown"} {
				if !strings.Contains(msg, w) {
					t.Errorf("message lacks %q:\n%s", w, msg)
				}
			}
		})
	}
}

func TestOrderNotSentIsNotUnknown(t *testing.T) {
	// Nothing listens: the dial fails before anything is sent.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	c, err := New(Options{BaseURL: "http://" + addr, DisablePacing: true, TokenSource: &fakeTokens{}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.CreateOrder(context.Background(), OrderInput{OperationType: "NEW_ESIM"})
	var ae *APIError
	if !errors.As(err, &ae) || ae.OutcomeUnknown || ae.Status != 0 || ae.Attempts != 1 {
		t.Fatalf("%#v", err)
	}
	if strings.Contains(err.Error(), "may or may not") {
		t.Fatalf("message claims unknown outcome: %s", err)
	}
}

func TestOrder4xxIsNotUnknown(t *testing.T) {
	srv, _ := newScripted(t, respond(400, "application/problem+json",
		`{"title":"Invalid request parameters","status":400,"detail":"bad","errors":[{"code":"UNKNOWN_PRODUCT","detail":"x","json_path":"$.input.subscriptions[0].product_id"}]}`))
	c, _, _ := newTestClient(t, srv)
	_, err := c.CreateOrder(context.Background(), OrderInput{OperationType: "NEW_ESIM"})
	var ae *APIError
	if !errors.As(err, &ae) || ae.OutcomeUnknown || ae.Codes[0] != "UNKNOWN_PRODUCT" {
		t.Fatalf("%#v", err)
	}
}

func TestUnauthorizedRefreshesOnce(t *testing.T) {
	unauth := respond(401, "application/json", `{"type":"UNAUTHORISED","messages":["token expired"]}`,
		"WWW-Authenticate", `Bearer error="invalid_token"`)
	t.Run("fresh token succeeds", func(t *testing.T) {
		srv, sc := newScripted(t, unauth, jsonOK(`{"id":"o1","status":"ACCEPTED"}`))
		c, _, toks := newTestClient(t, srv)
		// POST too: a 401 was not processed.
		a, err := c.CreateOrder(context.Background(), OrderInput{OperationType: "NEW_ESIM"})
		if err != nil || a.ID != "o1" {
			t.Fatalf("%v %+v", err, a)
		}
		reqs := sc.requests()
		if len(reqs) != 2 || reqs[0].Header.Get("Authorization") != "Bearer tok-1" || reqs[1].Header.Get("Authorization") != "Bearer tok-2" {
			t.Fatalf("requests %d", len(reqs))
		}
		if len(toks.invalidated) != 1 || toks.invalidated[0] != "tok-1" {
			t.Fatalf("invalidated %v", toks.invalidated)
		}
	})
	t.Run("second 401 is returned", func(t *testing.T) {
		srv, sc := newScripted(t, unauth)
		c, _, _ := newTestClient(t, srv)
		_, err := c.GetSIM(context.Background(), "1")
		var ae *APIError
		if !errors.As(err, &ae) || ae.Status != 401 || sc.count() != 2 {
			t.Fatalf("%v after %d requests", err, sc.count())
		}
	})
}

func TestTokenFailureIsReturnedAsIs(t *testing.T) {
	srv, sc := newScripted(t, jsonOK(`{}`))
	c, _, _ := newTestClient(t, srv, func(o *Options) { o.TokenSource = failingTokens{} })
	_, err := c.GetSIM(context.Background(), "1")
	var ae *auth.Error
	if !errors.As(err, &ae) || ae.HTTPStatus() != 401 || sc.count() != 0 {
		t.Fatalf("%v, %d requests", err, sc.count())
	}
}

type failingTokens struct{}

func (failingTokens) Token(context.Context) (*oauth2.Token, error) {
	return nil, &auth.Error{Status: 401, Code: "unauthorized_client", Description: "Invalid client credentials"}
}
func (failingTokens) Invalidate(*oauth2.Token) {}

func TestCancelWhileOrderInFlightIsUnknown(t *testing.T) {
	release := make(chan struct{})
	srv, _ := newScripted(t, func(w http.ResponseWriter, r *http.Request) { <-release })
	defer close(release)
	c, _, _ := newTestClient(t, srv)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := c.CreateOrder(ctx, OrderInput{OperationType: "NEW_ESIM"})
	var ae *APIError
	if !errors.As(err, &ae) || !ae.OutcomeUnknown || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("%#v", err)
	}
}
