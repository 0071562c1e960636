package auth

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// Config describes an OAuth2 client of the Connect API.
type Config struct {
	TokenURL     string
	ClientID     string
	ClientSecret string
	// SecretFunc gives the secret when ClientSecret is empty; it is called
	// only when a token must be fetched, so a cached token never waits on a
	// slow secret store.
	SecretFunc func(ctx context.Context) (string, error)
	Scopes     []string
	// HTTPClient carries the token requests (timeouts, proxies); nil means a
	// client with a 30-second timeout.
	HTTPClient *http.Client
	// Store keeps the token; nil means this source's memory only.
	Store Store
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Debug, when set, receives one line per token request: method, URL,
	// status and duration. Never the form body, the secret or the token.
	Debug io.Writer
}

// String renders the config without its secret.
func (c Config) String() string {
	secret := ""
	if c.ClientSecret != "" {
		secret = "REDACTED"
	}
	return fmt.Sprintf("auth.Config{TokenURL: %q, ClientID: %q, ClientSecret: %q, Scopes: %q}",
		c.TokenURL, c.ClientID, secret, c.Scopes)
}

// GoString is String, so %#v does not print the secret either.
func (c Config) GoString() string { return c.String() }

// NewClientCredentials returns a caching TokenSource that obtains tokens
// with the client_credentials grant (client id and secret as form fields, as
// the API documents). Errors of the token endpoint become *Error.
func NewClientCredentials(cfg Config) (*CachingSource, error) {
	if cfg.TokenURL == "" {
		return nil, errors.New("auth: no token URL configured")
	}
	if _, err := url.ParseRequestURI(cfg.TokenURL); err != nil {
		return nil, fmt.Errorf("auth: bad token URL %q: %v", cfg.TokenURL, err)
	}
	if cfg.ClientID == "" {
		return nil, errors.New("auth: no client id configured")
	}
	if cfg.ClientSecret == "" && cfg.SecretFunc == nil {
		return nil, errors.New("auth: no client secret configured")
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	if cfg.Debug != nil {
		c := *hc
		base := c.Transport
		if base == nil {
			base = http.DefaultTransport
		}
		c.Transport = &debugTransport{base: base, w: cfg.Debug}
		hc = &c
	}
	cc := &clientcredentials.Config{
		ClientID:     cfg.ClientID,
		ClientSecret: cfg.ClientSecret,
		TokenURL:     cfg.TokenURL,
		Scopes:       cfg.Scopes,
		AuthStyle:    oauth2.AuthStyleInParams,
	}
	tokenURL := cfg.TokenURL
	fetch := func(ctx context.Context) (*oauth2.Token, error) {
		if cc.ClientSecret == "" {
			secret, err := cfg.SecretFunc(ctx)
			if err != nil {
				return nil, err
			}
			if secret == "" {
				return nil, errors.New("auth: no client secret configured")
			}
			cc.ClientSecret = secret
		}
		tok, err := cc.Token(context.WithValue(ctx, oauth2.HTTPClient, hc))
		if err != nil {
			return nil, toError(ctx, tokenURL, err)
		}
		return tok, nil
	}
	return NewCachingSource(fetch, CacheOptions{
		Store: cfg.Store,
		Key:   CacheKey(cfg.TokenURL, cfg.ClientID, cfg.Scopes),
		Now:   cfg.Now,
	}), nil
}

// toError turns what the oauth2 library returns into *Error, keeping the
// context's own error reachable for errors.Is.
func toError(ctx context.Context, tokenURL string, err error) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		e := &Error{TokenURL: tokenURL, Code: re.ErrorCode, Description: re.ErrorDescription}
		if re.Response != nil {
			e.Status = re.Response.StatusCode
		}
		return e
	}
	if ctx.Err() != nil {
		return &Error{TokenURL: tokenURL, Cause: ctx.Err()}
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		// url.Error repeats the URL; keep the cause only.
		return &Error{TokenURL: tokenURL, Cause: ue.Err}
	}
	return &Error{TokenURL: tokenURL, Cause: err}
}

// debugTransport logs token exchanges without their bodies.
type debugTransport struct {
	base http.RoundTripper
	mu   sync.Mutex
	w    io.Writer
}

func (t *debugTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	start := time.Now()
	resp, err := t.base.RoundTrip(r)
	u := *r.URL
	u.User = nil
	u.RawQuery = "" // a token URL carries no query worth showing; never risk one
	status := "error: " + redactErr(err)
	if err == nil {
		status = resp.Status
	}
	t.mu.Lock()
	fmt.Fprintf(t.w, "auth: %s %s -> %s (%s) [body and credentials not logged]\n",
		r.Method, u.String(), status, time.Since(start).Round(time.Millisecond))
	t.mu.Unlock()
	return resp, err
}

func redactErr(err error) string {
	if err == nil {
		return ""
	}
	s := err.Error()
	if strings.Contains(s, "secret") || strings.Contains(s, "token=") {
		return "(redacted)"
	}
	return s
}
