// Package config resolves which Connect environment a command talks to and
// with which client id, from four layers, highest first:
//
//  1. command-line flags,
//  2. CONNECTCTL_* environment variables,
//  3. the profile in the config file ($XDG_CONFIG_HOME/connectctl/config.yaml,
//     or --config, or CONNECTCTL_CONFIG),
//  4. the built-in profiles prod, preprod and sandbox.
//
// The config file never holds a secret. Client secrets live in the OS keyring
// or, on request, a separate 0600 file (internal/credentials); this package
// only carries the secret CONNECTCTL_CLIENT_SECRET gives and the sandbox's
// public one.
package config

import (
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/connectctl/connectctl/internal/validate"
)

// Environment variables of the command surface (cli.md).
const (
	EnvProfile      = "CONNECTCTL_PROFILE"
	EnvConfig       = "CONNECTCTL_CONFIG"
	EnvBaseURL      = "CONNECTCTL_BASE_URL"
	EnvTokenURL     = "CONNECTCTL_TOKEN_URL"
	EnvClientID     = "CONNECTCTL_CLIENT_ID"
	EnvClientSecret = "CONNECTCTL_CLIENT_SECRET"
)

// DefaultTokenURL is the Keycloak endpoint of the real service.
const DefaultTokenURL = "https://services.truphone.com/auth/realms/tru-staff/protocol/openid-connect/token"

// DeprecatedBaseURL is the old base the API still answers on; warn when used.
const DeprecatedBaseURL = "https://services.truphone.com/esim"

// DefaultProfile is used when neither flag, environment nor config names one.
const DefaultProfile = "sandbox"

// Where a setting came from.
const (
	SourceFlag    = "flag"
	SourceEnv     = "env"
	SourceConfig  = "config"
	SourceBuiltIn = "built-in"
	SourceDefault = "default"
	// SourceArg is a name given as a command argument (`profile use NAME`).
	SourceArg = "arg"
)

// Defaults are a profile's default command inputs: `order new --country`
// and `--device-type`, the currency of prices, the output format.
type Defaults struct {
	Country    string `json:"country,omitempty"`
	DeviceType string `json:"device_type,omitempty"`
	Currency   string `json:"currency,omitempty"`
	Output     string `json:"output,omitempty"`
}

// Profile is one named Connect environment.
type Profile struct {
	Name     string
	BaseURL  string
	TokenURL string
	ClientID string
	// Secret is set only for profiles whose secret is public (the sandbox).
	Secret   string
	Defaults Defaults
	// APIEdition is the API edition the profile speaks: v1 or 2024 (money in
	// major units or in integers of the smallest unit).
	APIEdition string
	// BuiltIn: one of prod, preprod, sandbox (the file may override fields).
	BuiltIn bool
	// InFile: the config file has an entry for this profile.
	InFile bool
}

var builtIn = map[string]Profile{
	"prod": {Name: "prod", BaseURL: "https://services.truphone.com/connect-api", TokenURL: DefaultTokenURL, APIEdition: EditionV1, BuiltIn: true},
	"preprod": {Name: "preprod", BaseURL: "https://services.truphone.com/connect-api-preprod",
		TokenURL: DefaultTokenURL, APIEdition: EditionV1, BuiltIn: true},
	"sandbox": {Name: "sandbox", BaseURL: "http://127.0.0.1:7787",
		TokenURL: "http://127.0.0.1:7787/auth/realms/tru-staff/protocol/openid-connect/token",
		ClientID: "sandbox", Secret: "sandbox", APIEdition: EditionV1, BuiltIn: true},
}

