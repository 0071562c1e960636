package completion

import (
	"encoding/json"
	"os"
	"path/filepath"
	"time"

	"github.com/connectctl/connectctl/internal/config"
)

// Cache keeps API-backed completion lists between invocations: one 0600
// JSON file per profile and kind in Dir, e.g. sandbox-products.json. An
// entry belongs to one API endpoint and client id (its Key): a profile whose
// base URL or credentials changed does not see the old lists.
type Cache struct {
	Dir string
	// TTL: how long an entry is fresh (served without asking the API).
	TTL time.Duration
	// MaxStale: how old an entry may be and still stand in for an API that
	// failed or was too slow.
	MaxStale time.Duration
	// FailTTL: after a failed fetch, how long completion answers from the
	// cache (or with nothing) without asking the API again, so that TAB
	// after TAB against an unreachable API does not wait each time.
	FailTTL time.Duration
	Now     func() time.Time // nil means time.Now
}

// DefaultCacheDir is <user cache dir>/connectctl/completion.
func DefaultCacheDir() (string, error) {
	d, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(d, "connectctl", "completion"), nil
}

// Entry is one cached list.
type Entry struct {
	// Key names the endpoint and client id the items came from.
	Key     string    `json:"key"`
	Fetched time.Time `json:"fetched,omitzero"` // last successful fetch; zero: never
	Items   []string  `json:"items"`
	// Failed is when the last fetch failed (after Fetched): completion
	// waits FailTTL before asking the API again.
	Failed time.Time `json:"failed,omitzero"`
}

func (c *Cache) now() time.Time {
	if c != nil && c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c *Cache) path(profile, kind string) string {
	return filepath.Join(c.Dir, profile+"-"+kind+".json")
}

// Load returns the entry for profile and kind if it belongs to key.
func (c *Cache) Load(profile, kind, key string) (Entry, bool) {
	if c == nil || c.Dir == "" || config.CheckProfileName(profile) != nil {
		return Entry{}, false
	}
	data, err := os.ReadFile(c.path(profile, kind))
	if err != nil {
		return Entry{}, false
	}
	var e Entry
	if json.Unmarshal(data, &e) != nil || e.Key != key {
		return Entry{}, false
	}
	return e, true
}

// Store writes e for profile and kind, atomically, mode 0600.
func (c *Cache) Store(profile, kind string, e Entry) error {
	if c == nil || c.Dir == "" {
		return nil
	}
	if err := config.CheckProfileName(profile); err != nil {
		return err
	}
	if e.Items == nil {
		e.Items = []string{}
	}
	data, err := json.Marshal(e)
	if err != nil {
		return err
	}
	return config.WriteFileAtomic(c.path(profile, kind), data, false)
}

// since is how long ago t was; a zero t or one in the future (a clock
// set back) is infinitely long ago.
func (c *Cache) since(t time.Time) time.Duration {
	if t.IsZero() {
		return 1<<63 - 1
	}
	d := c.now().Sub(t)
	if d < 0 {
		return 1<<63 - 1
	}
	return d
}

// Fresh reports whether e's items may be served without asking the API.
func (c *Cache) Fresh(e Entry) bool { return c.since(e.Fetched) < c.TTL }

// Usable reports whether e's items may stand in for an API that failed.
func (c *Cache) Usable(e Entry) bool {
	return !e.Fetched.IsZero() && (c.MaxStale <= 0 || c.since(e.Fetched) <= c.MaxStale)
}

// Backoff reports whether the API failed too recently to be asked again.
func (c *Cache) Backoff(e Entry) bool { return c.since(e.Failed) < c.FailTTL }
