// Package auth obtains and caches the OAuth2 access tokens the Connect API
// wants on every call.
//
// The layers are:
//
//   - a FetchFunc that asks the token endpoint for a new token (client
//     credentials grant, see NewClientCredentials);
//   - a CachingSource that reuses a token until shortly before it expires,
//     lets one goroutine fetch at a time, and consults a Store so that a later
//     change can keep tokens across invocations (keyring, file) by supplying
//     another Store. Only MemoryStore exists today.
//
// Nothing in this package prints or logs a secret or a token: Config's String
// method redacts the secret, errors carry only the endpoint's error code and
// description, and the debug transport logs method, URL, status and timing.
package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
)

// TokenSource hands out bearer tokens for API calls.
type TokenSource interface {
	// Token returns a token that is valid now, fetching one if needed.
	Token(ctx context.Context) (*oauth2.Token, error)
	// Invalidate drops the cached token if it is still tok (compared by
	// access token), so that the next Token call fetches a fresh one. The
	// API client calls it after a 401.
	Invalidate(tok *oauth2.Token)
}

// FetchFunc asks the token endpoint for a brand-new token.
type FetchFunc func(ctx context.Context) (*oauth2.Token, error)

// Store keeps tokens by key. Load answers (nil, nil) when it holds nothing
// for the key. Implementations must be safe for concurrent use. A store holds
// secrets: an implementation backed by a file or keyring must protect them.
type Store interface {
	Load(ctx context.Context, key string) (*oauth2.Token, error)
	Save(ctx context.Context, key string, tok *oauth2.Token) error
	Delete(ctx context.Context, key string) error
}

// MemoryStore is a Store that lives as long as the process.
type MemoryStore struct {
	mu sync.Mutex
	m  map[string]oauth2.Token
}

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore { return &MemoryStore{m: map[string]oauth2.Token{}} }

// Load implements Store.
func (s *MemoryStore) Load(_ context.Context, key string) (*oauth2.Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.m[key]
	if !ok {
		return nil, nil
	}
	return &t, nil
}

// Save implements Store.
func (s *MemoryStore) Save(_ context.Context, key string, tok *oauth2.Token) error {
	if tok == nil {
		return errors.New("auth: refusing to store a nil token")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string]oauth2.Token{}
	}
	s.m[key] = *tok
	return nil
}

// Delete implements Store.
func (s *MemoryStore) Delete(_ context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, key)
	return nil
}

// MaxRefreshMargin caps how long before its expiry a token is replaced.
const MaxRefreshMargin = 30 * time.Second

// RefreshMargin is how long before expiry a token of the given lifetime is
// considered stale: min(30s, lifetime/5). A 2-second token is thus reused for
// 1.6 s, a 5-minute token for 4.5 minutes.
func RefreshMargin(lifetime time.Duration) time.Duration {
	m := lifetime / 5
	if m > MaxRefreshMargin {
		m = MaxRefreshMargin
	}
	if m < 0 {
		m = 0
	}
	return m
}

// CacheOptions configures a CachingSource.
type CacheOptions struct {
	// Store is consulted before fetching and written after every fetch.
	// Nil means the source's own memory only.
	Store Store
	// Key names this source's token in Store (see CacheKey).
	Key string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// CachingSource reuses a token until RefreshMargin before its expiry. It is
// safe for concurrent use; at most one fetch runs at a time and callers that
// arrive meanwhile wait for its result (or for their context).
type CachingSource struct {
	fetch FetchFunc
	store Store
	key   string
	now   func() time.Time

	sem chan struct{} // one fetch at a time

	mu  sync.Mutex
	cur *oauth2.Token
}

// NewCachingSource wraps fetch in a reuse cache.
func NewCachingSource(fetch FetchFunc, o CacheOptions) *CachingSource {
	now := o.Now
	if now == nil {
		now = time.Now
	}
	return &CachingSource{fetch: fetch, store: o.Store, key: o.Key, now: now, sem: make(chan struct{}, 1)}
}

// Usable reports whether tok may still be used at now, by the rule the
// cache applies (RefreshMargin before its expiry).
func Usable(tok *oauth2.Token, now time.Time) bool { return fresh(tok, now) }

// fresh reports whether tok may still be used at now.
func fresh(tok *oauth2.Token, now time.Time) bool {
	if tok == nil || tok.AccessToken == "" {
		return false
	}
	if tok.Expiry.IsZero() {
		return true // no expiry announced: reuse until the API refuses it
	}
	lifetime := time.Duration(tok.ExpiresIn) * time.Second
	if lifetime <= 0 {
		lifetime = tok.Expiry.Sub(now)
	}
	return now.Before(tok.Expiry.Add(-RefreshMargin(lifetime)))
}

func (s *CachingSource) cached() *oauth2.Token {
	s.mu.Lock()
	defer s.mu.Unlock()
	if fresh(s.cur, s.now()) {
		t := *s.cur
		return &t
	}
	return nil
}

// Token implements TokenSource.
func (s *CachingSource) Token(ctx context.Context) (*oauth2.Token, error) {
	if t := s.cached(); t != nil {
		return t, nil
	}
	select {
	case s.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-s.sem }()
	// Another caller may have fetched while we waited.
	if t := s.cached(); t != nil {
		return t, nil
	}
	if s.store != nil {
		if t, err := s.store.Load(ctx, s.key); err == nil && fresh(t, s.now()) {
			s.set(t)
			c := *t
			return &c, nil
		}
	}
	fetchedAt := s.now()
	tok, err := s.fetch(ctx)
	if err != nil {
		return nil, err
	}
	if tok == nil || tok.AccessToken == "" {
		return nil, &Error{Description: "the token endpoint answered without an access token"}
	}
	t := *tok
	// Compute the expiry on our own clock from expires_in (the library uses
	// time.Now, which tests cannot steer, and clientcredentials does not
	// copy ExpiresIn).
	if t.ExpiresIn <= 0 {
		t.ExpiresIn = extraSeconds(tok.Extra("expires_in"))
	}
	if t.ExpiresIn <= 0 && !t.Expiry.IsZero() {
		t.ExpiresIn = int64(time.Until(t.Expiry).Round(time.Second) / time.Second)
	}
	if t.ExpiresIn > 0 {
		t.Expiry = fetchedAt.Add(time.Duration(t.ExpiresIn) * time.Second)
	}
	s.mu.Lock()
	s.cur = &t
	if s.store != nil {
		_ = s.store.Save(ctx, s.key, &t) // a cache that cannot be written is not fatal
	}
	s.mu.Unlock()
	c := t
	return &c, nil
}

func (s *CachingSource) set(t *oauth2.Token) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cur = t
}

