// Package sandbox is a local simulator of the 1GLOBAL Connect API over real
// HTTP: OAuth2 token endpoint, products, orders, SIMs, subscriptions,
// notifications, customers, rate limits, both error models, three pagination
// styles and the documents' quirks. docs/sandbox.md is its wire contract. It
// shares no code with the client: the two meet only on the wire.
package sandbox

import (
	"context"
	crand "crypto/rand"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"github.com/google/uuid"
)

// TokenPath is the path of the OAuth2 token endpoint.
const TokenPath = "/auth/realms/tru-staff/protocol/openid-connect/token"

// The built-in client every sandbox accepts.
const (
	BuiltinClientID     = "sandbox"
	BuiltinClientSecret = "sandbox"
)

const (
	refreshTTL       = 30 * time.Minute
	maxBody          = 1 << 20
	maxPageSize      = 40
	maxActiveSubs    = 15
	activationLeeway = time.Minute // clock skew allowed on activationDate
	webhookWait      = 5 * time.Second
)

// Server is a running sandbox. It is safe for concurrent use.
type Server struct {
	cfg     Config
	now     func() time.Time
	ids     idGen
	clients map[string]ClientCredential
	mux     *http.ServeMux
	handler http.Handler
	hook    *http.Client

	logMu sync.Mutex

	mu  sync.Mutex // guards st and gen
	st  *store
	gen uint64 // bumped by every change of st

	persistMu sync.Mutex // serialises state file writes
	savedGen  uint64

	rlMu    sync.Mutex
	windows map[string]*rlWindow

	statsMu       sync.Mutex
	tokenRequests int
	tokenByGrant  map[string]int
	requests      map[string]int

	faultMu sync.Mutex
	faults  []*fault
	rng     *rand.Rand

	closeOnce sync.Once
	closeErr  error
}

// minorUnits reports whether amounts go in the 2024 edition's integers.
func (s *Server) minorUnits() bool { return s.cfg.Edition == Edition2024 }

// New builds a sandbox from cfg, loading cfg.StateFile when it exists.
func New(cfg Config) (*Server, error) {
	if cfg.TokenTTL <= 0 {
		cfg.TokenTTL = DefaultConfig().TokenTTL
	}
	switch cfg.Edition {
	case "":
		cfg.Edition = EditionV1
	case EditionV1, Edition2024:
	default:
		return nil, fmt.Errorf("sandbox: edition %q: want %s or %s", cfg.Edition, EditionV1, Edition2024)
	}
	if cfg.RateLimit < 0 {
		return nil, fmt.Errorf("sandbox: rate limit %d: want 0 or more", cfg.RateLimit)
	}
	if cfg.FailRate < 0 || cfg.FailRate > 1 {
		return nil, fmt.Errorf("sandbox: fail rate %v: want 0..1", cfg.FailRate)
	}
	if cfg.OrderDelay < 0 || cfg.Latency < 0 {
		return nil, fmt.Errorf("sandbox: order delay and latency must not be negative")
	}
	if cfg.Log == nil {
		cfg.Log = io.Discard
	}
	s := &Server{
		cfg:          cfg,
		now:          cfg.Now,
		clients:      map[string]ClientCredential{BuiltinClientID: {ID: BuiltinClientID, Secret: BuiltinClientSecret, Role: RoleReseller}},
		windows:      map[string]*rlWindow{},
		tokenByGrant: map[string]int{},
		requests:     map[string]int{},
		hook:         &http.Client{Timeout: webhookWait},
	}
	if s.now == nil {
		s.now = time.Now
	}
	for _, c := range cfg.Clients {
		if c.ID == "" || c.Secret == "" {
			return nil, fmt.Errorf("sandbox: client %q: id and secret must not be empty", c.ID)
		}
		if c.Role == "" {
			c.Role = RoleReseller
		}
		if c.Role != RoleReseller && c.Role != RoleAccountManager {
			return nil, fmt.Errorf("sandbox: client %q: unknown role %q", c.ID, c.Role)
		}
		s.clients[c.ID] = c
	}

	seed := cfg.Seed
	if cfg.StateFile != "" {
		st, _, err := loadStore(cfg.StateFile, seed)
		if err != nil {
			return nil, err
		}
		s.st = st
		seed = st.seed
	}
	if seed == 0 {
		var b [8]byte
		_, _ = crand.Read(b[:])
		seed = int64(binary.BigEndian.Uint64(b[:]) >> 1)
	}
	if s.st == nil {
		s.st = newStore(seed)
	}
	s.st.seed = seed
	s.ids = idGen{seed: seed}
	s.rng = rand.New(rand.NewPCG(uint64(seed), uint64(seed)^0x5eed))

	s.routes()
	s.handler = http.HandlerFunc(s.serve)
	if cfg.StateFile != "" {
		s.mu.Lock()
		s.gen++ // write the file now: fails early on an unwritable path
		s.mu.Unlock()
		if err := s.commit(); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Handler is the sandbox's HTTP handler: the API under /v1, the token
// endpoint and the admin endpoints under /_sandbox/.
func (s *Server) Handler() http.Handler { return s.handler }

// Close flushes the state to cfg.StateFile and releases the webhook client's
// connections. It is safe to call more than once.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.gen++
		s.mu.Unlock()
		s.closeErr = s.commit()
		s.hook.CloseIdleConnections()
	})
	return s.closeErr
}

