package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

// clearEnv unsets every CONNECTCTL_* variable for the test.
func clearEnv(t *testing.T) {
	t.Helper()
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "CONNECTCTL_") {
			t.Setenv(k, "")
			os.Unsetenv(k)
		}
	}
}

func writeConfig(t *testing.T, body string) *File {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.yaml")
	if body != "" {
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	f, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

const sandboxToken = "http://127.0.0.1:7787/auth/realms/tru-staff/protocol/openid-connect/token"

// TestPrecedenceKeyByKey checks flag > environment > config file > built-in
// for every key that has those layers.
func TestPrecedenceKeyByKey(t *testing.T) {
	const file = `
current-profile: preprod
profiles:
  preprod:
    base-url: https://file.example.com/connect-api
    token-url: https://file.example.com/token
    client-id: file-client
  sandbox:
    client-id: file-sandbox
  other:
    base-url: https://other.example.com
    token-url: https://other.example.com/token
`
	type want struct{ profile, profileSrc, base, baseSrc, token, tokenSrc, id, idSrc, secretSrc string }
	tests := []struct {
		name string
		file string
		flag string // --profile after the environment was applied
		src  string
		env  map[string]string
		want want
	}{
		{name: "built-in only", want: want{profile: "sandbox", profileSrc: SourceDefault,
			base: "http://127.0.0.1:7787", baseSrc: SourceBuiltIn, token: sandboxToken, tokenSrc: SourceBuiltIn,
			id: "sandbox", idSrc: SourceBuiltIn, secretSrc: SourceBuiltIn}},
		{name: "config beats built-in", file: file, want: want{profile: "preprod", profileSrc: SourceConfig,
			base: "https://file.example.com/connect-api", baseSrc: SourceConfig, token: "https://file.example.com/token", tokenSrc: SourceConfig,
			id: "file-client", idSrc: SourceConfig}},
		{name: "config overrides one field of a built-in; the others stay", file: file, flag: "sandbox", src: SourceFlag,
			want: want{profile: "sandbox", profileSrc: SourceFlag, base: "http://127.0.0.1:7787", baseSrc: SourceBuiltIn,
				token: sandboxToken, tokenSrc: SourceBuiltIn, id: "file-sandbox", idSrc: SourceConfig,
				secretSrc: "" /* the public secret goes with the public client id only */}},
		{name: "env beats config", file: file, env: map[string]string{
			EnvBaseURL: "http://127.0.0.1:9999/", EnvTokenURL: "http://127.0.0.1:9999/t", EnvClientID: "env-client", EnvClientSecret: "env-secret"},
			want: want{profile: "preprod", profileSrc: SourceConfig, base: "http://127.0.0.1:9999", baseSrc: SourceEnv,
				token: "http://127.0.0.1:9999/t", tokenSrc: SourceEnv, id: "env-client", idSrc: SourceEnv, secretSrc: SourceEnv}},
		{name: "env beats built-in", env: map[string]string{EnvClientID: "ci"},
			want: want{profile: "sandbox", profileSrc: SourceDefault, base: "http://127.0.0.1:7787", baseSrc: SourceBuiltIn,
				token: sandboxToken, tokenSrc: SourceBuiltIn, id: "ci", idSrc: SourceEnv}},
		{name: "profile from env beats current-profile", file: file, flag: "other", src: SourceEnv,
			want: want{profile: "other", profileSrc: SourceEnv, base: "https://other.example.com", baseSrc: SourceConfig,
				token: "https://other.example.com/token", tokenSrc: SourceConfig}},
		{name: "profile flag beats current-profile", file: file, flag: "prod", src: SourceFlag,
			want: want{profile: "prod", profileSrc: SourceFlag, base: "https://services.truphone.com/connect-api", baseSrc: SourceBuiltIn,
				token: DefaultTokenURL, tokenSrc: SourceBuiltIn}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clearEnv(t)
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			s, err := Resolve(writeConfig(t, tt.file), ResolveOptions{Profile: tt.flag, ProfileSource: tt.src})
			if err != nil {
				t.Fatal(err)
			}
			got := want{profile: s.Profile.Name, profileSrc: s.ProfileSource, base: s.Profile.BaseURL, baseSrc: s.Sources["base-url"],
				token: s.Profile.TokenURL, tokenSrc: s.Sources["token-url"], id: s.ClientID, idSrc: s.Sources["client-id"], secretSrc: s.SecretSource}
			if got != tt.want {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestResolveErrors(t *testing.T) {
	tests := []struct {
		name, file, flag string
		env              map[string]string
		wantErr          string
		wantWarn         string
	}{
		{name: "unknown profile", flag: "staging", wantErr: `profile "staging" (from --profile) does not exist`},
		{name: "unknown current-profile", file: "current-profile: gone\n", wantErr: "current-profile in"},
		{name: "bad name", flag: "../etc", wantErr: "profile name"},
		{name: "plain http to a remote host", env: map[string]string{EnvBaseURL: "http://example.com"}, wantErr: "plain http"},
		{name: "plain http in the file", file: "profiles:\n  x:\n    base-url: http://10.0.0.1\n    token-url: https://a/t\n", flag: "x", wantErr: "plain http"},
		{name: "profile without urls", file: "profiles:\n  x:\n    client-id: a\n", flag: "x", wantErr: "no base-url"},
		{name: "deprecated base warns", flag: "prod", env: map[string]string{EnvBaseURL: DeprecatedBaseURL}, wantWarn: "deprecated"},
		{name: "a secret in the file is ignored and warned about", file: "profiles:\n  sandbox:\n    client-secret: oops\n",
			wantWarn: "ignored"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clearEnv(t)
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			s, err := Resolve(writeConfig(t, tt.file), ResolveOptions{Profile: tt.flag})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(strings.Join(s.Warnings, "\n"), tt.wantWarn) || (tt.wantWarn == "") != (len(s.Warnings) == 0) {
				t.Errorf("warnings = %q, want %q", s.Warnings, tt.wantWarn)
			}
			if s.ClientSecret == "oops" {
				t.Error("a secret from the config file was used")
			}
		})
	}
}

func TestCheckURL(t *testing.T) {
	ok := []string{"https://services.truphone.com/connect-api", "http://127.0.0.1:7787", "http://localhost:1", "http://[::1]:80", "http://127.1.2.3"}
	bad := []string{"http://10.0.0.1", "ftp://x", "/relative", "http://example.com", "http://localhost.example.com"}
	for _, u := range ok {
		if err := CheckURL(u); err != nil {
			t.Errorf("CheckURL(%q) = %v", u, err)
		}
	}
	for _, u := range bad {
		if err := CheckURL(u); err == nil {
			t.Errorf("CheckURL(%q) accepted", u)
		}
	}
}

func TestApplyEnv(t *testing.T) {
	tests := []struct {
		name      string
		args      []string
		env       map[string]string
		want      map[string]string // flag name -> value
		wantSrc   map[string]string
		wantNotes int
		wantErr   string
	}{
		{name: "defaults", want: map[string]string{"profile": "", "debug": "false", "timeout": "30s"}, wantSrc: map[string]string{}},
		{name: "env fills unset flags", env: map[string]string{"CONNECTCTL_PROFILE": "prod", "CONNECTCTL_DEBUG": "1",
			"CONNECTCTL_TIMEOUT": "5s", "CONNECTCTL_OUTPUT": "json", "CONNECTCTL_CONFIG": "/x/c.yaml"},
			want:    map[string]string{"profile": "prod", "debug": "true", "timeout": "5s", "output": "json", "config": "/x/c.yaml"},
			wantSrc: map[string]string{"profile": SourceEnv, "debug": SourceEnv, "timeout": SourceEnv, "output": SourceEnv, "config": SourceEnv}},
		{name: "flag beats env, and says so", args: []string{"--profile", "preprod", "-o", "yaml"},
			env:  map[string]string{"CONNECTCTL_PROFILE": "prod", "CONNECTCTL_OUTPUT": "json"},
			want: map[string]string{"profile": "preprod", "output": "yaml"}, wantSrc: map[string]string{"profile": SourceFlag, "output": SourceFlag},
			wantNotes: 2},
		{name: "any non-false value turns a switch on", env: map[string]string{"CONNECTCTL_DEBUG": "yes"}, want: map[string]string{"debug": "true"}},
		{name: "false turns it off", env: map[string]string{"CONNECTCTL_DEBUG": "false"}, want: map[string]string{"debug": "false"}},
		{name: "yes is never taken from the environment", env: map[string]string{"CONNECTCTL_YES": "1"}, want: map[string]string{"yes": "false"}},
		{name: "bad env value", env: map[string]string{"CONNECTCTL_TIMEOUT": "soon"}, wantErr: "CONNECTCTL_TIMEOUT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clearEnv(t)
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			fs := pflag.NewFlagSet("root", pflag.ContinueOnError)
			fs.StringP("profile", "p", "", "")
			fs.Bool("debug", false, "")
			fs.Duration("timeout", 30e9, "")
			fs.StringP("output", "o", "table", "")
			fs.String("config", "", "")
			fs.BoolP("yes", "y", false, "")
			if err := fs.Parse(tt.args); err != nil {
				t.Fatal(err)
			}
			src, notes, err := ApplyEnv(fs)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range tt.want {
				if got := fs.Lookup(k).Value.String(); got != v {
					t.Errorf("--%s = %q, want %q", k, got, v)
				}
			}
			for k, v := range tt.wantSrc {
				if src[k] != v {
					t.Errorf("source of %s = %q, want %q", k, src[k], v)
				}
			}
			if len(notes) != tt.wantNotes {
				t.Errorf("notes = %q", notes)
			}
		})
	}
}

func TestEnvName(t *testing.T) {
	for flag, env := range map[string]string{"profile": "CONNECTCTL_PROFILE", "correlation-id": "CONNECTCTL_CORRELATION_ID", "no-color": "CONNECTCTL_NO_COLOR"} {
		if got := EnvName(flag); got != env {
			t.Errorf("EnvName(%q) = %q, want %q", flag, got, env)
		}
	}
}
