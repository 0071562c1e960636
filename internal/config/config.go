// Package config resolves which Connect environment a command talks to and
// with which client credentials. Built-in profiles exist without any file;
// CONNECTCTL_* environment variables override them (CI jobs, a sandbox on
// another port).
package config

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"sort"
	"strings"
)

// DefaultTokenURL is the Keycloak endpoint of the real service.
const DefaultTokenURL = "https://services.truphone.com/auth/realms/tru-staff/protocol/openid-connect/token"

// DeprecatedBaseURL is the old base the API still answers on; warn when used.
const DeprecatedBaseURL = "https://services.truphone.com/esim"

// Profile is one named Connect environment.
type Profile struct {
	Name     string
	BaseURL  string
	TokenURL string
	ClientID string
	// Secret is set only for profiles whose secret is public (the sandbox).
	Secret string
}

var builtIn = map[string]Profile{
	"prod": {Name: "prod", BaseURL: "https://services.truphone.com/connect-api", TokenURL: DefaultTokenURL},
	"preprod": {Name: "preprod", BaseURL: "https://services.truphone.com/connect-api-preprod",
		TokenURL: DefaultTokenURL},
	"sandbox": {Name: "sandbox", BaseURL: "http://127.0.0.1:7787",
		TokenURL: "http://127.0.0.1:7787/auth/realms/tru-staff/protocol/openid-connect/token",
		ClientID: "sandbox", Secret: "sandbox"},
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

// Settings is what a command needs to reach the API.
type Settings struct {
	Profile      Profile
	ClientID     string
	ClientSecret string
	SecretSource string // "env", "built-in" or ""
	Warnings     []string
}

// Env reads environment variables; os.Getenv in the binary, a map in tests.
type Env func(string) string

// Resolve picks the profile (flag, then CONNECTCTL_PROFILE, then sandbox) and
// applies the CONNECTCTL_* overrides.
func Resolve(profileFlag string, env Env) (*Settings, error) {
	if env == nil {
		env = os.Getenv
	}
	name := profileFlag
	if name == "" {
		name = env("CONNECTCTL_PROFILE")
	}
	if name == "" {
		name = "sandbox"
	}
	p, ok := builtIn[name]
	if !ok {
		return nil, fmt.Errorf("profile %q does not exist; built-in profiles: %s", name, strings.Join(BuiltInNames(), ", "))
	}
	if v := env("CONNECTCTL_BASE_URL"); v != "" {
		p.BaseURL = strings.TrimRight(v, "/")
	}
	if v := env("CONNECTCTL_TOKEN_URL"); v != "" {
		p.TokenURL = v
	}
	s := &Settings{Profile: p, ClientID: p.ClientID, ClientSecret: p.Secret}
	if p.Secret != "" {
		s.SecretSource = "built-in"
	}
	if v := env("CONNECTCTL_CLIENT_ID"); v != "" {
		s.ClientID = v
	}
	if v := env("CONNECTCTL_CLIENT_SECRET"); v != "" {
		s.ClientSecret, s.SecretSource = v, "env"
	}
	for _, u := range []struct{ what, val string }{{"base URL", p.BaseURL}, {"token URL", p.TokenURL}} {
		if err := CheckURL(u.val); err != nil {
			return nil, fmt.Errorf("profile %q %s: %w", name, u.what, err)
		}
	}
	if strings.HasPrefix(p.BaseURL, DeprecatedBaseURL) {
		s.Warnings = append(s.Warnings, fmt.Sprintf("profile %q uses the deprecated base URL %s; switch to https://services.truphone.com/connect-api", name, DeprecatedBaseURL))
	}
	return s, nil
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
		host := u.Hostname()
		if host == "localhost" {
			return nil
		}
		if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
			return nil
		}
		return fmt.Errorf("%q uses plain http to a host that is not this machine; use https", raw)
	}
	return fmt.Errorf("%q: scheme %q is not http or https", raw, u.Scheme)
}