// changed records a change of the state; call with s.mu held.
func (s *Server) changed() { s.gen++ }

// commit writes the state file if the state changed since the last write.
// Concurrent callers share one write (group commit).
func (s *Server) commit() error {
	if s.cfg.StateFile == "" {
		return nil
	}
	s.persistMu.Lock()
	defer s.persistMu.Unlock()
	s.mu.Lock()
	gen := s.gen
	if gen == s.savedGen {
		s.mu.Unlock()
		return nil
	}
	snap := s.st.snapshot()
	s.mu.Unlock()
	data, err := json.Marshal(snap)
	if err != nil {
		return fmt.Errorf("sandbox: encode state: %w", err)
	}
	if err := writeFileAtomic(s.cfg.StateFile, data); err != nil {
		return fmt.Errorf("sandbox: write state %s: %w", s.cfg.StateFile, err)
	}
	s.savedGen = gen
	return nil
}

// begin locks the state, brings orders up to date and returns the clock.
// end unlocks it and writes the state file when something changed.
func (s *Server) begin() time.Time {
	s.mu.Lock()
	now := s.now()
	s.advance(now)
	return now
}

func (s *Server) end() {
	s.mu.Unlock()
	if err := s.commit(); err != nil {
		s.logf("sandbox: %v", err)
	}
}

func (s *Server) logf(format string, args ...any) {
	s.logMu.Lock()
	defer s.logMu.Unlock()
	fmt.Fprintf(s.cfg.Log, format+"\n", args...)
}

type ctxKey struct{}

// cidOf is the request's correlation id.
func cidOf(r *http.Request) string {
	if v, ok := r.Context().Value(ctxKey{}).(string); ok {
		return v
	}
	return ""
}

// serve is the outermost handler: correlation id, latency, logging.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	cid := r.Header.Get("X-Correlation-ID")
	if cid == "" {
		cid = r.Header.Get("Correlation-Id")
		if cid != "" {
			w.Header().Set("Correlation-Id", cid)
		}
	}
	if cid == "" {
		cid = uuid.NewString()
	}
	w.Header().Set("X-Correlation-ID", cid)
	r = r.WithContext(context.WithValue(r.Context(), ctxKey{}, cid))
	rec := &statusRecorder{ResponseWriter: w}
	if s.cfg.Latency > 0 && !isAdmin(r) {
		t := time.NewTimer(s.cfg.Latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
		}
	}
	s.mux.ServeHTTP(rec, r)
	status := fmt.Sprint(rec.status)
	switch {
	case rec.dropped:
		status = "dropped"
	case rec.status == 0:
		status = "200"
	}
	path := r.URL.EscapedPath()
	if r.URL.RawQuery != "" && r.URL.Path != TokenPath {
		path += "?" + r.URL.RawQuery
	}
	s.logf("sandbox: %s %s %s %s cid=%s", r.Method, path, status, time.Since(start).Round(time.Microsecond), cid)
}

func isAdmin(r *http.Request) bool {
	return len(r.URL.Path) >= 10 && r.URL.Path[:10] == "/_sandbox/"
}

type statusRecorder struct {
	http.ResponseWriter
	status  int
	dropped bool
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// discardWriter takes the answer of work done before an `after` fault.
type discardWriter struct{ h http.Header }

func (d *discardWriter) Header() http.Header {
	if d.h == nil {
		d.h = http.Header{}
	}
	return d.h
}
func (d *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (d *discardWriter) WriteHeader(int)             {}
