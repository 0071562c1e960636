// Package webhook receives the Connect API's notifications: an http.Handler
// that accepts POSTs on a secret path, checks that each body is a
// notification, and emits each new event as one canonical JSON line.
//
// The API signs nothing (docs: connect-api.md, Notifications), so the
// receiver protects itself: an unguessable path token compared in constant
// time, a body size cap, server timeouts (see NewServer) and strict shape
// checks.
package webhook

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/connectctl/connectctl/internal/connect"
	"github.com/connectctl/connectctl/internal/validate"
)

const (
	// DefaultMaxBody is the largest body accepted; a notification is a few
	// hundred bytes.
	DefaultMaxBody = 64 << 10
	// DefaultDedupSize is how many event ids are remembered to drop retries.
	DefaultDedupSize = 4096
	// tokenBytes is the entropy of a path token: 192 bits.
	tokenBytes = 24
	// maxFieldLen bounds each string field of a notification.
	maxFieldLen = 256
)

// NewToken returns a fresh path token: 192 random bits, base64url without padding.
func NewToken() (string, error) {
	b := make([]byte, tokenBytes)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("webhook: path token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// Enqueuer takes each new event for relaying (see Forwarder). Enqueue must not block.
type Enqueuer interface {
	Enqueue(id string, body []byte)
}

// Options configure a Handler.
type Options struct {
	// Token is the secret path: only POST /<Token> is accepted. Required.
	Token string
	// Out receives each new event as one JSON line. Required.
	Out io.Writer
	// Log receives one line per request outcome; nil discards.
	Log io.Writer
	// MaxBody caps the body in bytes (default DefaultMaxBody).
	MaxBody int64
	// DedupSize bounds the set of remembered event ids (default DefaultDedupSize).
	DedupSize int
	// Forward, if set, is given each new event after it is emitted.
	Forward Enqueuer
}

// Handler is the notification receiver. It is safe for concurrent use.
type Handler struct {
	path    []byte
	out     io.Writer
	log     io.Writer
	maxBody int64
	forward Enqueuer

	mu   sync.Mutex // guards out, seen and order
	seen map[string]struct{}
	ring []string // ids in arrival order; ring[next] is evicted next
	next int

	logMu sync.Mutex
}

// New returns a Handler for o.
func New(o Options) (*Handler, error) {
	if len(o.Token) < 16 {
		return nil, errors.New("webhook: a path token of at least 16 characters is required")
	}
	if strings.ContainsAny(o.Token, "/?#%") {
		return nil, errors.New("webhook: the path token must be URL-safe")
	}
	if o.Out == nil {
		return nil, errors.New("webhook: an event writer is required")
	}
	h := &Handler{path: []byte("/" + o.Token), out: o.Out, log: o.Log, maxBody: o.MaxBody, forward: o.Forward}
	if h.log == nil {
		h.log = io.Discard
	}
	if h.maxBody <= 0 {
		h.maxBody = DefaultMaxBody
	}
	n := o.DedupSize
	if n <= 0 {
		n = DefaultDedupSize
	}
	h.seen = make(map[string]struct{}, n)
	h.ring = make([]string, n)
	return h, nil
}

func (h *Handler) logf(format string, args ...any) {
	h.logMu.Lock()
	defer h.logMu.Unlock()
	fmt.Fprintf(h.log, time.Now().Format("15:04:05")+" "+format+"\n", args...)
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// The path is the secret: compare in constant time and say nothing about
	// why a path is wrong.
	if subtle.ConstantTimeCompare([]byte(r.URL.Path), h.path) != 1 {
		h.logf("404 %s from %s: wrong path", r.Method, r.RemoteAddr)
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		h.logf("405 %s from %s", r.Method, r.RemoteAddr)
		http.Error(w, "method not allowed: POST a notification", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.maxBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			h.logf("413 from %s: body over %d bytes", r.RemoteAddr, h.maxBody)
			http.Error(w, fmt.Sprintf("body too large: at most %d bytes", h.maxBody), http.StatusRequestEntityTooLarge)
			return
		}
		h.logf("400 from %s: reading the body: %v", r.RemoteAddr, err)
		http.Error(w, "could not read the body", http.StatusBadRequest)
		return
	}
	n, err := Parse(body)
	if err != nil {
		h.logf("400 from %s: %v", r.RemoteAddr, err)
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	line, err := json.Marshal(n)
	if err != nil { // cannot happen with these field types
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	if h.emit(n.ID, line) {
		h.logf("received %s for %s (id %s)", n.Type, n.ICCID, n.ID)
		if h.forward != nil {
			h.forward.Enqueue(n.ID, line)
		}
	} else {
		h.logf("duplicate %s for %s (id %s): acknowledged, not printed again", n.Type, n.ICCID, n.ID)
	}
	w.WriteHeader(http.StatusNoContent)
}

// emit writes line unless id was seen before; it reports whether it wrote.
// One lock covers the check and the write, so concurrent events never
// interleave and concurrent retries print once.
func (h *Handler) emit(id string, line []byte) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if id != "" {
		if _, dup := h.seen[id]; dup {
			return false
		}
		if old := h.ring[h.next]; old != "" {
			delete(h.seen, old)
		}
		h.ring[h.next] = id
		h.next = (h.next + 1) % len(h.ring)
		h.seen[id] = struct{}{}
	}
	buf := make([]byte, 0, len(line)+1)
	buf = append(append(buf, line...), '\n')
	if _, err := h.out.Write(buf); err != nil {
		h.logf("writing an event: %v", err)
	}
	return true
}

// Parse decodes and checks a notification body: one JSON object with a
// known type (the documents' misspelling SUBSCRITPION_END is normalised)
// and an ICCID. The result is canonical.
func Parse(body []byte) (connect.Notification, error) {
	var n connect.Notification
	dec := json.NewDecoder(strings.NewReader(string(body)))
	if t := strings.TrimSpace(string(body)); !strings.HasPrefix(t, "{") {
		return n, errors.New("not a notification: want a JSON object")
	}
	if err := dec.Decode(&n); err != nil {
		return connect.Notification{}, fmt.Errorf("not a notification: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return connect.Notification{}, errors.New("not a notification: data after the JSON object")
	}
	switch n.Type {
	case validate.NotificationUsageThreshold, validate.NotificationSubscriptionEnd:
	case "":
		return n, errors.New("not a notification: type is missing")
	default:
		return n, fmt.Errorf("not a notification: type %q: want USAGE_THRESHOLD or SUBSCRIPTION_END", n.Type)
	}
	if strings.TrimSpace(n.ICCID) == "" {
		return n, errors.New("not a notification: iccid is missing")
	}
	for name, v := range map[string]string{"id": n.ID, "iccid": n.ICCID, "subscription_id": n.SubscriptionID} {
		if len(v) > maxFieldLen {
			return n, fmt.Errorf("not a notification: %s longer than %d characters", name, maxFieldLen)
		}
	}
	return n, nil
}

// NewServer returns an http.Server for h with the timeouts a receiver
// exposed to the network needs.
func NewServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      10 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    16 << 10,
	}
}
