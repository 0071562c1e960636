package e2e

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/connectctl/connectctl/internal/testenv"
)

// e2eClient is a client the test sandboxes accept besides sandbox/sandbox.
const (
	e2eClientID = "ops-e2e"
	e2eSecret   = "e2e-Secret-7f3a9c1d"
)

// home is one user's private HOME, config and cache, kept across commands.
type home struct{ dir string }

func newHome(t *testing.T) home { return home{dir: t.TempDir()} }

func (h home) env(extra ...string) []string {
	return append([]string{
		"HOME=" + h.dir,
		"XDG_CONFIG_HOME=" + filepath.Join(h.dir, ".config"),
		"XDG_CACHE_HOME=" + filepath.Join(h.dir, ".cache"),
		"XDG_STATE_HOME=" + filepath.Join(h.dir, ".local", "state"),
	}, extra...)
}

func (h home) configFile() string {
	return filepath.Join(h.dir, ".config", "connectctl", "config.yaml")
}

// run runs the binary with stdin.
func runIn(t *testing.T, stdin string, env []string, args ...string) testenv.Result {
	t.Helper()
	if stdin == "" {
		return testenv.Run(t, bin, env, args...)
	}
	// testenv.Run has no stdin; a shell pipes it in.
	f := filepath.Join(t.TempDir(), "stdin")
	if err := os.WriteFile(f, []byte(stdin), 0o600); err != nil {
		t.Fatal(err)
	}
	quoted := make([]string, len(args))
	for i, a := range args {
		quoted[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	return testenv.Run(t, "/bin/sh", env, "-c", "exec \""+bin+"\" "+strings.Join(quoted, " ")+" < \""+f+"\"")
}

// TestTokenReusedAcrossInvocations: a shell loop of 100 commands inside one
// token lifetime makes exactly one token request.
func TestTokenReusedAcrossInvocations(t *testing.T) {
	sb := testenv.StartSandbox(t, bin, "--token-ttl", "10m")
	h := newHome(t)
	env := h.env(sandboxEnv(sb)...)
	for i := range 100 {
		args := []string{"order", "get", uuid.NewString()}
		if i%10 == 9 {
			args = []string{"auth", "token"}
		}
		res := testenv.Run(t, bin, env, args...)
		want := 4 // not found: the token was good
		if args[0] == "auth" {
			want = 0
		}
		if res.ExitCode != want {
			t.Fatalf("run %d %v: exit %d, want %d\n%s", i, args, res.ExitCode, want, res.Stderr)
		}
	}
	st := sb.Stats(t)
	if st.TokenRequests != 1 {
		t.Fatalf("100 invocations made %d token requests, want 1", st.TokenRequests)
	}
	if n := st.Requests["GET /v1/order/{order_id}"]; n != 90 {
		t.Errorf("%d order lookups reached the API, want 90 (requests %v)", n, st.Requests)
	}
	// The cache is private.
	files, _ := filepath.Glob(filepath.Join(h.dir, ".cache", "connectctl", "tokens", "*"))
	if len(files) != 1 {
		t.Fatalf("token cache files: %v", files)
	}
	if fi, _ := os.Stat(files[0]); fi.Mode().Perm() != 0o600 {
		t.Errorf("token cache mode %v", fi.Mode().Perm())
	}

	// A changed secret never reuses the cached token: it fails, as it must.
	res := testenv.Run(t, bin, append(env, "CONNECTCTL_CLIENT_ID=sandbox", "CONNECTCTL_CLIENT_SECRET=wrong"), "auth", "token")
	if res.ExitCode != 3 {
		t.Fatalf("wrong secret: exit %d, want 3\n%s", res.ExitCode, res.Stderr)
	}
	// Nor does another profile with the same URLs.
	res = testenv.Run(t, bin, h.env(), "profile", "add", "other", "--base-url", sb.URL, "--token-url", sb.TokenURL(), "--client-id", "sandbox")
	if res.ExitCode != 0 {
		t.Fatal(res.Stderr)
	}
	before := sb.Stats(t).TokenRequests
	res = testenv.Run(t, bin, h.env("CONNECTCTL_CLIENT_SECRET=sandbox"), "-p", "other", "auth", "token")
	if res.ExitCode != 0 {
		t.Fatalf("other profile: %d %s", res.ExitCode, res.Stderr)
	}
	if got := sb.Stats(t).TokenRequests; got != before+1 {
		t.Errorf("another profile made %d token requests, want 1", got-before)
	}
}

// tokenRecorder is a reverse proxy in front of the sandbox's token endpoint
// that records every access and refresh token it hands out.
type tokenRecorder struct {
	mu     sync.Mutex
	tokens []string
}

func (r *tokenRecorder) all() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.tokens...)
}