// BuiltInNames lists the built-in profiles, sorted.
func BuiltInNames() []string {
	names := make([]string, 0, len(builtIn))
	for n := range builtIn {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// IsBuiltIn reports whether name is a built-in profile.
func IsBuiltIn(name string) bool { _, ok := builtIn[name]; return ok }

// BuiltIn returns the built-in profile called name.
func BuiltIn(name string) (Profile, bool) { p, ok := builtIn[name]; return p, ok }

// Settings is what a command needs to reach the API, resolved for one
// invocation.
type Settings struct {
	Profile Profile // with the environment's overrides applied
	// ProfileSource says how the profile was chosen: flag, env, config
	// (current-profile) or default.
	ProfileSource string
	// Sources says where base-url, token-url and client-id came from: env,
	// config or built-in.
	Sources map[string]string

	ClientID     string
	ClientSecret string
	// SecretSource is "env" or "built-in" here; the credentials layer adds
	// "keyring" and "file".
	SecretSource string
	// SecretNote says why no stored secret could be read (keyring
	// unavailable), without any secret in it.
	SecretNote string
	// SecretDeferred is set when the secret is in the keyring but was not
	// read because a valid cached token made it unnecessary: ClientSecret is
	// empty until the factory reads it for a new token.
	SecretDeferred bool

	ConfigFile string
	Defaults   Defaults
	Warnings   []string
	// APIEdition is the edition spoken: --api-edition or
	// CONNECTCTL_API_EDITION, else the profile's api-edition, else v1.
	APIEdition string
}

// The API editions (see Profile.APIEdition).
const (
	EditionV1   = "v1"
	Edition2024 = "2024"
)

// CheckEdition refuses an API edition other than v1 and 2024.
func CheckEdition(e string) error {
	if e != EditionV1 && e != Edition2024 {
		return fmt.Errorf("API edition %q: want %s or %s", e, EditionV1, Edition2024)
	}
	return nil
}

// ResolveOptions name the profile chosen by flag or environment.
type ResolveOptions struct {
	// Profile is the --profile value after the environment was applied;
	// empty means neither gave one.
	Profile       string
	ProfileSource string // flag or env
	// APIEdition from --api-edition or CONNECTCTL_API_EDITION; "" when
	// neither was given.
	APIEdition string
}

// Resolve picks the profile and applies the CONNECTCTL_* overrides to it.
// The precedence of every key is flag > environment > config file > built-in.
func Resolve(file *File, o ResolveOptions) (*Settings, error) {
	if file == nil {
		file = Empty("")
	}
	s := &Settings{ConfigFile: file.Path, Sources: map[string]string{}}
	name, src := ResolveName(file, o)
	s.ProfileSource = src
	p, err := file.Lookup(name, src)
	if err != nil {
		return nil, err
	}

	// Each key: CONNECTCTL_* beats the file's entry, which beats the
	// built-in value. The file never supplies a secret.
	bi, _ := BuiltIn(name)
	layer := func(key, env, builtIn string) string {
		if v, ok := lookupEnv(env); ok {
			s.Sources[key] = SourceEnv
			return v
		}
		if v, ok := file.Get(name, key); ok {
			if v != "" {
				s.Sources[key] = SourceConfig
			}
			return v
		}
		if builtIn != "" {
			s.Sources[key] = SourceBuiltIn
		}
		return builtIn
	}
	p.BaseURL = strings.TrimRight(layer("base-url", EnvBaseURL, bi.BaseURL), "/")
	p.TokenURL = layer("token-url", EnvTokenURL, bi.TokenURL)
	p.ClientID = layer("client-id", EnvClientID, bi.ClientID)
	s.Profile = p
	s.Defaults = p.Defaults
	s.ClientID = p.ClientID
	if sec, ok := lookupEnv(EnvClientSecret); ok {
		s.ClientSecret, s.SecretSource = sec, SourceEnv
	} else if p.Secret != "" && s.ClientID == bi.ClientID {
		// The sandbox's public secret goes with its public client id only.
		s.ClientSecret, s.SecretSource = p.Secret, SourceBuiltIn
	}
	s.APIEdition, s.Sources["api-edition"] = o.APIEdition, SourceFlag
	switch {
	case o.APIEdition != "":
	case p.APIEdition != "" && p.APIEdition != bi.APIEdition:
		s.APIEdition, s.Sources["api-edition"] = p.APIEdition, SourceConfig
	default:
		s.APIEdition, s.Sources["api-edition"] = p.APIEdition, SourceBuiltIn
		if s.APIEdition == "" {
			s.APIEdition, s.Sources["api-edition"] = EditionV1, SourceDefault
		}
	}
	if err := CheckEdition(s.APIEdition); err != nil {
		return nil, fmt.Errorf("profile %q: %w", name, err)
	}
	if p.BaseURL == "" || p.TokenURL == "" {
		return nil, fmt.Errorf("profile %q has no base-url or token-url; set them with `connectctl profile set base-url URL` or %s/%s", name, EnvBaseURL, EnvTokenURL)
	}
	for _, u := range []struct{ what, val string }{{"base URL", p.BaseURL}, {"token URL", p.TokenURL}} {
		if err := CheckURL(u.val); err != nil {
			return nil, fmt.Errorf("profile %q %s: %w", name, u.what, err)
		}
	}
	if w := DeprecationWarning(p.BaseURL); w != "" {
		s.Warnings = append(s.Warnings, fmt.Sprintf("profile %q: %s", name, w))
	}
	s.Warnings = append(s.Warnings, file.Warnings...)
	return s, nil
}

// ResolveName picks the profile's name: flag or environment (o), else the
// config's current-profile, else sandbox. It returns the name and its source.
func ResolveName(file *File, o ResolveOptions) (name, source string) {
	name, source = o.Profile, o.ProfileSource
	if name != "" && source == "" {
		source = SourceFlag
	}
	if name == "" && file != nil {
		name, source = file.CurrentProfile(), SourceConfig
	}
	if name == "" {
		name, source = DefaultProfile, SourceDefault
	}
	return name, source
}

// Lookup is Profile with an error that says where the name came from and
// which profiles exist.
func (f *File) Lookup(name, source string) (Profile, error) {
	if err := CheckProfileName(name); err != nil {
		return Profile{}, err
	}
	p, ok := f.Profile(name)
	if !ok {
		// A name given as the command's argument needs no "from".
		from := map[string]string{SourceFlag: " (from --profile)", SourceEnv: " (from " + EnvProfile + ")",
			SourceConfig: " (from current-profile in " + f.Path + ")"}[source]
		return Profile{}, fmt.Errorf("profile %q%s does not exist; profiles: %s (add one with `connectctl profile add`)",
			name, from, strings.Join(f.Names(), ", "))
	}
	return p, nil
}

// envSet reports whether the environment sets name to a non-empty value.
func envSet(name string) bool { _, ok := lookupEnv(name); return ok }

// DeprecationWarning returns a warning for the deprecated /esim base URL.
// Host and path compare without case, and /esim must be a whole path segment
// (not /esimulator).
func DeprecationWarning(baseURL string) string {
	u, err := url.Parse(strings.TrimSpace(baseURL))
	if err != nil {
		return ""
	}
	path := strings.ToLower(strings.TrimRight(u.Path, "/"))
	if strings.EqualFold(u.Hostname(), "services.truphone.com") && (path == "/esim" || strings.HasPrefix(path, "/esim/")) {
		return fmt.Sprintf("the base URL %s is deprecated; switch to https://services.truphone.com/connect-api", DeprecatedBaseURL)
	}
	return ""
}

// CheckURL refuses plain http except to this machine: a token sent in clear
// over a network is a token given away.
func CheckURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return fmt.Errorf("%q is not an absolute URL", raw)
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if validate.IsLoopbackHost(u.Hostname()) {
			return nil
		}
		return fmt.Errorf("%q uses plain http to a host that is not this machine; use https", raw)
	}
	return fmt.Errorf("%q: scheme %q is not http or https", raw, u.Scheme)
}
