package sandbox

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// call is one authenticated /v1 request.
type call struct {
	w      http.ResponseWriter
	r      *http.Request
	client ClientCredential
	cid    string
}

func (s *Server) routes() {
	m := http.NewServeMux()
	s.mux = m
	api := func(pattern string, h func(*call)) { m.Handle(pattern, s.v1(pattern, h)) }

	m.Handle("POST "+TokenPath, s.withFaultsHandler(http.HandlerFunc(s.handleToken)))

	api("GET /v1/products", s.listProducts)
	api("GET /v1/products/{product_id}", s.getProduct)

	api("POST /v1/order", s.createOrder)
	api("GET /v1/order", s.listOrders)
	api("GET /v1/order/{order_id}", s.getOrder)

	api("GET /v1/sim", s.listSIMs)
	api("GET /v1/sim/{iccid}", s.getSIM)
	api("PUT /v1/sim/{iccid}", s.putSIM)
	api("DELETE /v1/sim/{iccid}", s.deleteSIM)
	api("GET /v1/sim/{iccid}/subscriptions", s.listSIMSubscriptions)
	api("GET /v1/sim/{iccid}/preferences", s.getPreferences)
	api("POST /v1/sim/{iccid}/preferences/notifications/{type}", s.registerNotification)
	api("DELETE /v1/sim/{iccid}/preferences/notifications/{type}", s.unregisterNotification)

	api("GET /v1/subscription", s.listSubscriptions)
	api("GET /v1/subscription/{subscription_id}", s.getSubscription)
	api("POST /v1/subscription/{subscription_id}/activate", s.activateSubscription)

	api("POST /v1/customer", s.createCustomer)
	api("GET /v1/customer", s.findCustomer)
	api("GET /v1/customer/{id}", s.getCustomer)
	api("PATCH /v1/customer/{id}", s.patchCustomer)

	m.Handle("/v1/", s.v1("/v1/", s.unknownRoute))

	m.HandleFunc("GET /_sandbox/stats", s.adminStats)
	m.HandleFunc("GET /_sandbox/health", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"ok": true})
	})
	m.HandleFunc("POST /_sandbox/usage", s.adminUsage)
	m.HandleFunc("PUT /_sandbox/sims/{iccid}/status", s.adminSIMStatus)
	m.HandleFunc("POST /_sandbox/sims", s.adminBulkSIMs)
	m.HandleFunc("POST /_sandbox/faults", s.adminAddFaults)
	m.HandleFunc("GET /_sandbox/faults", s.adminListFaults)
	m.HandleFunc("DELETE /_sandbox/faults", s.adminClearFaults)
	m.HandleFunc("POST /_sandbox/tokens/revoke", s.adminRevoke)
	m.HandleFunc("/_sandbox/", func(w http.ResponseWriter, r *http.Request) {
		writeV1(w, http.StatusNotFound, "NOT_FOUND", "no admin endpoint "+r.Method+" "+r.URL.Path)
	})
}

// v1 wraps an API handler: request counting, injected faults,
// authentication, rate limiting.
func (s *Server) v1(route string, h func(*call)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := route
		if route == "/v1/" {
			key = r.Method + " /v1/*"
		}
		s.statsMu.Lock()
		s.requests[key]++
		s.statsMu.Unlock()
		s.withFaults(w, r, func(w http.ResponseWriter) {
			r.Body = http.MaxBytesReader(w, r.Body, maxBody)
			c := &call{w: w, r: r, cid: cidOf(r)}
			client, ok := s.authenticate(c)
			if !ok {
				return
			}
			c.client = client
			if !s.rateLimit(c, key) {
				return
			}
			h(c)
		})
	})
}

// unknownRoute answers paths under /v1 that no endpoint serves: 405 when
// another method has one, else 404.
func (s *Server) unknownRoute(c *call) {
	var allow []string
	for _, m := range []string{"GET", "POST", "PUT", "PATCH", "DELETE"} {
		probe := c.r.Clone(c.r.Context())
		probe.Method = m
		if _, pattern := s.mux.Handler(probe); pattern != "/v1/" && pattern != "" {
			allow = append(allow, m)
		}
	}
	if len(allow) > 0 {
		c.w.Header().Set("Allow", strings.Join(allow, ", "))
		writeV1(c.w, http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED", fmt.Sprintf("%s is not allowed on %s; use %s", c.r.Method, c.r.URL.Path, strings.Join(allow, ", ")))
		return
	}
	writeV1(c.w, http.StatusNotFound, "NOT_FOUND", "no endpoint "+c.r.Method+" "+c.r.URL.Path)
}

// ---- answers ----

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if v != nil {
		_ = json.NewEncoder(w).Encode(v)
	}
}

// v1Error is the v1 error model.
type v1Error struct {
	Type     string   `json:"type"`
	Messages []string `json:"messages"`
}

