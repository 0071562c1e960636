package factory

import (
	"path/filepath"
	"testing"

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
