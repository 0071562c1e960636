package credentials

import (
	"context"
	"crypto/pbkdf2"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/connectctl/connectctl/internal/config"
)

// TokenCache is an auth.Store that keeps access tokens between invocations
// in files of mode 0600 under Dir (mode 0700), one file per profile, client
// and secret:
//
//	<profile>.<fingerprint>.json
//
// The fingerprint hashes the key auth gives (token URL, client id, scopes)
// with the profile and a PBKDF2 digest of the client secret, so a changed
// secret, client id, token URL or profile never finds a token another one
// fetched. Only the access token, its type and expiry are written: never the
// secret, never a refresh token.
type TokenCache struct {
	Dir     string
	Profile string
	scope   string
	now     func() time.Time
}

// DefaultTokenDir is <user cache dir>/connectctl/tokens ($XDG_CACHE_HOME on
// Linux).
func DefaultTokenDir() (string, error) {
	d, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(d, "connectctl", "tokens"), nil
}

// secretIterations makes the secret's fingerprint slow to brute-force from a
// file name while costing an invocation about a millisecond.
const secretIterations = 4096

// NewTokenCache returns the cache of the given profile and credentials.
func NewTokenCache(dir, profile, tokenURL, clientID, secret string) *TokenCache {
	salt := []byte("connectctl token cache\x00" + profile + "\x00" + tokenURL + "\x00" + clientID)
	dk, _ := pbkdf2.Key(sha256.New, secret, salt, secretIterations, 32)
	return &TokenCache{Dir: dir, Profile: profile, scope: hex.EncodeToString(dk), now: time.Now}
}

// NewKeyringTokenCache returns the cache of a profile whose secret is in the
// system keyring. Its entries are keyed without the secret, so that a run
// finding a valid token never has to ask the keyring (slow, locked or
// absent on a headless host). connectctl invalidates them itself: auth login
// and logout remove the profile's tokens; a secret changed behind its back
// costs at most the token's lifetime, or one 401 and a new token.
func NewKeyringTokenCache(dir, profile, tokenURL, clientID string) *TokenCache {
	sum := sha256.Sum256([]byte("connectctl keyring token cache\x00" + profile + "\x00" + tokenURL + "\x00" + clientID))
	return &TokenCache{Dir: dir, Profile: profile, scope: hex.EncodeToString(sum[:]), now: time.Now}
}

// TokenCacheFor picks the cache for a secret from source: keyed without the
// secret when it lives in the keyring, on its fingerprint otherwise.
func TokenCacheFor(dir, profile, tokenURL, clientID, secret, source string) *TokenCache {
	if source == SourceKeyring {
		return NewKeyringTokenCache(dir, profile, tokenURL, clientID)
	}
	return NewTokenCache(dir, profile, tokenURL, clientID, secret)
}

type cachedToken struct {
	AccessToken string    `json:"access_token"`
	TokenType   string    `json:"token_type,omitempty"`
	Expiry      time.Time `json:"expiry"`
	ExpiresIn   int64     `json:"expires_in,omitempty"`
}

func (c *TokenCache) file(key string) string {
	sum := sha256.Sum256([]byte(c.scope + "\x00" + key))
	return filepath.Join(c.Dir, c.Profile+"."+hex.EncodeToString(sum[:16])+".json")
}

// Load implements auth.Store.
func (c *TokenCache) Load(_ context.Context, key string) (*oauth2.Token, error) {
	data, err := os.ReadFile(c.file(key))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var t cachedToken
	if err := json.Unmarshal(data, &t); err != nil || t.AccessToken == "" {
		return nil, nil // a damaged cache entry is a miss
	}
	return &oauth2.Token{AccessToken: t.AccessToken, TokenType: t.TokenType, Expiry: t.Expiry, ExpiresIn: t.ExpiresIn}, nil
}

// Save implements auth.Store. Expired tokens of the same profile are removed
// on the way.
func (c *TokenCache) Save(_ context.Context, key string, tok *oauth2.Token) error {
	if tok == nil || tok.AccessToken == "" {
		return errors.New("credentials: refusing to cache an empty token")
	}
	data, err := json.Marshal(cachedToken{AccessToken: tok.AccessToken, TokenType: tok.TokenType,
		Expiry: tok.Expiry, ExpiresIn: tok.ExpiresIn})
	if err != nil {
		return err
	}
	path := c.file(key)
	if err := os.MkdirAll(c.Dir, 0o700); err != nil {
		return err
	}
	_ = os.Chmod(c.Dir, 0o700)
	if err := config.WriteFileAtomic(path, data, false); err != nil {
		return err
	}
	c.prune(path)
	return nil
}

// Delete implements auth.Store.
func (c *TokenCache) Delete(_ context.Context, key string) error {
	err := os.Remove(c.file(key))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

// Expiry returns when the cached token for key expires, if one is cached.
func (c *TokenCache) Expiry(ctx context.Context, key string) (time.Time, bool) {
	t, err := c.Load(ctx, key)
	if err != nil || t == nil {
		return time.Time{}, false
	}
	return t.Expiry, true
}

// prune removes the profile's other cache files whose token has expired.
func (c *TokenCache) prune(keep string) {
	matches, _ := filepath.Glob(filepath.Join(c.Dir, c.Profile+".*.json"))
	for _, m := range matches {
		if m == keep || strings.Count(filepath.Base(m), ".") != 2 {
			continue
		}
		data, err := os.ReadFile(m)
		if err != nil {
			continue
		}
		var t cachedToken
		if json.Unmarshal(data, &t) != nil || (!t.Expiry.IsZero() && t.Expiry.Before(c.now())) {
			_ = os.Remove(m)
		}
	}
}

// RemoveTokens deletes every cached token of the profile, whatever client
// or secret fetched it; it returns how many it removed.
func RemoveTokens(dir, profile string) (int, error) {
	matches, err := filepath.Glob(filepath.Join(dir, profile+".*.json"))
	if err != nil {
		return 0, err
	}
	n := 0
	for _, m := range matches {
		if strings.Count(filepath.Base(m), ".") != 2 {
			continue // another profile whose name starts like this one's
		}
		if err := os.Remove(m); err == nil {
			n++
		} else if !errors.Is(err, fs.ErrNotExist) {
			return n, err
		}
	}
	return n, nil
}