func startTokenRecorder(t *testing.T, sb *testenv.Sandbox) (*tokenRecorder, string) {
	rec := &tokenRecorder{}
	target, _ := url.Parse(sb.URL)
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.ModifyResponse = func(resp *http.Response) error {
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			return err
		}
		resp.Body = io.NopCloser(bytes.NewReader(body))
		var tok map[string]any
		if json.Unmarshal(body, &tok) == nil {
			rec.mu.Lock()
			for _, k := range []string{"access_token", "refresh_token"} {
				if s, ok := tok[k].(string); ok && s != "" {
					rec.tokens = append(rec.tokens, s)
				}
			}
			rec.mu.Unlock()
		}
		return nil
	}
	srv := httptest.NewServer(proxy)
	t.Cleanup(srv.Close)
	return rec, srv.URL + "/auth/realms/tru-staff/protocol/openid-connect/token"
}

// TestDebugNeverShowsSecretsOrTokens runs commands with --debug, including a
// login, a revoked token (401 and a new token) and a wrong secret, and
// searches everything they printed for the secret and every token issued.
func TestDebugNeverShowsSecretsOrTokens(t *testing.T) {
	sb := testenv.StartSandbox(t, bin, "--client", e2eClientID+":"+e2eSecret)
	rec, tokenURL := startTokenRecorder(t, sb)
	h := newHome(t)
	var out strings.Builder
	collect := func(res testenv.Result, stdoutToo bool) {
		out.WriteString(res.Stderr)
		if stdoutToo {
			out.WriteString(res.Stdout)
		}
	}
	res := testenv.Run(t, bin, h.env(), "--debug", "profile", "add", "lab", "--base-url", sb.URL, "--token-url", tokenURL)
	collect(res, true)
	if res.ExitCode != 0 {
		t.Fatal(res.Stderr)
	}
	res = runIn(t, e2eSecret+"\n", h.env(), "--debug", "-p", "lab", "auth", "login", "--client-id", e2eClientID,
		"--client-secret-stdin", "--insecure-storage")
	collect(res, true)
	if res.ExitCode != 0 {
		t.Fatalf("login: %d %s", res.ExitCode, res.Stderr)
	}
	steps := [][]string{
		{"auth", "status"},
		{"auth", "status", "-o", "json"},
		{"order", "get", uuid.NewString()},
		{"products", "list"},
		{"profile", "list"},
		{"profile", "show"},
	}
	for _, args := range steps {
		res = testenv.Run(t, bin, h.env(), append([]string{"--debug", "-p", "lab"}, args...)...)
		collect(res, true)
	}
	// A revoked token: 401, a new token, the call retried.
	sb.Admin(t, http.MethodPost, "/_sandbox/tokens/revoke", nil, nil)
	res = testenv.Run(t, bin, h.env(), "--debug", "-p", "lab", "order", "get", uuid.NewString())
	collect(res, true)
	if res.ExitCode != 4 {
		t.Errorf("after revoke: exit %d, want 4\n%s", res.ExitCode, res.Stderr)
	}
	// auth token prints the token on stdout by design; its stderr must not.
	res = testenv.Run(t, bin, h.env(), "--debug", "-p", "lab", "auth", "token")
	collect(res, false)
	// Credentials from the environment, right and wrong.
	envCreds := h.env("CONNECTCTL_CLIENT_ID="+e2eClientID, "CONNECTCTL_CLIENT_SECRET="+e2eSecret)
	res = testenv.Run(t, bin, envCreds, "--debug", "-p", "lab", "order", "get", uuid.NewString())
	collect(res, true)
	res = testenv.Run(t, bin, h.env("CONNECTCTL_CLIENT_ID="+e2eClientID, "CONNECTCTL_CLIENT_SECRET=wrong-"+e2eSecret),
		"--debug", "-p", "lab", "auth", "status")
	collect(res, true)
	if res.ExitCode != 3 {
		t.Errorf("wrong secret status: exit %d", res.ExitCode)
	}

	all := out.String()
	if !strings.Contains(all, "debug:") || !strings.Contains(all, "auth: POST") {
		t.Fatalf("no debug output to search:\n%s", all)
	}
	tokens := rec.all()
	if len(tokens) < 6 {
		t.Fatalf("recorded only %d tokens; the proxy is not in the path", len(tokens))
	}
	for _, s := range append(tokens, e2eSecret) {
		if strings.Contains(all, s) {
			t.Errorf("output holds a secret or token %q…", s[:6])
		}
	}
	// Nor does any file but the one --insecure-storage asked for.
	filepath.Walk(h.dir, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() || filepath.Base(p) == "credentials.json" {
			return nil
		}
		data, _ := os.ReadFile(p)
		if bytes.Contains(data, []byte(e2eSecret)) {
			t.Errorf("%s holds the secret", p)
		}
		return nil
	})
}

