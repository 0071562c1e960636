// Package connect is the client of the 1GLOBAL Connect API.
//
// One Client carries authentication (an auth.TokenSource, refreshed and
// retried once on 401), the headers every call needs, retries with backoff
// for calls that are safe to repeat, pacing from the rate-limit headers, and
// decoding of both error models. Typed methods cover every endpoint of the
// path table (endpoints.go); Do and Paginate serve the raw API command.
package connect

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"golang.org/x/oauth2"

	"github.com/connectctl/connectctl/internal/auth"
	"github.com/connectctl/connectctl/internal/buildinfo"
)

// PageStyle chooses how typed list calls ask for pages. Whatever is asked,
// the answer's own style (bare array, X-Next-Page, HAL links) is followed.
type PageStyle int

const (
	// PageStylePage sends v1 page and size (page_size on /v1/order).
	PageStylePage PageStyle = iota
	// PageStyleCursor sends the 2024 edition's limit and follows HAL links.
	PageStyleCursor
)

// DefaultPageSize is the largest page the API serves.
const DefaultPageSize = 40

// RetryPolicy bounds automatic retries. GET, PUT, DELETE (and HEAD,
// OPTIONS) are retried on 429, 500, 502, 503, 504 and connection failures.
// POST and PATCH are never retried automatically (a duplicate order costs
// money), except after a 401 (refresh and resend once: the API did not
// process it) and, when RetryPOSTOn429 is set, after a 429.
type RetryPolicy struct {
	MaxAttempts int           // attempts in all, the first included; default 4; 1 disables retries
	MaxElapsed  time.Duration // give up rather than wait past this since the first attempt; default 30s
	BaseDelay   time.Duration // backoff base; default 250ms
	MaxDelay    time.Duration // backoff cap (Retry-After may ask for more); default 8s
	// RetryPOSTOn429 also retries POST/PATCH after a 429, which the API
	// answers before doing any work (for bulk ordering; off by default).
	RetryPOSTOn429 bool
}

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = 4
	}
	if p.MaxElapsed <= 0 {
		p.MaxElapsed = 30 * time.Second
	}
	if p.BaseDelay <= 0 {
		p.BaseDelay = 250 * time.Millisecond
	}
	if p.MaxDelay <= 0 {
		p.MaxDelay = 8 * time.Second
	}
	if p.MaxDelay < p.BaseDelay {
		p.MaxDelay = p.BaseDelay
	}
	return p
}

// Options configure a Client.
type Options struct {
	// BaseURL of the API, e.g. https://services.truphone.com/connect-api.
	BaseURL string
	// HTTPClient sends the requests; nil means one with sane timeouts
	// (10 s to connect, 60 s in all per attempt).
	HTTPClient *http.Client
	// TokenSource supplies bearer tokens; nil sends no Authorization.
	TokenSource auth.TokenSource
	// UserAgent; empty means buildinfo.UserAgent() ("connectctl/<version>").
	UserAgent string
	// CorrelationID, when set, is sent on every request instead of a fresh
	// UUID per call. WithCorrelationID sets one per context and wins.
	CorrelationID string
	// Debug receives one line per exchange (and per pacing wait). Secrets
	// (Authorization, tokens, client_secret, refresh tokens) are redacted;
	// bodies are never logged (they hold activation codes).
	Debug io.Writer
	// Retry bounds automatic retries.
	Retry RetryPolicy
	// DisablePacing turns off the limiter fed by the rate-limit headers.
	DisablePacing bool
	// PageStyle of typed list calls.
	PageStyle PageStyle
	// Edition is the API edition spoken: EditionV1 (amounts in major units)
	// or Edition2024 (integers of the currency's smallest unit). Callers
	// always give and get human (major) amounts; "" is EditionV1.
	Edition string
	// Now and Sleep replace the clock in tests. Sleep must return ctx.Err()
	// when ctx ends first.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
}

// Client talks to the Connect API. It is safe for concurrent use.
type Client struct {
	base    *url.URL
	hc      *http.Client
	ts      auth.TokenSource
	ua      string
	corrID  string
	retry   RetryPolicy
	style   PageStyle
	now     func() time.Time
	sleep   func(ctx context.Context, d time.Duration) error
	pacer   *pacer // nil when disabled
	debug   io.Writer
	debugMu sync.Mutex
	jitter  func(max time.Duration) time.Duration
	edition string
	lastRL  lastRateLimit
}