// Invalidate implements TokenSource.
func (s *CachingSource) Invalidate(tok *oauth2.Token) {
	if tok == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cur != nil && s.cur.AccessToken == tok.AccessToken {
		s.cur = nil
	}
	if s.store != nil {
		ctx := context.Background()
		if t, err := s.store.Load(ctx, s.key); err == nil && t != nil && t.AccessToken == tok.AccessToken {
			_ = s.store.Delete(ctx, s.key)
		}
	}
}

// extraSeconds reads a token response's expires_in, a number or a string.
func extraSeconds(v any) int64 {
	switch x := v.(type) {
	case float64:
		return int64(x)
	case int64:
		return x
	case int:
		return int64(x)
	case json.Number:
		n, _ := x.Int64()
		return n
	case string:
		n, _ := strconv.ParseInt(strings.TrimSpace(x), 10, 64)
		return n
	}
	return 0
}

// StaticTokenSource always answers the same access token (a token given on
// the command line, tests). Invalidate does nothing.
type StaticTokenSource struct{ AccessToken string }

// Token implements TokenSource.
func (s StaticTokenSource) Token(context.Context) (*oauth2.Token, error) {
	return &oauth2.Token{AccessToken: s.AccessToken, TokenType: "Bearer"}, nil
}

// Invalidate implements TokenSource.
func (StaticTokenSource) Invalidate(*oauth2.Token) {}

// CacheKey names a client's token in a Store. It never includes the secret.
func CacheKey(tokenURL, clientID string, scopes []string) string {
	return "connectctl|" + tokenURL + "|" + clientID + "|" + strings.Join(scopes, " ")
}

// Error is a failure to obtain a token.
type Error struct {
	TokenURL    string
	Status      int    // HTTP status of the token endpoint; 0 when it gave no answer
	Code        string // OAuth2 "error", e.g. unauthorized_client
	Description string // OAuth2 "error_description"
	Cause       error  // transport failure, if any
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.Status == 0 && e.Cause != nil {
		// No answer is a network failure, not a verdict on the credentials.
		b.WriteString("cannot reach the token endpoint")
		if e.TokenURL != "" {
			fmt.Fprintf(&b, " %s", e.TokenURL)
		}
		fmt.Fprintf(&b, ": %v; check the network and the profile's token URL", e.Cause)
		return b.String()
	}
	b.WriteString("authentication failed")
	if e.TokenURL != "" {
		fmt.Fprintf(&b, " at %s", e.TokenURL)
	}
	if e.Status != 0 {
		fmt.Fprintf(&b, ": token endpoint answered HTTP %d", e.Status)
	}
	if e.Code != "" {
		fmt.Fprintf(&b, ": %s", e.Code)
	}
	if e.Description != "" {
		fmt.Fprintf(&b, ": %s", e.Description)
	}
	switch {
	case e.Code == "unauthorized_client" || e.Code == "invalid_client" || e.Status == 401:
		b.WriteString("; check the client id and secret of the profile (CONNECTCTL_CLIENT_ID / CONNECTCTL_CLIENT_SECRET)")
	case e.Status >= 500:
		b.WriteString("; the token service is in trouble, retry later")
	case e.Status >= 400:
		b.WriteString("; check the profile's credentials and token URL")
	}
	return b.String()
}

// Unwrap returns the transport failure, if any.
func (e *Error) Unwrap() error { return e.Cause }

// HTTPStatus lets the CLI choose an exit code: every 4xx answer of the token
// endpoint (400 invalid_grant as well as 401 unauthorized_client) is an
// authentication failure and reports 401; a 5xx reports itself; no answer
// reports 0.
func (e *Error) HTTPStatus() int {
	if e.Status >= 400 && e.Status < 500 {
		return 401
	}
	return e.Status
}