// TestAuthLoginProvesBeforeStoring: a wrong secret stores nothing and exits
// 3; the right one is stored (here in the plain file: no keyring in this
// environment) and commands then work with no CONNECTCTL_* variables.
func TestAuthLoginProvesBeforeStoring(t *testing.T) {
	sb := testenv.StartSandbox(t, bin, "--client", e2eClientID+":"+e2eSecret)
	h := newHome(t)
	if res := testenv.Run(t, bin, h.env(), "profile", "add", "lab", "--base-url", sb.URL, "--token-url", sb.TokenURL()); res.ExitCode != 0 {
		t.Fatal(res.Stderr)
	}
	if res := testenv.Run(t, bin, h.env(), "profile", "use", "lab"); res.ExitCode != 0 {
		t.Fatal(res.Stderr)
	}
	cred := filepath.Join(h.dir, ".config", "connectctl", "credentials.json")
	for _, insecure := range []bool{false, true} {
		args := []string{"auth", "login", "--client-id", e2eClientID, "--client-secret-stdin"}
		if insecure {
			args = append(args, "--insecure-storage")
		}
		res := runIn(t, "not-"+e2eSecret, h.env(), args...)
		if res.ExitCode != 3 || !strings.Contains(res.Stderr, "nothing was stored") {
			t.Fatalf("wrong secret (insecure %v): exit %d\n%s", insecure, res.ExitCode, res.Stderr)
		}
		if _, err := os.Stat(cred); !os.IsNotExist(err) {
			t.Fatal("a wrong secret was stored")
		}
	}
	cfg, _ := os.ReadFile(h.configFile())
	if strings.Contains(string(cfg), "client-id") {
		t.Errorf("a refused login changed the config:\n%s", cfg)
	}
	// Without a keyring (no D-Bus session here) login says so and stops.
	res := runIn(t, e2eSecret, h.env(), "auth", "login", "--client-id", e2eClientID, "--client-secret-stdin")
	if res.ExitCode != 1 || !strings.Contains(res.Stderr, "keyring") || !strings.Contains(res.Stderr, "--insecure-storage") {
		t.Fatalf("login without keyring: exit %d\n%s", res.ExitCode, res.Stderr)
	}
	res = runIn(t, e2eSecret, h.env(), "auth", "login", "--client-id", e2eClientID, "--client-secret-stdin", "--insecure-storage")
	if res.ExitCode != 0 || !strings.Contains(res.Stderr, cred) {
		t.Fatalf("insecure login: exit %d\n%s", res.ExitCode, res.Stderr)
	}
	if fi, err := os.Stat(cred); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("credentials file: %v %v", fi, err)
	}
	cfg, _ = os.ReadFile(h.configFile())
	if strings.Contains(string(cfg), e2eSecret) || !strings.Contains(string(cfg), "client-id: "+e2eClientID) {
		t.Fatalf("config after login:\n%s", cfg)
	}
	// No CONNECTCTL_* at all from here on.
	res = testenv.Run(t, bin, h.env(), "order", "get", uuid.NewString())
	if res.ExitCode != 4 {
		t.Fatalf("order get: exit %d, want 4\n%s", res.ExitCode, res.Stderr)
	}
	res = testenv.Run(t, bin, h.env(), "auth", "status", "-o", "json")
	var st map[string]any
	if res.ExitCode != 0 || json.Unmarshal([]byte(res.Stdout), &st) != nil || st["secret_source"] != "file" || st["profile"] != "lab" {
		t.Fatalf("status: exit %d\n%s%s", res.ExitCode, res.Stdout, res.Stderr)
	}
	// The environment overrides the stored secret, and login refuses to
	// store what the environment would override.
	res = testenv.Run(t, bin, h.env("CONNECTCTL_CLIENT_SECRET=wrong"), "auth", "status")
	if res.ExitCode != 3 {
		t.Errorf("env secret did not override: exit %d", res.ExitCode)
	}
	res = runIn(t, e2eSecret, h.env("CONNECTCTL_CLIENT_SECRET="+e2eSecret), "auth", "login", "--client-secret-stdin", "--insecure-storage")
	if res.ExitCode != 2 || !strings.Contains(res.Stderr, "CONNECTCTL_CLIENT_SECRET") {
		t.Errorf("login under env: exit %d\n%s", res.ExitCode, res.Stderr)
	}
	res = testenv.Run(t, bin, h.env(), "auth", "logout")
	if res.ExitCode != 0 {
		t.Fatalf("logout: %d %s", res.ExitCode, res.Stderr)
	}
	if _, err := os.Stat(cred); !os.IsNotExist(err) {
		t.Error("logout left the secret")
	}
	res = testenv.Run(t, bin, h.env(), "order", "get", uuid.NewString())
	if res.ExitCode != 3 || !strings.Contains(res.Stderr, "auth login") {
		t.Errorf("after logout: exit %d\n%s", res.ExitCode, res.Stderr)
	}
}

func TestAuthStatusWrongSecretExits3(t *testing.T) {
	sb := testenv.StartSandbox(t, bin)
	h := newHome(t)
	res := testenv.Run(t, bin, h.env(append(sandboxEnv(sb), "CONNECTCTL_CLIENT_SECRET=not-sandbox")...), "auth", "status", "-o", "json")
	if res.ExitCode != 3 {
		t.Fatalf("exit %d, want 3\n%s", res.ExitCode, res.Stderr)
	}
	var st map[string]any
	if err := json.Unmarshal([]byte(res.Stdout), &st); err != nil || st["token_ok"] != false || st["secret_source"] != "env" {
		t.Fatalf("status json %v: %s", err, res.Stdout)
	}
	if !strings.Contains(res.Stderr, `"error"`) {
		t.Errorf("no JSON error object on stderr: %s", res.Stderr)
	}
	res = testenv.Run(t, bin, h.env(sandboxEnv(sb)...), "auth", "status")
	if res.ExitCode != 0 || !strings.Contains(res.Stdout, "built-in") {
		t.Errorf("sandbox status: %d\n%s%s", res.ExitCode, res.Stdout, res.Stderr)
	}
}
