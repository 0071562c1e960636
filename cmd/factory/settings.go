package factory

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/connectctl/connectctl/cmd/cmdutil"
	"github.com/connectctl/connectctl/internal/auth"
	"github.com/connectctl/connectctl/internal/config"
	"github.com/connectctl/connectctl/internal/credentials"
)

// EnvKeyringTimeout bounds each keyring call (a Go duration; default 5s, 20s
// on a terminal where a person may be unlocking the keyring).
const EnvKeyringTimeout = "CONNECTCTL_KEYRING_TIMEOUT"

// ApplyEnvironment gives every global flag the user did not pass its
// CONNECTCTL_* environment value (through viper), then the profile's
// defaults.output to -o when neither flag nor environment set it. The root
// command calls it before any command runs.
func (f *Factory) ApplyEnvironment(c *cobra.Command) error {
	fs := c.Root().PersistentFlags()
	sources, notes, err := config.ApplyEnv(fs)
	if err != nil {
		return cmdutil.FlagErrorf("%v", err)
	}
	f.flagSources = sources
	if f.Globals.Debug {
		for _, n := range notes {
			fmt.Fprintln(f.IOStreams.ErrOut, "debug:", n)
		}
	}
	if fl := fs.Lookup("output"); fl != nil && sources["output"] == "" {
		// Best effort: a broken config is reported by the command that
		// needs it, not here.
		if path, err := config.PathFor(f.Globals.ConfigFile); err == nil {
			if file, err := config.Load(path); err == nil {
				name := f.Globals.Profile
				if name == "" {
					name = file.CurrentProfile()
				}
				if name == "" {
					name = config.DefaultProfile
				}
				if p, ok := file.Profile(name); ok && p.Defaults.Output != "" {
					if err := fl.Value.Set(p.Defaults.Output); err != nil {
						return cmdutil.FlagErrorf("profile %q defaults.output %q: %v", name, p.Defaults.Output, err)
					}
					f.flagSources["output"] = config.SourceConfig
				}
			}
		}
	}
	return nil
}

// FlagSource says where a global flag's value came from: "flag", "env",
// "config" or "" (its default).
func (f *Factory) FlagSource(name string) string { return f.flagSources[name] }

// ConfigPath is the config file this invocation reads and writes.
func (f *Factory) ConfigPath() (string, error) {
	p, err := config.PathFor(f.Globals.ConfigFile)
	if err != nil {
		return "", cmdutil.FlagErrorf("%v", err)
	}
	return p, nil
}

// Config loads the config file (an empty one if it does not exist).
func (f *Factory) Config() (*config.File, error) {
	p, err := f.ConfigPath()
	if err != nil {
		return nil, err
	}
	file, err := config.Load(p)
	if err != nil {
		return nil, cmdutil.FlagErrorf("%v", err)
	}
	return file, nil
}

// Secrets returns the client-secret stores: the keyring (every call under a
// timeout) and the --insecure-storage file.
func (f *Factory) Secrets() *credentials.Secrets {
	if f.secrets != nil {
		return f.secrets
	}
	kr := f.Keyring
	if kr == nil {
		timeout := credentials.DefaultTimeout
		if f.IOStreams.CanPrompt() {
			timeout = credentials.InteractiveTimeout // time to answer an unlock prompt
		}
		if v := os.Getenv(EnvKeyringTimeout); v != "" {
			if d, err := time.ParseDuration(v); err == nil && d > 0 {
				timeout = d
			}
		}
		tk := credentials.NewKeyring(timeout)
		tk.Context = f.Context
		tk.Notice = f.IOStreams.ErrOut
		kr = tk
	}
	path, _ := credentials.DefaultSecretsFile()
	f.secrets = &credentials.Secrets{Keyring: kr, File: &credentials.FileStore{Path: path}}
	return f.secrets
}