// New builds a Client.
func New(o Options) (*Client, error) {
	if o.BaseURL == "" {
		return nil, errors.New("connect: no base URL configured")
	}
	base, err := url.Parse(strings.TrimRight(o.BaseURL, "/"))
	if err != nil {
		return nil, fmt.Errorf("connect: bad base URL %q: %v", o.BaseURL, err)
	}
	if base.Scheme != "http" && base.Scheme != "https" || base.Host == "" {
		return nil, fmt.Errorf("connect: base URL %q must be an absolute http(s) URL", o.BaseURL)
	}
	if base.RawQuery != "" || base.Fragment != "" || base.User != nil {
		return nil, fmt.Errorf("connect: base URL %q must not carry a query, fragment or user info", o.BaseURL)
	}
	c := &Client{
		base: base, hc: o.HTTPClient, ts: o.TokenSource, ua: o.UserAgent, corrID: o.CorrelationID,
		retry: o.Retry.withDefaults(), style: o.PageStyle, now: o.Now, sleep: o.Sleep, debug: o.Debug,
		jitter: fullJitter, edition: o.Edition,
	}
	switch c.edition {
	case "":
		c.edition = EditionV1
	case EditionV1, Edition2024:
	default:
		return nil, fmt.Errorf("connect: API edition %q: want %s or %s", o.Edition, EditionV1, Edition2024)
	}
	if c.hc == nil {
		c.hc = defaultHTTPClient()
	}
	if c.ua == "" {
		c.ua = buildinfo.UserAgent()
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.sleep == nil {
		c.sleep = sleepCtx
	}
	if !o.DisablePacing {
		c.pacer = newPacer(c.now, c.sleep, c.debugf)
	}
	return c, nil
}

// BaseURL returns the API base URL.
func (c *Client) BaseURL() *url.URL { u := *c.base; return &u }

func defaultHTTPClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.ResponseHeaderTimeout = 60 * time.Second
	t.TLSHandshakeTimeout = 10 * time.Second
	t.MaxIdleConnsPerHost = 16
	return &http.Client{Transport: t, Timeout: 60 * time.Second}
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

type ctxKey int

const correlationKey ctxKey = 1

// WithCorrelationID makes calls under ctx send id as X-Correlation-ID.
func WithCorrelationID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, correlationKey, id)
}

const finishSendKey ctxKey = 2

// WithFinishOnceSent makes calls under ctx honour its cancellation only
// until a request is about to be written: waiting for the rate limiter and
// for a retry can be interrupted, but a request that goes out is seen
// through to its answer (bounded by the HTTP client's timeout), so an
// interruption never turns a placed order into an unknown outcome.
func WithFinishOnceSent(ctx context.Context) context.Context {
	return context.WithValue(ctx, finishSendKey, true)
}

func finishOnceSent(ctx context.Context) bool {
	v, _ := ctx.Value(finishSendKey).(bool)
	return v
}

func (c *Client) correlationID(ctx context.Context) string {
	if id, _ := ctx.Value(correlationKey).(string); id != "" {
		return id
	}
	if c.corrID != "" {
		return c.corrID
	}
	return uuid.NewString()
}

// ---- requests -----------------------------------------------------------

// call is one logical request; it may be sent several times.
type call struct {
	ep      Endpoint // Name empty for raw requests off the table
	paceKey string
	method  string
	u       *url.URL
	body    []byte
	hasBody bool
	header  http.Header // caller's extra headers (raw requests)
	corrID  string
}

// answer is a received response with its body read.
type answer struct {
	status int
	header http.Header
	body   []byte
}

const maxBody = 32 << 20

// endpointURL resolves an endpoint's template against the base URL.
func (c *Client) endpointURL(ep Endpoint, args []string, q url.Values) (*url.URL, error) {
	p, raw, err := BuildPath(ep.Path, args...)
	if err != nil {
		return nil, err
	}
	u := *c.base
	u.Path = c.base.Path + p
	u.RawPath = c.base.EscapedPath() + raw
	if len(q) > 0 {
		u.RawQuery = q.Encode()
	}
	return &u, nil
}

func (c *Client) newCall(ctx context.Context, ep Endpoint, u *url.URL, body any) (*call, error) {
	cl := &call{ep: ep, method: ep.Method, u: u, corrID: c.correlationID(ctx),
		paceKey: ep.Method + " " + ep.Path}
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, fmt.Errorf("connect: encoding %s body: %v", ep.Name, err)
		}
		cl.body, cl.hasBody = b, true
	}
	return cl, nil
}

// doJSON runs a typed call and decodes a 2xx body into out (if not nil and
// the body is not empty).
func (c *Client) doJSON(ctx context.Context, name EndpointName, args []string, q url.Values, body, out any) error {
	ep, ok := endpoints[name]
	if !ok {
		return fmt.Errorf("connect: unknown endpoint %q", name)
	}
	u, err := c.endpointURL(ep, args, q)
	if err != nil {
		return err
	}
	cl, err := c.newCall(ctx, ep, u, body)
	if err != nil {
		return err
	}
	ans, err := c.exec(ctx, cl)
	if err != nil {
		return err
	}
	if out == nil || len(bytes.TrimSpace(ans.body)) == 0 {
		return nil
	}
	if err := json.Unmarshal(ans.body, out); err != nil {
		return c.decodeError(cl, ans, err)
	}
	return nil
}

