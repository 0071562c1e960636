package sandbox

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

func TestTokenEndpoint(t *testing.T) {
	e := newEnv(t, nil)
	form := func(kv ...string) url.Values {
		v := url.Values{}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	tests := []struct {
		name          string
		form          url.Values
		basicID, bsec string
		status        int
		errCode       string
		scope         string
	}{
		{"form credentials", form("grant_type", "client_credentials", "client_id", "sandbox", "client_secret", "sandbox"), "", "", 200, "", "RESELLER"},
		{"basic credentials", form("grant_type", "client_credentials"), "sandbox", "sandbox", 200, "", "RESELLER"},
		{"account manager", form("grant_type", "client_credentials", "client_id", amID, "client_secret", amSec), "", "", 200, "", "ACCOUNT_MANAGER"},
		{"wrong secret", form("grant_type", "client_credentials", "client_id", "sandbox", "client_secret", "nope"), "", "", 401, "unauthorized_client", ""},
		{"wrong basic secret", form("grant_type", "client_credentials"), "sandbox", "nope", 401, "unauthorized_client", ""},
		{"unknown client", form("grant_type", "client_credentials", "client_id", "ghost", "client_secret", "x"), "", "", 401, "unauthorized_client", ""},
		{"no credentials", form("grant_type", "client_credentials"), "", "", 401, "unauthorized_client", ""},
		{"unsupported grant", form("grant_type", "password", "client_id", "sandbox", "client_secret", "sandbox"), "", "", 400, "unsupported_grant_type", ""},
		{"unknown refresh token", form("grant_type", "refresh_token", "refresh_token", "bogus", "client_id", "sandbox", "client_secret", "sandbox"), "", "", 400, "invalid_grant", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, m := e.tokenResp(tt.form, tt.basicID, tt.bsec)
			if code != tt.status {
				t.Fatalf("status %d, want %d (%v)", code, tt.status, m)
			}
			if tt.errCode != "" {
				if m["error"] != tt.errCode {
					t.Fatalf("error %v, want %s", m["error"], tt.errCode)
				}
				return
			}
			if m["token_type"] != "Bearer" || m["access_token"] == "" || m["refresh_token"] == "" ||
				m["expires_in"] != float64(300) || m["refresh_expires_in"] != float64(1800) || m["scope"] != tt.scope {
				t.Fatalf("token answer %v", m)
			}
		})
	}
}

func TestRefreshGrant(t *testing.T) {
	e := newEnv(t, nil)
	_, first := e.tokenResp(url.Values{"grant_type": {"client_credentials"}}, "sandbox", "sandbox")
	rt := first["refresh_token"].(string)

	// Another client cannot use it.
	code, m := e.tokenResp(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}, otherID, otherSec)
	if code != 400 || m["error"] != "invalid_grant" {
		t.Fatalf("other client's refresh: %d %v", code, m)
	}
	code, m = e.tokenResp(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt},
		"client_id": {"sandbox"}, "client_secret": {"sandbox"}}, "", "")
	if code != 200 || m["access_token"] == first["access_token"] {
		t.Fatalf("refresh: %d %v", code, m)
	}
	e.mustStatus(e.call("GET", "/v1/products", m["access_token"].(string), nil), 200)

	// Refresh tokens live 30 minutes.
	e.clock.Advance(30*time.Minute + time.Second)
	code, m = e.tokenResp(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}, "sandbox", "sandbox")
	if code != 400 || m["error"] != "invalid_grant" {
		t.Fatalf("expired refresh: %d %v", code, m)
	}
}

func TestAccessTokenExpiryAndErrors(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.TokenTTL = time.Minute })
	e.mustStatus(e.get("/v1/products"), 200)
	e.clock.Advance(59 * time.Second)
	e.mustStatus(e.get("/v1/products"), 200)
	e.clock.Advance(time.Second)
	for name, tok := range map[string]string{"expired": e.tok, "unknown": "not-a-token", "missing": ""} {
		r := e.call("GET", "/v1/products", tok, nil)
		if r.status != 401 || v1Type(t, r) != "UNAUTHORISED" || r.header.Get("WWW-Authenticate") != `Bearer error="invalid_token"` {
			t.Fatalf("%s token: %d %v %s", name, r.status, r.header, r.body)
		}
	}
	e.mustStatus(e.call("GET", "/v1/products", e.token("sandbox", "sandbox"), nil), 200)
}

func TestRevokeTokens(t *testing.T) {
	e := newEnv(t, nil)
	_, m := e.tokenResp(url.Values{"grant_type": {"client_credentials"}}, "sandbox", "sandbox")
	e.mustStatus(e.get("/v1/products"), 200)
	r := e.admin("POST", "/_sandbox/tokens/revoke", nil)
	e.mustStatus(r, 200)
	if got := r.obj(t)["revoked"]; got != float64(2) {
		t.Fatalf("revoked %v, want 2", got)
	}
	r = e.get("/v1/products")
	if r.status != 401 || v1Type(t, r) != "UNAUTHORISED" {
		t.Fatalf("after revoke: %d %s", r.status, r.body)
	}
	// Refresh tokens survive: a client recovers by refreshing.
	code, m2 := e.tokenResp(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {m["refresh_token"].(string)}}, "sandbox", "sandbox")
	if code != 200 {
		t.Fatalf("refresh after revoke: %d %v", code, m2)
	}
	e.mustStatus(e.call("GET", "/v1/products", m2["access_token"].(string), nil), 200)
}

// The oauth2 library may authenticate the client either way.
func TestOAuth2LibraryCompat(t *testing.T) {
	e := newEnv(t, nil)
	for _, style := range []oauth2.AuthStyle{oauth2.AuthStyleInHeader, oauth2.AuthStyleInParams, oauth2.AuthStyleAutoDetect} {
		cc := clientcredentials.Config{ClientID: "sandbox", ClientSecret: "sandbox", TokenURL: e.ts.URL + TokenPath, AuthStyle: style}
		tok, err := cc.Token(context.Background())
		if err != nil {
			t.Fatalf("style %v: %v", style, err)
		}
		if tok.RefreshToken == "" || tok.Expiry.IsZero() {
			t.Fatalf("style %v: token %+v", style, tok)
		}
		e.mustStatus(e.call(http.MethodGet, "/v1/products", tok.AccessToken, nil), 200)
	}
	cc := clientcredentials.Config{ClientID: "sandbox", ClientSecret: "wrong", TokenURL: e.ts.URL + TokenPath, AuthStyle: oauth2.AuthStyleInHeader}
	_, err := cc.Token(context.Background())
	var re *oauth2.RetrieveError
	if !asRetrieveError(err, &re) || re.ErrorCode != "unauthorized_client" || re.Response.StatusCode != 401 {
		t.Fatalf("wrong secret: %v", err)
	}
}

func asRetrieveError(err error, target **oauth2.RetrieveError) bool {
	re, ok := err.(*oauth2.RetrieveError)
	if ok {
		*target = re
	}
	return ok
}