// TokenDir is where access tokens are cached between invocations.
func (f *Factory) TokenDir() string {
	if f.TokenCacheDir != "" {
		return f.TokenCacheDir
	}
	d, err := credentials.DefaultTokenDir()
	if err != nil {
		return ""
	}
	return d
}

// Settings resolves the profile, URLs and credentials for this invocation:
// flag > environment > config file > built-in for every key, and for the
// client secret CONNECTCTL_CLIENT_SECRET > the --insecure-storage file >
// the sandbox's public secret (with its public client id) > keyring.
func (f *Factory) Settings() (*config.Settings, error) {
	if f.settings != nil {
		return f.settings, nil
	}
	file, err := f.Config()
	if err != nil {
		return nil, err
	}
	src := f.flagSources["profile"]
	s, err := config.Resolve(file, config.ResolveOptions{Profile: f.Globals.Profile, ProfileSource: src, APIEdition: f.Globals.APIEdition})
	if err != nil {
		return nil, cmdutil.FlagErrorf("%v", err)
	}
	switch s.SecretSource {
	case config.SourceEnv:
	case config.SourceBuiltIn:
		// The sandbox's public secret is known: the keyring is not asked
		// (on a headless host asking costs time at best). Only a secret
		// stored with --insecure-storage replaces it.
		if secret, err := f.Secrets().File.Get(s.Profile.Name); err == nil {
			s.ClientSecret, s.SecretSource = secret, credentials.SourceFile
		}
	default:
		if f.keyringTokenUsable(s) {
			// A valid token fetched with the keyring's secret is cached: the
			// keyring is read only if a new token is needed (TokenSource).
			s.SecretSource, s.SecretDeferred = credentials.SourceKeyring, true
			break
		}
		f.lookupSecret(s)
	}
	for _, w := range s.Warnings {
		fmt.Fprintln(f.IOStreams.ErrOut, "warning:", w)
	}
	if f.Globals.Debug {
		fmt.Fprintf(f.IOStreams.ErrOut, "debug: profile %s (%s), config %s, base URL %s, client id %q, secret from %s\n",
			s.Profile.Name, s.ProfileSource, s.ConfigFile, s.Profile.BaseURL, s.ClientID, orNone(s.SecretSource))
		if s.SecretNote != "" {
			fmt.Fprintln(f.IOStreams.ErrOut, "debug:", s.SecretNote)
		}
	}
	f.settings = s
	return s, nil
}

// keyringTokenUsable reports whether the profile's secret is not in the
// plain-text file and a usable token fetched with a keyring secret is
// cached: then the keyring need not be asked at all.
func (f *Factory) keyringTokenUsable(s *config.Settings) bool {
	dir := f.TokenDir()
	if dir == "" || s.ClientID == "" {
		return false
	}
	if _, err := f.Secrets().File.Get(s.Profile.Name); !errors.Is(err, credentials.ErrNotFound) {
		return false // in the file (or the file is unreadable: let Lookup say so)
	}
	c := credentials.NewKeyringTokenCache(dir, s.Profile.Name, s.Profile.TokenURL, s.ClientID)
	tok, err := c.Load(f.context(), auth.CacheKey(s.Profile.TokenURL, s.ClientID, nil))
	return err == nil && auth.Usable(tok, time.Now())
}

// lookupSecret reads the secret from the file or the keyring into s.
func (f *Factory) lookupSecret(s *config.Settings) {
	s.SecretDeferred = false
	secret, where, err := f.Secrets().Lookup(s.Profile.Name)
	switch {
	case err == nil:
		s.ClientSecret, s.SecretSource, s.SecretNote = secret, where, ""
	case errors.Is(err, credentials.ErrNotFound):
		s.SecretSource = ""
	default:
		s.SecretSource, s.SecretNote = "", err.Error()
	}
}

// ResolveSecret reads a deferred secret now, for commands that need the
// secret itself (auth status proves it with a new token).
func (f *Factory) ResolveSecret(s *config.Settings) {
	if s.SecretDeferred {
		f.lookupSecret(s)
	}
}

