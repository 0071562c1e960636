package contract

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net"
	"net/http"
	"sync"
)

// checker is what a Transport and a Middleware share: the spec, where to
// report, and the counters.
type checker struct {
	spec *Spec
	t    TB
	o    options

	mu    sync.Mutex
	stats Stats
}

func newChecker(s *Spec, t TB, opts []Option) *checker {
	return &checker{spec: s, t: t, o: buildOptions(opts)}
}

func (c *checker) record(ex *Exchange) {
	vs, skipped, op := c.spec.check(ex, &c.o)
	var d Stats
	switch {
	case skipped:
		d.Skipped = 1
	default:
		d.Exchanges = 1
		if op != "" {
			d.Validated = 1
			d.Operations = map[string]int{op: 1}
		}
		d.Violations = len(vs)
	}
	c.mu.Lock()
	c.stats.merge(d)
	c.mu.Unlock()
	c.spec.add(d)
	for _, v := range vs {
		if v.Side == "request" && c.o.allowInvalidRequests {
			continue
		}
		c.t.Helper()
		c.t.Errorf("%s", v)
	}
}

// Stats returns what this checker saw so far.
func (c *checker) Stats() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stats.clone()
}

// RequireValidated reports through t when fewer than min exchanges were
// validated: a contract test that validated nothing proved nothing.
func (c *checker) RequireValidated(t TB, min int) {
	t.Helper()
	st := c.Stats()
	if st.Validated < min {
		t.Errorf("contract: %d exchanges validated against %s, want at least %d (seen %d, skipped %d)",
			st.Validated, SpecFile, min, st.Exchanges, st.Skipped)
	}
}

// Transport is an http.RoundTripper checking every exchange against the
// contract. Make one with (*Spec).Transport.
type Transport struct {
	*checker
	base http.RoundTripper
}

// Transport wraps base (http.DefaultTransport when nil) so that every request
// sent through it and every answer received are validated against the
// contract; violations are reported with t.Errorf. Bodies are buffered and
// restored: the caller reads the answer as usual.
func (s *Spec) Transport(t TB, base http.RoundTripper, opts ...Option) *Transport {
	if base == nil {
		base = http.DefaultTransport
	}
	return &Transport{checker: newChecker(s, t, opts), base: base}
}

// RoundTrip implements http.RoundTripper.
func (tr *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	var reqBody []byte
	out := req
	if req.Body != nil && req.Body != http.NoBody {
		data, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		reqBody = data
		out = req.Clone(req.Context())
		out.Body = io.NopCloser(bytes.NewReader(data))
		out.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
		out.ContentLength = int64(len(data))
	}

	resp, err := tr.base.RoundTrip(out)
	if err != nil {
		tr.record(&Exchange{Request: req, RequestBody: reqBody, NoResponse: true})
		return resp, err
	}

	body, rerr := io.ReadAll(resp.Body)
	resp.Body.Close()
	if rerr != nil {
		// A broken answer is the transport's failure, not a contract
		// violation: check the request only and hand the error on.
		resp.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body), errReader{rerr}))
		tr.record(&Exchange{Request: req, RequestBody: reqBody, NoResponse: true})
		return resp, nil
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	tr.record(&Exchange{
		Request:     req,
		RequestBody: reqBody,
		Status:      resp.StatusCode,
		Header:      resp.Header,
		Body:        body,
	})
	return resp, nil
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// Middleware is an http.Handler checking every exchange it serves against
// the contract. Make one with (*Spec).Middleware.
type Middleware struct {
	*checker
	next http.Handler
}

// Middleware wraps next (the sandbox) so that every request it receives and
// every answer it writes are validated against the contract, whatever client
// sent them; violations are reported with t.Errorf. The answer goes to the
// client unchanged as it is written.
func (s *Spec) Middleware(t TB, next http.Handler, opts ...Option) *Middleware {
	return &Middleware{checker: newChecker(s, t, opts), next: next}
}

// ServeHTTP implements http.Handler.
func (m *Middleware) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var reqBody []byte
	if r.Body != nil && r.Body != http.NoBody {
		data, err := io.ReadAll(r.Body)
		r.Body.Close()
		if err != nil {
			// The client went away mid-body: let the handler see the same.
			r.Body = io.NopCloser(io.MultiReader(bytes.NewReader(data), errReader{err}))
			m.next.ServeHTTP(w, r)
			return
		}
		reqBody = data
		r.Body = io.NopCloser(bytes.NewReader(data))
	}
	// Keep what the checker needs before the handler can change the request.
	seen := r.Clone(r.Context())
	seen.Body = nil

	rec := &recorder{ResponseWriter: w}
	m.next.ServeHTTP(rec, r)
	if rec.hijacked {
		m.record(&Exchange{Request: seen, RequestBody: reqBody, NoResponse: true})
		return
	}
	if !rec.wroteHeader {
		rec.WriteHeader(http.StatusOK)
	}
	m.record(&Exchange{
		Request:     seen,
		RequestBody: reqBody,
		Status:      rec.status,
		Header:      rec.header,
		Body:        rec.body.Bytes(),
	})
}

// recorder passes an answer through while keeping a copy of it.
type recorder struct {
	http.ResponseWriter
	wroteHeader bool
	hijacked    bool
	status      int
	header      http.Header
	body        bytes.Buffer
}

func (r *recorder) WriteHeader(code int) {
	if r.wroteHeader {
		r.ResponseWriter.WriteHeader(code) // let net/http complain as usual
		return
	}
	if code >= 100 && code < 200 && code != http.StatusSwitchingProtocols {
		r.ResponseWriter.WriteHeader(code) // informational: not the answer
		return
	}
	r.wroteHeader = true
	r.status = code
	r.header = r.ResponseWriter.Header().Clone()
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(p []byte) (int, error) {
	if !r.wroteHeader {
		r.WriteHeader(http.StatusOK)
	}
	r.body.Write(p)
	return r.ResponseWriter.Write(p)
}

// Flush implements http.Flusher when the underlying writer does.
func (r *recorder) Flush() {
	if !r.wroteHeader {
		r.WriteHeader(http.StatusOK)
	}
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Hijack implements http.Hijacker when the underlying writer does (the
// sandbox drops connections to simulate faults); such an exchange has no
// answer to check.
func (r *recorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	h, ok := r.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("contract: the underlying ResponseWriter does not support hijacking")
	}
	conn, rw, err := h.Hijack()
	if err == nil {
		r.hijacked = true
	}
	return conn, rw, err
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
