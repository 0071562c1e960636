package sandbox

import (
	"io"
	"time"
)

// Role is what a client may do, as in the Connect API.
type Role string

const (
	RoleReseller       Role = "RESELLER"
	RoleAccountManager Role = "ACCOUNT_MANAGER"
)

// ClientCredential is one OAuth2 client the token endpoint accepts.
type ClientCredential struct {
	ID     string
	Secret string
	Role   Role
}

// Config sets up a sandbox. Fields are taken as they are; DefaultConfig gives
// the values `connectctl sandbox serve` starts with.
type Config struct {
	TokenTTL   time.Duration      // access token lifetime
	RateLimit  int                // requests a window per client per endpoint; 0 = no limit
	RateWindow time.Duration      // the rate limit window; 0 means one minute, as the API
	OrderDelay time.Duration      // time from ACCEPTED to COMPLETED (0: complete at once)
	FailRate   float64            // share of /v1 requests meeting a random fault, before or after the work (0..1)
	Latency    time.Duration      // added before every answer
	StateFile  string             // persist state here with atomic writes; "" keeps it in memory
	Clients    []ClientCredential // accepted besides the built-in sandbox/sandbox
	Log        io.Writer          // one line per request; nil discards
	Seed       int64              // seeds fault injection and generated ids; 0 picks one
	Now        func() time.Time   // clock; nil uses time.Now
	// Edition is the API edition served: EditionV1 (amounts in major units,
	// 3.53) or Edition2024 (amounts as integers of the currency's smallest
	// unit, 353; a price with a fraction is refused with an RFC 7807 400).
	// "" is EditionV1.
	Edition string
}

// The API editions the sandbox serves.
const (
	EditionV1   = "v1"
	Edition2024 = "2024"
)

// DefaultConfig is the configuration of a plain `connectctl sandbox serve`.
func DefaultConfig() Config {
	return Config{TokenTTL: 5 * time.Minute, RateLimit: 1000, OrderDelay: 2 * time.Second}
}

func (c Config) rateWindow() time.Duration {
	if c.RateWindow <= 0 {
		return time.Minute
	}
	return c.RateWindow
}
