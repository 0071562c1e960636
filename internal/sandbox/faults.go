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

// withFaults runs work, unless a queued fault answers in its place (before
// it) or replaces its answer (after it).
func (s *Server) withFaults(w http.ResponseWriter, r *http.Request, work func(http.ResponseWriter)) {
	f := s.takeFault(r)
	switch {
	case f == nil:
		work(w)
	case !f.After:
		s.applyFault(w, r, f)
	default:
		work(&discardWriter{})
		s.applyFault(w, r, f)
	}
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

// randomFault answers a share cfg.FailRate of /v1 requests with a random
// 500, 502, 503 or 504.
func (s *Server) randomFault(w http.ResponseWriter, r *http.Request) bool {
	if s.cfg.FailRate <= 0 {
		return false
	}
	s.faultMu.Lock()
	hit := s.rng.Float64() < s.cfg.FailRate
	pick := s.rng.IntN(4)
	s.faultMu.Unlock()
	if !hit {
		return false
	}
	writeFault(w, r, []int{500, 502, 503, 504}[pick])
	return true
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
