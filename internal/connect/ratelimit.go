package connect

import (
	"net/http"
	"sync"
	"time"
)

// RateLimit is the quota an answer announced in its rate-limit headers.
type RateLimit struct {
	// Endpoint is the method and route template the quota counts
	// ("GET /v1/order"): the API keeps one quota per endpoint.
	Endpoint  string    `json:"endpoint"`
	Limit     int       `json:"limit"`
	Remaining int       `json:"remaining"`
	Reset     time.Time `json:"reset,omitzero"` // the window's end; zero when not announced
}

// lastRateLimit keeps the rate-limit headers of the latest answer that had
// them, for commands that report the budget (connectctl status).
type lastRateLimit struct {
	mu sync.Mutex
	rl *RateLimit
}

func (l *lastRateLimit) record(key string, h http.Header) {
	if h == nil {
		return
	}
	remaining, ok := atoiHeader(h, "x-rate-limit-remaining")
	if !ok {
		return
	}
	rl := &RateLimit{Endpoint: key, Remaining: remaining}
	rl.Limit, _ = atoiHeader(h, "x-rate-limit-limit")
	rl.Reset, _ = parseResetMillis(h.Get("x-rate-limit-reset"))
	l.mu.Lock()
	l.rl = rl
	l.mu.Unlock()
}

// LastRateLimit returns the quota the latest answer carrying rate-limit
// headers announced, and false when no answer had them.
func (c *Client) LastRateLimit() (RateLimit, bool) {
	c.lastRL.mu.Lock()
	defer c.lastRL.mu.Unlock()
	if c.lastRL.rl == nil {
		return RateLimit{}, false
	}
	return *c.lastRL.rl, true
}
