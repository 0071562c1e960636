package sandbox

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// fault is a queued deterministic fault (POST /_sandbox/faults).
type fault struct {
	Method string `json:"method,omitempty"`
	Path   string `json:"path,omitempty"`
	Status int    `json:"status,omitempty"`
	Count  int    `json:"count"`
	After  bool   `json:"after,omitempty"`
	Drop   bool   `json:"drop,omitempty"`
	// Bare: a 429 with neither Retry-After nor rate-limit headers, as some
	// gateways answer; a client must still stop waiting.
	Bare bool `json:"bare,omitempty"`
	// Delay (a Go duration) holds the answer back, before the work (or
	// before the fault, with after). A delay with neither status nor drop
	// answers normally, late: a slow backend, for client timeouts.
	Delay string `json:"delay,omitempty"`

	delay time.Duration
}

// wait sleeps for the fault's delay, or until the request is cancelled.
func (f *fault) wait(r *http.Request) {
	if f.delay <= 0 {
		return
	}
	t := time.NewTimer(f.delay)
	defer t.Stop()
	select {
	case <-t.C:
	case <-r.Context().Done():
	}
}

func (f *fault) matches(r *http.Request) bool {
	if f.Method != "" && !strings.EqualFold(f.Method, r.Method) {
		return false
	}
	return strings.HasPrefix(r.URL.Path, f.Path) || strings.HasPrefix(r.URL.EscapedPath(), f.Path)
}

// takeFault removes one use of the first queued fault matching r.
func (s *Server) takeFault(r *http.Request) *fault {
	s.faultMu.Lock()
	defer s.faultMu.Unlock()
	for i, f := range s.faults {
		if !f.matches(r) {
			continue
		}
		f.Count--
		if f.Count <= 0 {
			s.faults = append(s.faults[:i], s.faults[i+1:]...)
		}
		cp := *f
		return &cp
	}
	return nil
}

// withFaults runs work, unless a fault answers in its place (before it) or
// replaces its answer (after it). The fault is a random one (cfg.FailRate,
// /v1 only) or else the first matching queued one.
func (s *Server) withFaults(w http.ResponseWriter, r *http.Request, work func(http.ResponseWriter)) {
	f := s.randomDraw(r)
	if f == nil {
		f = s.takeFault(r)
	}
	switch {
	case f == nil:
		work(w)
	case f.Status == 0 && !f.Drop:
		// A delay alone: the answer is the real one, late.
		f.wait(r)
		work(w)
	case !f.After:
		f.wait(r)
		s.applyFault(w, r, f)
	default:
		// The work is done in full (authentication, rate limiting, the
		// change of state); its answer is lost on the way back.
		work(&discardWriter{})
		f.wait(r)
		s.applyFault(w, r, f)
	}
}

// randomKinds are what a random fault answers: a status, or 0 for a dropped
// connection.
var randomKinds = []int{500, 502, 503, 504, 0}

// randomDraw decides, from the seeded rng, whether a /v1 request meets a
// random fault (a share cfg.FailRate of them) and which: 500, 502, 503, 504
// or a dropped connection, independently before or after the work, half and
// half. The token endpoint and the admin endpoints never do.
func (s *Server) randomDraw(r *http.Request) *fault {
	if s.cfg.FailRate <= 0 || !strings.HasPrefix(r.URL.Path, "/v1/") {
		return nil
	}
	s.faultMu.Lock()
	hit := s.rng.Float64() < s.cfg.FailRate
	kind := randomKinds[s.rng.IntN(len(randomKinds))]
	after := s.rng.IntN(2) == 1
	s.faultMu.Unlock()
	if !hit {
		return nil
	}
	return &fault{Status: kind, Drop: kind == 0, After: after, Count: 1}
}

func (s *Server) withFaultsHandler(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.withFaults(w, r, func(w http.ResponseWriter) { h.ServeHTTP(w, r) })
	})
}

func (s *Server) applyFault(w http.ResponseWriter, r *http.Request, f *fault) {
	if f.Drop {
		dropConnection(w)
		return
	}
	if f.Bare && f.Status == http.StatusTooManyRequests {
		writeJSON(w, f.Status, map[string]any{"message": "Rate limit exceeded", "http_status_code": f.Status})
		return
	}
	writeFault(w, r, f.Status)
}

// dropConnection closes the connection with no answer at all.
func dropConnection(w http.ResponseWriter) {
	if rec, ok := w.(*statusRecorder); ok {
		rec.dropped = true
	}
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		// HTTP/2 or a recorder: the closest thing is to abort the handler.
		panic(http.ErrAbortHandler)
	}
	conn.Close()
}

// writeFault answers status the way a real deployment shows it.
func writeFault(w http.ResponseWriter, r *http.Request, status int) {
	cid := cidOf(r)
	token := r.URL.Path == TokenPath
	switch {
	case status == http.StatusBadGateway:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n")
	case status == http.StatusServiceUnavailable:
		w.Header().Set("Retry-After", "1")
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(status)
	case status == http.StatusGatewayTimeout:
		writeProblem(w, problem{Title: "Gateway Timeout", Status: status,
			Detail: "the upstream service did not answer in time", CorrelationID: cid})
	case status == http.StatusTooManyRequests:
		w.Header().Set("Retry-After", "1")
		writeJSON(w, status, rateLimitBody(1000, time.Minute))
	case token && status == http.StatusUnauthorized:
		writeJSON(w, status, map[string]string{"error": "unauthorized_client", "error_description": "Invalid client or Invalid client credentials"})
	case token && status >= 400 && status < 500:
		writeJSON(w, status, map[string]string{"error": "invalid_request", "error_description": "injected fault"})
	case status == http.StatusUnauthorized:
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		writeV1(w, status, "UNAUTHORISED", "the access token is invalid")
	case status == http.StatusForbidden:
		writeV1(w, status, "ACCESS_DENIED", "access denied")
	case status == http.StatusNotFound:
		writeV1(w, status, "NOT_FOUND", "not found")
	case status >= 400 && status < 500:
		writeV1(w, status, "INVALID_REQUEST_PARAMS", "injected fault")
	default:
		if status < 500 || status > 599 {
			status = http.StatusInternalServerError
		}
		writeV1(w, status, "INTERNAL_ERROR", fmt.Sprintf("internal error; report correlation id %s", cid))
	}
}