func writeV1(w http.ResponseWriter, status int, typ string, msgs ...string) {
	if msgs == nil {
		msgs = []string{}
	}
	writeJSON(w, status, v1Error{Type: typ, Messages: msgs})
}

func (c *call) v1Err(status int, typ string, format string, args ...any) {
	writeV1(c.w, status, typ, fmt.Sprintf(format, args...))
}

func (c *call) badParams(format string, args ...any) {
	c.v1Err(http.StatusBadRequest, "INVALID_REQUEST_PARAMS", format, args...)
}

func (c *call) notFound(format string, args ...any) {
	c.v1Err(http.StatusNotFound, "NOT_FOUND", format, args...)
}

func (c *call) denied(format string, args ...any) {
	c.v1Err(http.StatusForbidden, "ACCESS_DENIED", format, args...)
}

// problemError is one entry of an RFC 7807 answer's errors.
type problemError struct {
	Code     string `json:"code"`
	Detail   string `json:"detail"`
	JSONPath string `json:"json_path"`
}

type problem struct {
	Title         string         `json:"title"`
	Status        int            `json:"status"`
	Detail        string         `json:"detail"`
	Errors        []problemError `json:"errors,omitempty"`
	CorrelationID string         `json:"correlation_id"`
}

func writeProblem(w http.ResponseWriter, p problem) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}

// decodeBody reads a JSON body into v; on failure it answers 400
// INVALID_HTTP_MESSAGE and returns false.
func (c *call) decodeBody(v any) bool {
	dec := json.NewDecoder(c.r.Body)
	if err := dec.Decode(v); err != nil {
		c.v1Err(http.StatusBadRequest, "INVALID_HTTP_MESSAGE", "the request body is not valid JSON: %v", err)
		return false
	}
	return true
}

// ---- authentication ----

func (s *Server) authenticate(c *call) (ClientCredential, bool) {
	fail := func(msg string) (ClientCredential, bool) {
		c.w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		writeV1(c.w, http.StatusUnauthorized, "UNAUTHORISED", msg)
		return ClientCredential{}, false
	}
	h := c.r.Header.Get("Authorization")
	scheme, tok, _ := strings.Cut(h, " ")
	tok = strings.TrimSpace(tok)
	if !strings.EqualFold(scheme, "Bearer") || tok == "" {
		return fail("missing bearer token: send Authorization: Bearer <access token>")
	}
	s.mu.Lock()
	rec, ok := s.st.access[tokenHash(tok)]
	now := s.now()
	s.mu.Unlock()
	if !ok {
		return fail("the access token is invalid or was revoked")
	}
	if !now.Before(rec.Expires) {
		return fail("the access token has expired")
	}
	cred, ok := s.clients[rec.Client]
	if !ok {
		return fail("the access token's client is no longer known")
	}
	return cred, true
}

// ---- rate limiting ----

type rlWindow struct {
	start time.Time
	count int
}

// rateLimit counts the request in its client's window for the endpoint, sets
// the rate limit headers and answers 429 past the limit.
func (s *Server) rateLimit(c *call, route string) bool {
	limit := s.cfg.RateLimit
	if limit <= 0 {
		return true
	}
	now := s.now()
	key := c.client.ID + "\x00" + route
	s.rlMu.Lock()
	win := s.windows[key]
	period := s.cfg.rateWindow()
	if win == nil || !now.Before(win.start.Add(period)) {
		win = &rlWindow{start: now}
		s.windows[key] = win
	}
	win.count++
	count, reset := win.count, win.start.Add(period)
	s.rlMu.Unlock()

	h := c.w.Header()
	h.Set("x-rate-limit-limit", strconv.Itoa(limit))
	h.Set("x-rate-limit-remaining", strconv.Itoa(max(0, limit-count)))
	h.Set("x-rate-limit-reset", strconv.FormatInt(reset.UnixMilli(), 10))
	if count <= limit {
		return true
	}
	wait := int(math.Ceil(reset.Sub(now).Seconds()))
	h.Set("Retry-After", strconv.Itoa(max(1, wait)))
	writeJSON(c.w, http.StatusTooManyRequests, rateLimitBody(limit, period))
	return false
}

func rateLimitBody(limit int, window time.Duration) map[string]any {
	return map[string]any{
		"message":          fmt.Sprintf("Rate limit exceeded ! You reach the limit of %d requests per %s", limit, windowText(window)),
		"http_status_code": http.StatusTooManyRequests,
	}
}

// windowText words the window as the real service does ("1 minutes").
func windowText(d time.Duration) string {
	if d%time.Minute == 0 {
		return fmt.Sprintf("%d minutes", int(d/time.Minute))
	}
	return d.String()
}

// ---- paths ----

// baseURL is the absolute URL of the server as the request reached it.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func fmtTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }
