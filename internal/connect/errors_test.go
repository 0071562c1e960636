package connect

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestErrorDecoding(t *testing.T) {
	for _, tc := range []struct {
		name      string
		status    int
		ctype     string
		body      string
		hdr       []string
		wantType  string
		wantCodes []string
		wantMsgs  []string
		wantDet   []ErrorDetail
		wantCorr  string // "" means: ours
		wantRA    time.Duration
		wantText  []string
	}{
		{
			name: "v1 model", status: 403, ctype: "application/json",
			body:     `{"type":"ACCESS_DENIED","messages":["SIM 894 belongs to another client"]}`,
			hdr:      []string{"X-Correlation-ID", "srv-corr"},
			wantType: "ACCESS_DENIED", wantMsgs: []string{"SIM 894 belongs to another client"}, wantCorr: "srv-corr",
			wantText: []string{"get SIM", "HTTP 403 Forbidden", "ACCESS_DENIED", "belongs to another client", "srv-corr", "role"},
		},
		{
			name: "RFC 7807 with body correlation id winning over header", status: 400, ctype: "application/problem+json",
			body: `{"title":"Invalid request parameters","status":400,"detail":"Invalid request parameters",
			  "errors":[{"code":"MISSING_CONDITIONAL_MANDATORY_FIELD","detail":"customer.email cannot be null","json_path":"$.input.customer.email"},
			            {"code":"UNKNOWN_PRODUCT","detail":"no product X","json_path":"$.input.subscriptions[0].product_id"}],
			  "correlation_id":"body-corr"}`,
			hdr:       []string{"X-Correlation-ID", "header-corr"},
			wantCodes: []string{"MISSING_CONDITIONAL_MANDATORY_FIELD", "UNKNOWN_PRODUCT"},
			wantMsgs:  []string{"Invalid request parameters"},
			wantDet: []ErrorDetail{
				{Code: "MISSING_CONDITIONAL_MANDATORY_FIELD", Detail: "customer.email cannot be null", JSONPath: "$.input.customer.email"},
				{Code: "UNKNOWN_PRODUCT", Detail: "no product X", JSONPath: "$.input.subscriptions[0].product_id"},
			},
			wantCorr: "body-corr",
			wantText: []string{"HTTP 400", "MISSING_CONDITIONAL_MANDATORY_FIELD", "$.input.customer.email: MISSING_CONDITIONAL_MANDATORY_FIELD: customer.email cannot be null", "body-corr", "fix the request"},
		},
		{
			name: "429 model", status: 429, ctype: "application/json",
			body:     `{"message":"Rate limit exceeded ! You reach the limit of 10 requests per 1 minutes","http_status_code":429}`,
			hdr:      []string{"Retry-After", "7"},
			wantMsgs: []string{"Rate limit exceeded ! You reach the limit of 10 requests per 1 minutes"},
			wantRA:   7 * time.Second,
			wantText: []string{"HTTP 429", "Rate limit exceeded", "rate limited", "retry after 7s"},
		},
		{
			name: "HTML from a proxy", status: 502, ctype: "text/html",
			body:     "<html><head><title>502 Bad Gateway</title><style>body{color:red}</style></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>",
			wantMsgs: []string{"502 Bad Gateway 502 Bad Gateway nginx"},
			wantText: []string{"HTTP 502 Bad Gateway", "nginx", "retry later", "report correlation id"},
		},
		{
			name: "empty body", status: 503, hdr: []string{"Retry-After", "1"},
			wantMsgs: []string{"empty body"}, wantRA: time.Second,
			wantText: []string{"HTTP 503", "empty body"},
		},
		{
			name: "plain text", status: 500, ctype: "text/plain", body: "upstream connect error",
			wantMsgs: []string{"upstream connect error"},
		},
		{
			name: "v1 404 with Correlation-Id header", status: 404, ctype: "application/json",
			body: `{"type":"NOT_FOUND","messages":["no SIM with iccid 1"]}`, hdr: []string{"Correlation-Id", "alt-corr"},
			wantType: "NOT_FOUND", wantMsgs: []string{"no SIM with iccid 1"}, wantCorr: "alt-corr",
			wantText: []string{"HTTP 404", "check the id"},
		},
		{
			name: "401", status: 401, ctype: "application/json", body: `{"type":"UNAUTHORISED","messages":["token expired"]}`,
			wantType: "UNAUTHORISED", wantMsgs: []string{"token expired"}, wantText: []string{"client id and secret"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, _ := newScripted(t, respond(tc.status, tc.ctype, tc.body, tc.hdr...))
			c, _, _ := newTestClient(t, srv, func(o *Options) { o.Retry.MaxAttempts = 1 })
			ctx := WithCorrelationID(context.Background(), "our-corr")
			_, err := c.GetSIM(ctx, "8944478600000205337")
			var ae *APIError
			if !errors.As(err, &ae) {
				t.Fatalf("error %T %v", err, err)
			}
			if ae.Status != tc.status || ae.HTTPStatus() != tc.status {
				t.Errorf("status %d", ae.Status)
			}
			if ae.Type != tc.wantType {
				t.Errorf("type %q, want %q", ae.Type, tc.wantType)
			}
			if strings.Join(ae.Codes, ",") != strings.Join(tc.wantCodes, ",") {
				t.Errorf("codes %q, want %q", ae.Codes, tc.wantCodes)
			}
			if strings.Join(ae.Messages, "|") != strings.Join(tc.wantMsgs, "|") {
				t.Errorf("messages %q, want %q", ae.Messages, tc.wantMsgs)
			}
			if len(ae.Details) != len(tc.wantDet) {
				t.Errorf("details %+v", ae.Details)
			} else {
				for i := range tc.wantDet {
					if ae.Details[i] != tc.wantDet[i] {
						t.Errorf("detail %d = %+v", i, ae.Details[i])
					}
				}
			}
			wantCorr := tc.wantCorr
			if wantCorr == "" {
				wantCorr = "our-corr"
			}
			if ae.CorrelationID != wantCorr {
				t.Errorf("correlation id %q, want %q", ae.CorrelationID, wantCorr)
			}
			if ae.RetryAfter != tc.wantRA {
				t.Errorf("retry after %s", ae.RetryAfter)
			}
			if ae.Endpoint != EPSIMGet || ae.Method != "GET" || ae.Path != "/v1/sim/8944478600000205337" || ae.Op != "get SIM" {
				t.Errorf("identity %q %q %q %q", ae.Endpoint, ae.Method, ae.Path, ae.Op)
			}
			msg := err.Error()
			for _, w := range append(tc.wantText, wantCorr) {
				if !strings.Contains(msg, w) {
					t.Errorf("message lacks %q:\n%s", w, msg)
				}
			}
			if strings.Contains(msg, "<") {
				t.Errorf("markup in message:\n%s", msg)
			}
		})
	}
}

