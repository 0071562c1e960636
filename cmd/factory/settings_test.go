package factory

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/connectctl/connectctl/internal/auth"
	"github.com/connectctl/connectctl/internal/config"
	"github.com/connectctl/connectctl/internal/credentials"
	"github.com/connectctl/connectctl/internal/iostreams"
)

// askedKeyring counts calls: a secret known without the keyring must not
// touch it.
type askedKeyring struct{ calls int }

func (k *askedKeyring) Get(string, string) (string, error) {
	k.calls++
	return "", credentials.ErrNotFound
}
func (k *askedKeyring) Set(string, string, string) error { k.calls++; return nil }
func (k *askedKeyring) Delete(string, string) error      { k.calls++; return nil }

func TestSettingsAskKeyringOnlyWhenNeeded(t *testing.T) {
	tests := []struct {
		name       string
		env        map[string]string
		wantSource string
		wantAsked  bool
	}{
		{"built-in sandbox", nil, config.SourceBuiltIn, false},
		{"environment", map[string]string{config.EnvClientID: "c", config.EnvClientSecret: "s"}, config.SourceEnv, false},
		{"another client id of the sandbox profile", map[string]string{config.EnvClientID: "c"}, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			home := t.TempDir()
			t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, "config"))
			t.Setenv(config.EnvClientID, "")
			t.Setenv(config.EnvClientSecret, "")
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			ios, _, _, _ := iostreams.Test()
			k := &askedKeyring{}
			f := &Factory{IOStreams: ios, Env: func(string) string { return "" }, Keyring: k}
			s, err := f.Settings()
			if err != nil {
				t.Fatal(err)
			}
			if s.SecretSource != tt.wantSource || (k.calls > 0) != tt.wantAsked {
				t.Errorf("secret from %q, keyring asked %d times; want %q, asked %v", s.SecretSource, k.calls, tt.wantSource, tt.wantAsked)
			}
		})
	}
}

// secretKeyring holds one secret and counts how often it is asked.
type secretKeyring struct{ calls int }

func (k *secretKeyring) Get(string, string) (string, error) { k.calls++; return "kept-secret", nil }
func (k *secretKeyring) Set(string, string, string) error   { k.calls++; return nil }
func (k *secretKeyring) Delete(string, string) error        { k.calls++; return nil }

// A profile whose secret is in the keyring does not ask the keyring while a
// usable token fetched with it is cached; it does once that token is stale.
func TestCachedTokenSparesTheKeyring(t *testing.T) {
	tests := []struct {
		name      string
		expiresIn time.Duration
		wantAsked bool
	}{
		{"usable cached token", time.Hour, false},
		{"stale cached token", 10 * time.Second, true},
		{"no cached token", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			home := t.TempDir()
			t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, "config"))
			t.Setenv(config.EnvClientID, "c")
			t.Setenv(config.EnvClientSecret, "")
			ios, _, _, _ := iostreams.Test()
			k := &secretKeyring{}
			dir := filepath.Join(home, "tokens")
			f := &Factory{IOStreams: ios, Env: func(string) string { return "" }, Keyring: k, TokenCacheDir: dir}
			p, _ := config.BuiltIn(config.DefaultProfile)
			if tt.expiresIn > 0 {
				c := credentials.NewKeyringTokenCache(dir, p.Name, p.TokenURL, "c")
				tok := &oauth2.Token{AccessToken: "cached", Expiry: time.Now().Add(tt.expiresIn), ExpiresIn: int64(time.Hour / time.Second)}
				if err := c.Save(context.Background(), auth.CacheKey(p.TokenURL, "c", nil), tok); err != nil {
					t.Fatal(err)
				}
			}
			s, err := f.Settings()
			if err != nil {
				t.Fatal(err)
			}
			if s.SecretSource != credentials.SourceKeyring {
				t.Errorf("secret from %q, want keyring", s.SecretSource)
			}
			if (k.calls > 0) != tt.wantAsked || s.SecretDeferred == tt.wantAsked {
				t.Fatalf("keyring asked %d times, deferred %v; want asked %v", k.calls, s.SecretDeferred, tt.wantAsked)
			}
			if tt.wantAsked {
				return
			}
			src, _, err := f.TokenSource()
			if err != nil {
				t.Fatal(err)
			}
			tok, err := src.Token(context.Background())
			if err != nil || tok.AccessToken != "cached" {
				t.Fatalf("token %v, %v; want the cached one", tok, err)
			}
			if exp, ok := f.CachedTokenExpiry(context.Background(), s); !ok || exp.IsZero() {
				t.Error("CachedTokenExpiry does not see the cached token")
			}
			if k.calls != 0 {
				t.Errorf("keyring asked %d times with a usable cached token", k.calls)
			}
			f.ResolveSecret(s)
			if k.calls != 1 || s.ClientSecret != "kept-secret" || s.SecretDeferred {
				t.Errorf("ResolveSecret: asked %d, secret %q, deferred %v", k.calls, s.ClientSecret, s.SecretDeferred)
			}
		})
	}
}