func (c *Client) decodeError(cl *call, ans *answer, err error) error {
	return fmt.Errorf("connect: %s (%s %s): cannot read the answer (HTTP %d, correlation id %s): %w",
		opOf(cl), cl.method, cl.u.EscapedPath(), ans.status, responseCorrelation(cl, ans), err)
}

func opOf(cl *call) string {
	if cl.ep.Op != "" {
		return cl.ep.Op
	}
	return "request"
}

func responseCorrelation(cl *call, ans *answer) string {
	if ans != nil {
		if v := firstHeader(ans.header, "X-Correlation-ID", "Correlation-Id"); v != "" {
			return v
		}
	}
	return cl.corrID
}

func firstHeader(h http.Header, names ...string) string {
	for _, n := range names {
		if v := strings.TrimSpace(h.Get(n)); v != "" {
			return v
		}
	}
	return ""
}

// exec sends cl with pacing, authentication, one refresh after a 401, and
// retries within the policy. It returns the 2xx/3xx answer, or an *APIError
// (with the answer, when there was one) for anything else.
func (c *Client) exec(ctx context.Context, cl *call) (*answer, error) {
	start := c.now()
	refreshed := false
	attempt := 0
	for {
		attempt++
		if c.pacer != nil {
			if err := c.pacer.wait(ctx, cl.paceKey); err != nil {
				return nil, c.transportError(cl, err, false, attempt)
			}
		}
		sendCtx := ctx
		if finishOnceSent(ctx) {
			if err := ctx.Err(); err != nil {
				// Interrupted while waiting: nothing was sent.
				if c.pacer != nil {
					c.pacer.release(cl.paceKey)
				}
				return nil, c.transportError(cl, err, false, attempt)
			}
			sendCtx = context.WithoutCancel(ctx)
		}
		ans, tok, sent, err := c.once(sendCtx, cl, attempt)
		if ans != nil {
			c.lastRL.record(cl.paceKey, ans.header)
		}
		if c.pacer != nil {
			var h http.Header
			status := 0
			if ans != nil {
				h, status = ans.header, ans.status
			}
			c.pacer.done(cl.paceKey, h, status)
		}
		if err != nil {
			var ae *auth.Error
			if errors.As(err, &ae) {
				return nil, err // the token endpoint refused or failed; nothing was sent
			}
			apiErr := c.transportError(cl, err, sent, attempt)
			if ctx.Err() != nil || apiErr.OutcomeUnknown || !idempotent(cl.method) || !retryableTransport(err) {
				return nil, apiErr
			}
			delay := c.backoff(attempt)
			if !c.canRetry(attempt, start, delay) {
				return nil, apiErr
			}
			if err := c.sleep(ctx, delay); err != nil {
				apiErr.Cause = errors.Join(apiErr.Cause, err)
				return nil, apiErr
			}
			continue
		}
		if ans.status == http.StatusUnauthorized && !refreshed && c.ts != nil && tok != nil {
			// A 401 was not processed: drop the token, fetch a fresh one,
			// send once more (any method).
			refreshed = true
			c.ts.Invalidate(tok)
			attempt--
			continue
		}
		if ans.status < 400 {
			return ans, nil
		}
		apiErr := c.statusError(cl, ans, attempt)
		if !c.retryableStatus(cl.method, ans.status) {
			return ans, apiErr
		}
		delay := c.backoff(attempt)
		if apiErr.RetryAfter > delay {
			delay = apiErr.RetryAfter
		}
		if !c.canRetry(attempt, start, delay) {
			return ans, apiErr
		}
		if err := c.sleep(ctx, delay); err != nil {
			apiErr.Cause = err
			return ans, apiErr
		}
	}
}

func (c *Client) canRetry(attempt int, start time.Time, delay time.Duration) bool {
	if attempt >= c.retry.MaxAttempts {
		return false
	}
	return c.now().Add(delay).Sub(start) <= c.retry.MaxElapsed
}

// once sends cl a single time. sent reports whether the whole request was
// written to the connection (so the server may have acted on it).
func (c *Client) once(ctx context.Context, cl *call, attempt int) (ans *answer, tok *oauth2.Token, sent bool, err error) {
	var sentMu sync.Mutex
	trace := &httptrace.ClientTrace{
		WroteRequest: func(i httptrace.WroteRequestInfo) {
			if i.Err == nil {
				sentMu.Lock()
				sent = true
				sentMu.Unlock()
			}
		},
	}
	wasSent := func() bool { sentMu.Lock(); defer sentMu.Unlock(); return sent }

	var body io.Reader
	if cl.hasBody {
		body = bytes.NewReader(cl.body)
	}
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), cl.method, cl.u.String(), body)
	if err != nil {
		return nil, nil, false, err
	}
	// NewRequest re-parses the string; keep our escaping exactly.
	req.URL = cloneURL(cl.u)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.ua)
	req.Header.Set("X-Correlation-ID", cl.corrID)
	req.Header.Set("Correlation-Id", cl.corrID) // the 2024 edition's name
	if cl.hasBody {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, vs := range cl.header {
		if http.CanonicalHeaderKey(k) == "Authorization" {
			continue
		}
		req.Header.Del(k)
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	if c.ts != nil {
		tok, err = c.ts.Token(ctx)
		if err != nil {
			return nil, nil, false, err
		}
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	}
	t0 := time.Now()
	resp, err := c.hc.Do(req)
	if err != nil {
		c.logExchange(cl, req, 0, "", err, time.Since(t0), attempt)
		return nil, tok, wasSent(), err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err == nil && len(b) > maxBody {
		err = fmt.Errorf("answer larger than %d MiB", maxBody>>20)
	}
	c.logExchange(cl, req, resp.StatusCode, resp.Header.Get("X-Correlation-ID"), err, time.Since(t0), attempt)
	if err != nil {
		// The server answered, so the request was processed (or is being).
		return nil, tok, true, err
	}
	return &answer{status: resp.StatusCode, header: resp.Header, body: b}, tok, true, nil
}

func cloneURL(u *url.URL) *url.URL {
	v := *u
	return &v
}

func idempotent(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodPut, http.MethodDelete:
		return true
	}
	return false
}

func (c *Client) retryableStatus(method string, status int) bool {
	if status == http.StatusTooManyRequests {
		return idempotent(method) || c.retry.RetryPOSTOn429
	}
	if !idempotent(method) {
		return false
	}
	switch status {
	case 500, 502, 503, 504:
		return true
	}
	return false
}

// statusError builds the *APIError of a non-2xx answer.
func (c *Client) statusError(cl *call, ans *answer, attempt int) *APIError {
	e := &APIError{
		Op: opOf(cl), Endpoint: cl.ep.Name, Method: cl.method, Path: cl.u.EscapedPath(),
		Status: ans.status, Attempts: attempt, Body: ans.body,
	}
	decodeErrorBody(e, ans.header.Get("Content-Type"), ans.body)
	if e.CorrelationID == "" {
		e.CorrelationID = responseCorrelation(cl, ans)
	}
	e.RetryAfter = retryAfter(ans.header, ans.status, c.now())
	if !idempotent(cl.method) && ans.status >= 500 {
		e.OutcomeUnknown = true
	}
	return e
}

// transportError builds the *APIError of a call that got no answer.
func (c *Client) transportError(cl *call, err error, sent bool, attempt int) *APIError {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err // url.Error repeats method and URL
	}
	return &APIError{
		Op: opOf(cl), Endpoint: cl.ep.Name, Method: cl.method, Path: cl.u.EscapedPath(),
		CorrelationID: cl.corrID, Attempts: attempt, Cause: err,
		OutcomeUnknown: sent && !idempotent(cl.method),
	}
}

// ---- debug --------------------------------------------------------------

func (c *Client) debugf(format string, args ...any) {
	if c.debug == nil {
		return
	}
	c.debugMu.Lock()
	defer c.debugMu.Unlock()
	fmt.Fprintf(c.debug, "connectctl: "+format+"\n", args...)
}

func (c *Client) logExchange(cl *call, req *http.Request, status int, respCorr string, err error, d time.Duration, attempt int) {
	if c.debug == nil {
		return
	}
	name := string(cl.ep.Name)
	if name == "" {
		name = "raw"
	}
	result := fmt.Sprintf("%d %s", status, http.StatusText(status))
	if status == 0 {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // url.Error repeats the (unredacted) URL
		}
		result = "no answer: " + RedactString(fmt.Sprint(err))
	} else if err != nil {
		result += " (reading body: " + RedactString(err.Error()) + ")"
	}
	corr := cl.corrID
	if respCorr != "" && respCorr != corr {
		corr += " (server: " + respCorr + ")"
	}
	var hdr strings.Builder
	for _, k := range []string{"Authorization", "Accept", "Content-Type", "User-Agent"} {
		if v := req.Header.Get(k); v != "" {
			fmt.Fprintf(&hdr, " %s=%q", k, RedactHeader(k, v))
		}
	}
	c.debugf("%s %s -> %s in %s [endpoint %s, attempt %d/%d, correlation id %s]%s",
		cl.method, RedactURL(req.URL), result, d.Round(time.Millisecond), name, attempt,
		c.retry.MaxAttempts, corr, hdr.String())
}