func TestRateLimitResetHonouredWithoutRetryAfter(t *testing.T) {
	clk := newFakeClock()
	reset := clk.Now().Add(3 * time.Second).UnixMilli()
	h := http.Header{}
	h.Set("x-rate-limit-reset", itoa(reset))
	if got := retryAfter(h, 429, clk.Now()); got != 3*time.Second+resetMargin {
		t.Fatalf("got %s", got)
	}
	if got := retryAfter(h, 503, clk.Now()); got != 0 {
		t.Fatalf("reset header used on a 503: %s", got)
	}
	h.Set("Retry-After", clk.Now().Add(10*time.Second).UTC().Format(http.TimeFormat))
	if got := retryAfter(h, 429, clk.Now()); got != 10*time.Second {
		t.Fatalf("HTTP-date Retry-After: got %s", got)
	}
}

func TestTransportErrorHasNoStatus(t *testing.T) {
	srv, _ := newScripted(t, jsonOK(`{}`))
	srv.Close()
	c, _, _ := newTestClient(t, srv, func(o *Options) { o.Retry.MaxAttempts = 1 })
	_, err := c.GetSIM(context.Background(), "1")
	var ae *APIError
	if !errors.As(err, &ae) || ae.Status != 0 || ae.HTTPStatus() != 0 || ae.Cause == nil || ae.CorrelationID == "" {
		t.Fatalf("%#v", err)
	}
	if !strings.Contains(err.Error(), "no answer") || !strings.Contains(err.Error(), "network") {
		t.Fatalf("message: %s", err)
	}
}

func TestTextExcerptTruncates(t *testing.T) {
	long := "<html><body><p>" + strings.Repeat("word ", 200) + "</p><script>var secret=1</script></body></html>"
	got := textExcerpt("text/html", []byte(long))
	if len([]rune(got)) > excerptLen+1 || strings.Contains(got, "secret") || strings.Contains(got, "<") {
		t.Fatalf("excerpt %q", got)
	}
}

// Ctrl-C during a call says so, with no network advice.
func TestInterruptedCallSaysSo(t *testing.T) {
	err := &APIError{Op: "list products", Method: "GET", Path: "/v1/products", CorrelationID: "cid-1",
		Cause: &url.Error{Op: "Get", URL: "http://127.0.0.1:7787/v1/products", Err: context.Canceled}}
	msg := err.Error()
	if !strings.Contains(msg, "list products (GET /v1/products) failed: interrupted before the answer came") ||
		strings.Contains(msg, "context canceled") || strings.Contains(msg, "network") || !strings.Contains(msg, "cid-1") {
		t.Fatalf("message: %s", msg)
	}
}