func (f *Factory) context() context.Context {
	if f.Context != nil {
		return f.Context
	}
	return context.Background()
}

func orNone(s string) string {
	if s == "" {
		return "nowhere"
	}
	return s
}

// MissingCredentials is the exit-3 error for a profile without a client id
// or secret; it points at every way to give them.
func MissingCredentials(s *config.Settings) error {
	what := "client secret"
	if s.ClientID == "" {
		what = "client id"
	}
	msg := fmt.Sprintf("no %s for profile %q: run `connectctl auth login --profile %s`, or set %s and %s",
		what, s.Profile.Name, s.Profile.Name, config.EnvClientID, config.EnvClientSecret)
	if s.SecretNote != "" {
		msg = fmt.Sprintf("no %s for profile %q: %s; set %s and %s, or store the secret in a plain file with `connectctl auth login --profile %s --insecure-storage`",
			what, s.Profile.Name, s.SecretNote, config.EnvClientID, config.EnvClientSecret, s.Profile.Name)
	}
	return &cmdutil.ExitError{Code: cmdutil.ExitAuth, Err: errors.New(msg)}
}

// TokenSource builds the profile's token source: client credentials, the
// token cached between invocations in TokenDir. It fails with exit 3 when
// the profile has no credentials.
func (f *Factory) TokenSource() (*auth.CachingSource, *config.Settings, error) {
	s, err := f.Settings()
	if err != nil {
		return nil, nil, err
	}
	if s.ClientID == "" || (s.ClientSecret == "" && !s.SecretDeferred) {
		return nil, s, MissingCredentials(s)
	}
	var store auth.Store
	if dir := f.TokenDir(); dir != "" {
		store = credentials.TokenCacheFor(dir, s.Profile.Name, s.Profile.TokenURL, s.ClientID, s.ClientSecret, s.SecretSource)
	}
	var secretFunc func(context.Context) (string, error)
	if s.SecretDeferred {
		secretFunc = func(context.Context) (string, error) {
			f.lookupSecret(s)
			if s.ClientSecret == "" {
				return "", MissingCredentials(s)
			}
			return s.ClientSecret, nil
		}
	}
	tokens, err := auth.NewClientCredentials(auth.Config{
		TokenURL: s.Profile.TokenURL, ClientID: s.ClientID, ClientSecret: s.ClientSecret, SecretFunc: secretFunc,
		HTTPClient: &http.Client{Timeout: f.Globals.Timeout}, Store: store, Debug: f.debugWriter(),
	})
	if err != nil {
		return nil, s, err
	}
	return tokens, s, nil
}

// CachedTokenExpiry tells when the profile's cached token expires, if one
// is cached for its current credentials.
func (f *Factory) CachedTokenExpiry(ctx context.Context, s *config.Settings) (time.Time, bool) {
	dir := f.TokenDir()
	if dir == "" || (s.ClientSecret == "" && !s.SecretDeferred) {
		return time.Time{}, false
	}
	c := credentials.TokenCacheFor(dir, s.Profile.Name, s.Profile.TokenURL, s.ClientID, s.ClientSecret, s.SecretSource)
	return c.Expiry(ctx, auth.CacheKey(s.Profile.TokenURL, s.ClientID, nil))
}

// ResolvedSettings returns the settings this invocation resolved, or nil
// when no command asked for them.
func (f *Factory) ResolvedSettings() *config.Settings { return f.settings }

// ResetSettings forgets the resolved settings, after a command changed the
// config or a stored secret.
func (f *Factory) ResetSettings() { f.settings = nil }

// ProfileName is the profile this invocation uses, without checking it:
// --profile or CONNECTCTL_PROFILE, else the config's current-profile, else
// sandbox. It returns the name and where it came from.
func (f *Factory) ProfileName(file *config.File) (name, source string) {
	return config.ResolveName(file, config.ResolveOptions{Profile: f.Globals.Profile, ProfileSource: f.flagSources["profile"]})
}
