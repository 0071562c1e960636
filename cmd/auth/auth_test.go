package auth

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"github.com/zalando/go-keyring"

	"github.com/connectctl/connectctl/cmd/cmdutil"
	"github.com/connectctl/connectctl/cmd/factory"
	profileCmd "github.com/connectctl/connectctl/cmd/profile"
	"github.com/connectctl/connectctl/internal/credentials"
	"github.com/connectctl/connectctl/internal/iostreams"
	"github.com/connectctl/connectctl/internal/output"
)

const (
	clientID = "ops"
	secret   = "s3cret-Value-4242"
)

// tokenServer is a token endpoint that accepts ops/s3cret and counts requests.
type tokenServer struct {
	*httptest.Server
	requests atomic.Int32
}

func newTokenServer(t *testing.T) *tokenServer {
	ts := &tokenServer{}
	ts.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := ts.requests.Add(1)
		r.ParseForm()
		w.Header().Set("Content-Type", "application/json")
		if r.PostForm.Get("client_id") != clientID || r.PostForm.Get("client_secret") != secret {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"error":"unauthorized_client","error_description":"Invalid client or Invalid client credentials"}`)
			return
		}
		fmt.Fprintf(w, `{"access_token":"access-%d-xyz","refresh_token":"refresh-%d-xyz","token_type":"Bearer","expires_in":300}`, n, n)
	}))
	t.Cleanup(ts.Close)
	return ts
}

type env struct {
	t          *testing.T
	ts         *tokenServer
	configDir  string
	configPath string
	tokenDir   string
}

func setup(t *testing.T) *env {
	t.Helper()
	keyring.MockInit()
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "CONNECTCTL_") {
			t.Setenv(k, "")
			os.Unsetenv(k)
		}
	}
	home := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, "config"))
	t.Setenv("XDG_CACHE_HOME", filepath.Join(home, "cache"))
	e := &env{t: t, ts: newTokenServer(t), configDir: filepath.Join(home, "config", "connectctl")}
	e.configPath = filepath.Join(e.configDir, "config.yaml")
	e.tokenDir = filepath.Join(home, "cache", "connectctl", "tokens")
	if r := e.run("", "profile", "add", "lab", "--base-url", e.ts.URL, "--token-url", e.ts.URL+"/token"); r.code != 0 {
		t.Fatalf("profile add: %d %s", r.code, r.stderr)
	}
	return e
}

type result struct {
	stdout, stderr string
	code           int
	err            error
}

// run runs a command under a root with the global flags that matter here.
func (e *env) run(stdin string, args ...string) result {
	e.t.Helper()
	ios, in, out, errOut := iostreams.Test()
	in.WriteString(stdin)
	return e.runIO(ios, out, errOut, args...)
}

func (e *env) runIO(ios *iostreams.IOStreams, out, errOut *bytes.Buffer, args ...string) result {
	f := factory.New()
	f.IOStreams = ios
	// go-keyring's mock, without the session-bus check it does not need.
	f.Keyring = &credentials.TimeoutKeyring{K: credentials.System{}, Timeout: 5 * time.Second}
	root := &cobra.Command{Use: "connectctl", SilenceErrors: true, SilenceUsage: true}
	root.SetOut(out)
	root.SetErr(errOut)
	root.SetIn(ios.In)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return &cmdutil.FlagError{Err: err} })
	g := &f.Globals
	pf := root.PersistentFlags()
	pf.StringVarP(&g.Profile, "profile", "p", "", "")
	pf.BoolVar(&g.Debug, "debug", false, "")
	pf.StringVar(&g.ConfigFile, "config", "", "")
	pf.StringVarP(&g.Output.Format, "output", "o", "table", "")
	root.PersistentPreRunE = func(c *cobra.Command, args []string) error { return f.ApplyEnvironment(c) }
	root.AddCommand(NewCmdAuth(f), profileCmd.NewCmdProfile(f))
	root.SetArgs(args)
	err := root.Execute()
	if err != nil {
		fmt.Fprintln(errOut, "error:", err)
	}
	return result{stdout: out.String(), stderr: errOut.String(), code: cmdutil.ExitCodeFor(err), err: err}
}

// noSecretOnDisk fails if the secret is in the config file or a token file.
func (e *env) noSecretOnDisk() {
	e.t.Helper()
	for _, dir := range []string{e.configDir, e.tokenDir} {
		filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
			if err != nil || info.IsDir() || filepath.Base(p) == "credentials.json" {
				return nil
			}
			data, _ := os.ReadFile(p)
			if bytes.Contains(data, []byte(secret)) || bytes.Contains(data, []byte("refresh-")) {
				e.t.Errorf("%s holds a secret:\n%s", p, data)
			}
			return nil
		})
	}
}

func TestLoginStatusTokenLogout(t *testing.T) {
	e := setup(t)
	r := e.run(secret+"\n", "-p", "lab", "auth", "login", "--client-id", clientID, "--client-secret-stdin")
	if r.code != 0 {
		t.Fatalf("login: %d %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "system keyring (service connectctl)") {
		t.Errorf("login does not say where the secret went: %s", r.stderr)
	}
	if v, err := keyring.Get(credentials.Service, "lab"); v != secret || err != nil {
		t.Fatalf("keyring holds %q, %v", v, err)
	}
	cfg, _ := os.ReadFile(e.configPath)
	if !strings.Contains(string(cfg), "client-id: ops") {
		t.Errorf("client id not in config:\n%s", cfg)
	}
	e.noSecretOnDisk()
	if n := e.ts.requests.Load(); n != 1 {
		t.Fatalf("login made %d token requests, want 1", n)
	}

	// The token login fetched is reused by the next commands.
	for range 3 {
		r = e.run("", "-p", "lab", "auth", "token")
		if r.code != 0 || strings.TrimSpace(r.stdout) != "access-1-xyz" {
			t.Fatalf("auth token: %d %q %s", r.code, r.stdout, r.stderr)
		}
	}
	if n := e.ts.requests.Load(); n != 1 {
		t.Fatalf("%d token requests after auth token, want 1", n)
	}

	r = e.run("", "-p", "lab", "auth", "status", "-o", "json")
	if r.code != 0 {
		t.Fatalf("status: %d %s", r.code, r.stderr)
	}
	var st Status
	if err := json.Unmarshal([]byte(r.stdout), &st); err != nil {
		t.Fatalf("status json: %v\n%s", err, r.stdout)
	}
	if st.Profile != "lab" || st.ClientID != clientID || st.SecretSource != "keyring" || !st.TokenOK ||
		st.CachedExpiresAt == nil || st.TokenExpiresAt == nil || st.ClientIDSource != "config" {
		t.Errorf("status = %+v", st)
	}
	if until := time.Until(*st.CachedExpiresAt); until < 4*time.Minute || until > 5*time.Minute {
		t.Errorf("cached token expires in %v", until)
	}
	r = e.run("", "-p", "lab", "auth", "status")
	for _, want := range []string{"PROFILE:", "lab (flag)", "SECRET_SOURCE:", "system keyring", "TOKEN_OK:", "fetched now", "TOKEN_EXPIRES_AT:", "CACHED_TOKEN_EXPIRES_AT:"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("status lacks %q:\n%s", want, r.stdout)
		}
	}

	r = e.run("", "-p", "lab", "auth", "logout")
	if r.code != 0 || !strings.Contains(r.stderr, "Removed the secret") {
		t.Fatalf("logout: %d %s", r.code, r.stderr)
	}
	if _, err := keyring.Get(credentials.Service, "lab"); !errors.Is(err, keyring.ErrNotFound) {
		t.Error("secret still in keyring")
	}
	if files, _ := filepath.Glob(filepath.Join(e.tokenDir, "lab.*")); len(files) != 0 {
		t.Errorf("tokens left: %v", files)
	}
	r = e.run("", "-p", "lab", "auth", "token")
	if r.code != cmdutil.ExitAuth || !strings.Contains(r.stderr, "auth login --profile lab") {
		t.Errorf("after logout: %d %s", r.code, r.stderr)
	}
}

func TestLoginRefusals(t *testing.T) {
	tests := []struct {
		name     string
		env      map[string]string
		stdin    string
		args     []string
		wantCode int
		wantErr  string
	}{
		{name: "wrong secret stores nothing", stdin: "wrong-secret", args: []string{"--client-id", clientID, "--client-secret-stdin"},
			wantCode: cmdutil.ExitAuth, wantErr: "nothing was stored"},
		{name: "unknown client", stdin: secret, args: []string{"--client-id", "nobody", "--client-secret-stdin"},
			wantCode: cmdutil.ExitAuth, wantErr: "unauthorized_client"},
		{name: "secret as a flag value", args: []string{"--client-id", clientID, "--client-secret", "hunter2-flag"},
			wantCode: cmdutil.ExitUsage, wantErr: "--client-secret is not accepted"},
		{name: "secret in the environment", env: map[string]string{"CONNECTCTL_CLIENT_SECRET": secret}, stdin: secret,
			args: []string{"--client-id", clientID, "--client-secret-stdin"}, wantCode: cmdutil.ExitUsage, wantErr: "CONNECTCTL_CLIENT_SECRET is set"},
		{name: "client id in the environment", env: map[string]string{"CONNECTCTL_CLIENT_ID": clientID}, stdin: secret,
			args: []string{"--client-secret-stdin"}, wantCode: cmdutil.ExitUsage, wantErr: "CONNECTCTL_CLIENT_ID is set"},
		{name: "empty stdin", args: []string{"--client-id", clientID, "--client-secret-stdin"}, wantCode: cmdutil.ExitUsage, wantErr: "no secret"},
		{name: "no terminal and no stdin flag", args: []string{"--client-id", clientID}, wantCode: cmdutil.ExitUsage, wantErr: "--client-secret-stdin"},
		{name: "no client id anywhere", stdin: secret, args: []string{"--client-secret-stdin"}, wantCode: cmdutil.ExitUsage, wantErr: "--client-id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t)
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			r := e.run(tt.stdin, append([]string{"-p", "lab", "auth", "login"}, tt.args...)...)
			if r.code != tt.wantCode || !strings.Contains(r.stderr, tt.wantErr) {
				t.Fatalf("exit %d, want %d; stderr %q, want %q", r.code, tt.wantCode, r.stderr, tt.wantErr)
			}
			for _, s := range []string{secret, "wrong-secret", "hunter2-flag"} {
				if strings.Contains(r.stderr+r.stdout, s) {
					t.Errorf("output repeats a secret %q: %s", s, r.stderr)
				}
			}
			if _, err := keyring.Get(credentials.Service, "lab"); !errors.Is(err, keyring.ErrNotFound) {
				t.Error("a secret was stored")
			}
			if cfg, _ := os.ReadFile(e.configPath); strings.Contains(string(cfg), "client-id") {
				t.Errorf("client id stored:\n%s", cfg)
			}
		})
	}
}

func TestLoginPromptsOnTerminal(t *testing.T) {
	e := setup(t)
	ios, in, out, errOut := iostreams.Test()
	ios.SetTTY(true, true, true)
	in.WriteString(clientID + "\n")
	old := readHiddenFn
	readHiddenFn = func(io.Reader) (string, error) { return secret, nil }
	t.Cleanup(func() { readHiddenFn = old })
	r := e.runIO(ios, out, errOut, "-p", "lab", "auth", "login")
	if r.code != 0 {
		t.Fatalf("login: %d %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "Client id: ") || !strings.Contains(r.stderr, "Client secret (hidden): ") {
		t.Errorf("prompts: %q", r.stderr)
	}
	if strings.Contains(r.stderr, secret) {
		t.Error("the secret was echoed")
	}
	if v, _ := keyring.Get(credentials.Service, "lab"); v != secret {
		t.Errorf("keyring holds %q", v)
	}
}

func TestNoKeyring(t *testing.T) {
	e := setup(t)
	keyring.MockInitWithError(errors.New("The name org.freedesktop.secrets was not provided by any .service files"))
	t.Cleanup(keyring.MockInit)

	r := e.run(secret, "-p", "lab", "auth", "login", "--client-id", clientID, "--client-secret-stdin")
	if r.code != cmdutil.ExitUnexpected || !strings.Contains(r.stderr, "--insecure-storage") ||
		!strings.Contains(r.stderr, "CONNECTCTL_CLIENT_SECRET") || !strings.Contains(r.stderr, "not available") {
		t.Fatalf("login without keyring: %d %s", r.code, r.stderr)
	}
	credFile := filepath.Join(e.configDir, "credentials.json")
	if _, err := os.Stat(credFile); !os.IsNotExist(err) {
		t.Fatal("wrote the plain file unasked")
	}
	// A command that needs the secret says why and what to do.
	r = e.run("", "-p", "lab", "auth", "token")
	if r.code != cmdutil.ExitAuth || !strings.Contains(r.stderr, "not available") || !strings.Contains(r.stderr, "CONNECTCTL_CLIENT_SECRET") {
		t.Errorf("auth token: %d %s", r.code, r.stderr)
	}

	r = e.run(secret, "-p", "lab", "auth", "login", "--client-id", clientID, "--client-secret-stdin", "--insecure-storage")
	if r.code != 0 || !strings.Contains(r.stderr, credFile) {
		t.Fatalf("insecure login: %d %s", r.code, r.stderr)
	}
	if st, err := os.Stat(credFile); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("credentials file: %v %v", st, err)
	}
	e.noSecretOnDisk()
	r = e.run("", "-p", "lab", "auth", "status", "-o", "json")
	if r.code != 0 || !strings.Contains(r.stdout, `"secret_source": "file"`) {
		t.Errorf("status: %d %s %s", r.code, r.stdout, r.stderr)
	}
	r = e.run("", "-p", "lab", "profile", "list")
	if !strings.Contains(r.stdout, "lab\t"+e.ts.URL+"\tops\tfile") {
		t.Errorf("profile list:\n%s", r.stdout)
	}
	r = e.run("", "-p", "lab", "auth", "logout")
	if r.code != 0 {
		t.Fatalf("logout: %d %s", r.code, r.stderr)
	}
	if _, err := os.Stat(credFile); !os.IsNotExist(err) {
		t.Error("plain file left after logout")
	}
}

func TestStatusWrongSecretExits3(t *testing.T) {
	e := setup(t)
	t.Setenv("CONNECTCTL_CLIENT_ID", clientID)
	t.Setenv("CONNECTCTL_CLIENT_SECRET", "not-the-secret")
	r := e.run("", "-p", "lab", "auth", "status", "-o", "json")
	if r.code != cmdutil.ExitAuth {
		t.Fatalf("exit %d, want 3: %s", r.code, r.stderr)
	}
	var st Status
	if err := json.Unmarshal([]byte(r.stdout), &st); err != nil {
		t.Fatalf("%v: %s", err, r.stdout)
	}
	if st.TokenOK || st.SecretSource != "env" || st.ClientIDSource != "env" || !strings.Contains(st.Error, "unauthorized_client") {
		t.Errorf("status = %+v", st)
	}
	if strings.Contains(r.stdout+r.stderr, "not-the-secret") {
		t.Error("status shows the secret")
	}
	// No credentials at all is exit 3 too.
	os.Unsetenv("CONNECTCTL_CLIENT_SECRET")
	os.Unsetenv("CONNECTCTL_CLIENT_ID")
	r = e.run("", "-p", "lab", "auth", "status")
	if r.code != cmdutil.ExitAuth || !strings.Contains(r.stdout, "SECRET_SOURCE:") {
		t.Errorf("no credentials: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

func TestDebugNeverShowsSecrets(t *testing.T) {
	e := setup(t)
	r := e.run(secret, "--debug", "-p", "lab", "auth", "login", "--client-id", clientID, "--client-secret-stdin")
	if r.code != 0 {
		t.Fatalf("login: %d %s", r.code, r.stderr)
	}
	all := r.stderr
	for _, args := range [][]string{{"auth", "status"}, {"auth", "token"}, {"profile", "list"}, {"profile", "show"}} {
		r = e.run("", append([]string{"--debug", "-p", "lab"}, args...)...)
		all += r.stderr
		if args[1] != "token" {
			all += r.stdout
		}
	}
	if !strings.Contains(all, "debug:") {
		t.Fatal("no debug output at all")
	}
	for _, s := range []string{secret, "access-", "refresh-"} {
		if strings.Contains(all, s) {
			t.Errorf("--debug output holds %q:\n%s", s, all)
		}
	}
}

func TestStatusColumnsAreJSONKeys(t *testing.T) {
	now := time.Now()
	sample := Status{Profile: "p", ProfileSource: "flag", ConfigFile: "c", BaseURL: "b", TokenURL: "t", ClientID: "c",
		ClientIDSource: "env", SecretSource: "env", CachedExpiresAt: &now, TokenOK: true, TokenExpiresAt: &now, Error: "e", KeyringProblem: "k"}
	if missing := output.MissingJSONKeys(statusColumns(now), sample); len(missing) > 0 {
		t.Errorf("auth status: columns %v are not JSON keys", missing)
	}
}
