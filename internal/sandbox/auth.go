package sandbox

import (
	crand "crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"time"
)

// handleToken is the OAuth2 token endpoint: client_credentials and
// refresh_token grants, client authentication by HTTP Basic or form fields.
func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	err := r.ParseForm()
	grant := r.PostForm.Get("grant_type")
	s.statsMu.Lock()
	s.tokenRequests++
	key := grant
	if key == "" {
		key = "none"
	}
	s.tokenByGrant[key]++
	s.statsMu.Unlock()
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request", "error_description": "the body must be application/x-www-form-urlencoded"})
		return
	}

	id, secret, basic := r.BasicAuth()
	if basic {
		// RFC 6749 2.3.1: Basic credentials are form-urlencoded first.
		if v, err := url.QueryUnescape(id); err == nil {
			id = v
		}
		if v, err := url.QueryUnescape(secret); err == nil {
			secret = v
		}
	} else {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	cred, ok := s.clients[id]
	if !ok || subtle.ConstantTimeCompare([]byte(secret), []byte(cred.Secret)) != 1 {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "unauthorized_client", "error_description": "Invalid client or Invalid client credentials"})
		return
	}

	switch grant {
	case "client_credentials":
	case "refresh_token":
		rt := r.PostForm.Get("refresh_token")
		s.mu.Lock()
		rec, ok := s.st.refresh[tokenHash(rt)]
		now := s.now()
		s.mu.Unlock()
		switch {
		case rt == "" || !ok || rec.Client != cred.ID:
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant", "error_description": "Invalid refresh token"})
			return
		case !now.Before(rec.Expires):
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant", "error_description": "Token is not active"})
			return
		}
	default:
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "unsupported_grant_type", "error_description": "Unsupported grant_type " + grant})
		return
	}

	access, refresh := randomToken(), randomToken()
	now := s.begin()
	for k, v := range s.st.access {
		if !now.Before(v.Expires) {
			delete(s.st.access, k)
		}
	}
	for k, v := range s.st.refresh {
		if !now.Before(v.Expires) {
			delete(s.st.refresh, k)
		}
	}
	s.st.access[tokenHash(access)] = tokenRec{Client: cred.ID, Expires: now.Add(s.cfg.TokenTTL)}
	s.st.refresh[tokenHash(refresh)] = tokenRec{Client: cred.ID, Expires: now.Add(refreshTTL)}
	s.changed()
	s.end()

	writeJSON(w, http.StatusOK, map[string]any{
		"access_token":       access,
		"token_type":         "Bearer",
		"expires_in":         max(1, int(s.cfg.TokenTTL/time.Second)),
		"refresh_token":      refresh,
		"refresh_expires_in": int(refreshTTL / time.Second),
		"not-before-policy":  0,
		"scope":              string(cred.Role),
	})
}

func randomToken() string {
	var b [32]byte
	_, _ = crand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}
