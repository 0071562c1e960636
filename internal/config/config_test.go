package config

import (
	"strings"
	"testing"
)

func envMap(m map[string]string) Env { return func(k string) string { return m[k] } }

func TestResolve(t *testing.T) {
	tests := []struct {
		name       string
		flag       string
		env        map[string]string
		wantBase   string
		wantToken  string
		wantID     string
		wantSource string
		wantErr    string
		wantWarn   bool
	}{
		{name: "default is sandbox", wantBase: "http://127.0.0.1:7787", wantID: "sandbox", wantSource: "built-in",
			wantToken: "http://127.0.0.1:7787/auth/realms/tru-staff/protocol/openid-connect/token"},
		{name: "env profile", env: map[string]string{"CONNECTCTL_PROFILE": "prod"},
			wantBase: "https://services.truphone.com/connect-api", wantToken: DefaultTokenURL},
		{name: "flag beats env", flag: "preprod", env: map[string]string{"CONNECTCTL_PROFILE": "prod"},
			wantBase: "https://services.truphone.com/connect-api-preprod", wantToken: DefaultTokenURL},
		{name: "url and credential overrides", env: map[string]string{
			"CONNECTCTL_BASE_URL": "http://127.0.0.1:9999/", "CONNECTCTL_TOKEN_URL": "http://127.0.0.1:9999/t",
			"CONNECTCTL_CLIENT_ID": "ci", "CONNECTCTL_CLIENT_SECRET": "s3"},
			wantBase: "http://127.0.0.1:9999", wantToken: "http://127.0.0.1:9999/t", wantID: "ci", wantSource: "env"},
		{name: "unknown profile", flag: "staging", wantErr: `profile "staging" does not exist`},
		{name: "plain http to a remote host", env: map[string]string{"CONNECTCTL_BASE_URL": "http://example.com"},
			wantErr: "plain http"},
		{name: "deprecated base warns", flag: "prod", env: map[string]string{"CONNECTCTL_BASE_URL": DeprecatedBaseURL},
			wantBase: DeprecatedBaseURL, wantToken: DefaultTokenURL, wantWarn: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Resolve(tt.flag, envMap(tt.env))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s.Profile.BaseURL != tt.wantBase || s.Profile.TokenURL != tt.wantToken {
				t.Errorf("urls = %s %s", s.Profile.BaseURL, s.Profile.TokenURL)
			}
			if s.ClientID != tt.wantID || s.SecretSource != tt.wantSource {
				t.Errorf("client = %q from %q", s.ClientID, s.SecretSource)
			}
			if (len(s.Warnings) > 0) != tt.wantWarn {
				t.Errorf("warnings = %v", s.Warnings)
			}
		})
	}
}

func TestCheckURL(t *testing.T) {
	ok := []string{"https://services.truphone.com/connect-api", "http://127.0.0.1:7787", "http://localhost:1", "http://[::1]:80"}
	bad := []string{"http://10.0.0.1", "ftp://x", "/relative", "http://example.com"}
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
