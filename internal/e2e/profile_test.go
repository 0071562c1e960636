package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/connectctl/connectctl/internal/testenv"
)

// TestProfileCommands walks profile add/use/set/show/list/remove, checking
// after every write that the file is 0600 in a 0700 folder, keeps the
// user's own keys and holds no secret.
func TestProfileCommands(t *testing.T) {
	sb := testenv.StartSandbox(t, bin)
	h := newHome(t)
	cfg := h.configFile()
	if err := os.MkdirAll(filepath.Dir(cfg), 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(cfg, []byte("# hand-written\nteam: payments  # mine\nprofiles:\n  sandbox:\n    note: keep me\n"), 0o644)
	secret := "never-in-config-" + uuid.NewString()
	env := h.env("CONNECTCTL_CLIENT_SECRET=" + secret)

	checkFile := func(step string) {
		t.Helper()
		data, err := os.ReadFile(cfg)
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		if strings.Contains(string(data), secret) || strings.Contains(string(data), e2eSecret) {
			t.Fatalf("%s: the config holds a secret:\n%s", step, data)
		}
		for _, keep := range []string{"# hand-written", "team: payments", "# mine", "note: keep me"} {
			if !strings.Contains(string(data), keep) {
				t.Errorf("%s: lost %q:\n%s", step, keep, data)
			}
		}
		if fi, _ := os.Stat(cfg); fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: config mode %v", step, fi.Mode().Perm())
		}
		if fi, _ := os.Stat(filepath.Dir(cfg)); fi.Mode().Perm() != 0o700 {
			t.Errorf("%s: config dir mode %v", step, fi.Mode().Perm())
		}
		entries, _ := os.ReadDir(filepath.Dir(cfg))
		for _, e := range entries {
			if strings.Contains(e.Name(), ".tmp") {
				t.Errorf("%s: temporary file left: %s", step, e.Name())
			}
		}
	}
	run := func(wantCode int, args ...string) testenv.Result {
		t.Helper()
		res := testenv.Run(t, bin, env, args...)
		if res.ExitCode != wantCode {
			t.Fatalf("%v: exit %d, want %d\n%s%s", args, res.ExitCode, wantCode, res.Stdout, res.Stderr)
		}
		return res
	}
	writes := [][]string{
		{"profile", "add", "lab", "--base-url", sb.URL + "/", "--token-url", sb.TokenURL(), "--client-id", "sandbox"},
		{"profile", "use", "lab"},
		{"profile", "set", "defaults.country", "pt"},
		{"profile", "set", "defaults.device-type", "IOS"},
		{"profile", "set", "defaults.currency", "eur"},
		{"--profile", "preprod", "profile", "set", "client-id", "ops-preprod"},
		{"profile", "set", "defaults.output", "json"},
	}
	for _, args := range writes {
		run(0, args...)
		checkFile(strings.Join(args, " "))
	}
	res := run(0, "profile", "show")
	var e map[string]any
	if err := json.Unmarshal([]byte(res.Stdout), &e); err != nil { // defaults.output json applies
		t.Fatalf("show is not JSON (defaults.output): %v\n%s", err, res.Stdout)
	}
	d, _ := e["defaults"].(map[string]any)
	if e["name"] != "lab" || e["base_url"] != sb.URL || d["country"] != "PT" || d["device_type"] != "ios" || d["currency"] != "EUR" || e["secret_source"] != "env" {
		t.Errorf("show = %v", e)
	}
	res = run(0, "-o", "table", "profile", "list")
	lines := strings.Split(strings.TrimSpace(res.Stdout), "\n")
	if len(lines) != 5 || lines[0] != "CURRENT\tNAME\tBASE_URL\tCLIENT_ID\tSECRET_SOURCE" {
		t.Fatalf("list:\n%s", res.Stdout)
	}
	for _, want := range []string{"*\tlab\t" + sb.URL + "\tsandbox\tenv", "-\tpreprod\thttps://services.truphone.com/connect-api-preprod\tops-preprod\t", "-\tsandbox\thttp://127.0.0.1:7787\tsandbox\tbuilt-in"} {
		if !strings.Contains(res.Stdout, want) {
			t.Errorf("list lacks %q:\n%s", want, res.Stdout)
		}
	}
	// The profile's defaults feed commands: order new takes country and
	// device type from it (the sandbox accepts the order).
	res = testenv.Run(t, bin, h.env("CONNECTCTL_CLIENT_SECRET=sandbox"), "-o", "table", "order", "new", "--product", europe1GB, "--email", "p@example.com")
	if res.ExitCode != 0 || !orderIDLine.MatchString(res.Stderr) {
		t.Errorf("order new with profile defaults: exit %d\n%s", res.ExitCode, res.Stderr)
	}

	// Refusals: exit 2, file untouched.
	for _, args := range [][]string{
		{"profile", "set", "client-secret", secret},
		{"profile", "set", "colour", "blue"},
		{"profile", "set", "defaults.country", "XX"},
		{"profile", "set", "base-url", "http://example.com"},
		{"profile", "add", "remote", "--base-url", "http://10.1.2.3", "--token-url", "https://x/t"},
		{"profile", "add", "lab", "--base-url", "https://x", "--token-url", "https://x/t"},
		{"profile", "add", "Bad.Name", "--base-url", "https://x", "--token-url", "https://x/t"},
		{"profile", "use", "nowhere"},
		{"profile", "remove", "prod"},
		{"--profile", "nowhere", "auth", "status"},
	} {
		res := run(2, args...)
		if strings.Contains(res.Stderr, secret) {
			t.Errorf("%v repeats the secret: %s", args, res.Stderr)
		}
		checkFile(strings.Join(args, " "))
	}
	res = run(0, "profile", "set", "base-url", "https://services.truphone.com/esim")
	if !strings.Contains(res.Stderr, "deprecated") {
		t.Errorf("no deprecation warning: %s", res.Stderr)
	}
	run(0, "profile", "set", "base-url", sb.URL)

	// Precedence, end to end: flag > env > config > built-in.
	res = testenv.Run(t, bin, h.env("CONNECTCTL_PROFILE=sandbox"), "-o", "json", "auth", "status")
	if !strings.Contains(res.Stdout, `"profile": "sandbox"`) || !strings.Contains(res.Stdout, `"profile_source": "env"`) {
		t.Errorf("env profile: %s", res.Stdout)
	}
	res = testenv.Run(t, bin, h.env("CONNECTCTL_PROFILE=sandbox", "CONNECTCTL_OUTPUT=yaml"), "--debug", "-p", "lab", "-o", "json", "auth", "status")
	if !strings.Contains(res.Stdout, `"profile": "lab"`) || !strings.Contains(res.Stderr, "--profile=lab overrides CONNECTCTL_PROFILE=sandbox") {
		t.Errorf("flag profile: %s\n%s", res.Stdout, res.Stderr)
	}
	res = testenv.Run(t, bin, h.env("CONNECTCTL_OUTPUT=yaml"), "auth", "status")
	if !strings.Contains(res.Stdout, "profile: lab") {
		t.Errorf("env output did not beat the profile's defaults.output: %s", res.Stdout)
	}

	// Remove: the current profile goes back to sandbox; preprod is reset.
	res = run(0, "profile", "remove", "lab")
	if !strings.Contains(res.Stderr, "now use sandbox") {
		t.Errorf("remove: %s", res.Stderr)
	}
	checkFile("profile remove lab")
	run(0, "profile", "remove", "preprod")
	checkFile("profile remove preprod")
	data, _ := os.ReadFile(cfg)
	if strings.Contains(string(data), "lab") || strings.Contains(string(data), "preprod") || strings.Contains(string(data), "current-profile") {
		t.Errorf("after removes:\n%s", data)
	}
	res = run(0, "-o", "json", "profile", "show")
	if !strings.Contains(res.Stdout, `"name": "sandbox"`) {
		t.Errorf("current after remove: %s", res.Stdout)
	}
}

// requireTools finds the programs a test needs, or skips it loudly (fails
// when CONNECTCTL_REQUIRE_SECRET_SERVICE=1, as in CI).
func requireTools(t *testing.T, names ...string) {
	t.Helper()
	var missing []string
	for _, n := range names {
		if _, err := exec.LookPath(n); err != nil {
			missing = append(missing, n)
		}
	}
	if len(missing) == 0 {
		return
	}
	msg := "SKIPPED: the real Secret Service test needs " + strings.Join(missing, ", ") +
		" (apt-get install dbus gnome-keyring libsecret-tools); the keyring path is NOT tested against a real keyring"
	if os.Getenv("CONNECTCTL_REQUIRE_SECRET_SERVICE") == "1" {
		t.Fatal(msg)
	}
	t.Log("\n" + strings.Repeat("!", 78) + "\n" + msg + "\n" + strings.Repeat("!", 78))
	t.Skip(msg)
}

// startSecretService starts a private D-Bus session (dbus-run-session) with
// an unlocked gnome-keyring-daemon serving org.freedesktop.secrets, and
// returns the session bus address. Everything stops when the test ends.
func startSecretService(t *testing.T, h home) string {
	t.Helper()
	requireTools(t, "dbus-run-session", "gnome-keyring-daemon", "secret-tool", "dbus-send")
	const script = `printf '%s' "$KEYRING_PASSWORD" | gnome-keyring-daemon --foreground --unlock --components=secrets >"$HOME/gnome-keyring.log" 2>&1 &
echo "BUS=$DBUS_SESSION_BUS_ADDRESS"
exec cat >/dev/null`
	cmd := exec.Command("dbus-run-session", "--", "sh", "-c", script)
	cmd.Env = append(testenv.CleanEnv(t), h.env("KEYRING_PASSWORD=e2e-keyring-password")...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("dbus-run-session: %v", err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		stdin.Close() // cat ends, dbus-run-session ends the bus
		select {
		case <-done:
		case <-time.After(5 * time.Second):
		}
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // and anything left in the group
	})
	lines := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(stdout).ReadString('\n')
		lines <- strings.TrimSpace(line)
	}()
	var bus string
	select {
	case l := <-lines:
		bus = strings.TrimPrefix(l, "BUS=")
	case <-time.After(15 * time.Second):
		t.Fatalf("dbus-run-session gave no bus address; stderr:\n%s", stderr.String())
	}
	if bus == "" {
		t.Fatalf("no bus address; stderr:\n%s", stderr.String())
	}
	// Wait for the keyring to own org.freedesktop.secrets.
	deadline := time.Now().Add(15 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		probe := exec.CommandContext(ctx, "dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.DBus",
			"/org/freedesktop/DBus", "org.freedesktop.DBus.NameHasOwner", "string:org.freedesktop.secrets")
		probe.Env = append(testenv.CleanEnv(t), "DBUS_SESSION_BUS_ADDRESS="+bus)
		out, _ := probe.CombinedOutput()
		cancel()
		if strings.Contains(string(out), "boolean true") {
			break
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(h.dir, "gnome-keyring.log"))
			t.Fatalf("gnome-keyring-daemon did not come up on %s:\n%s\n%s", bus, log, stderr.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	return bus
}

// TestRealSecretService logs in for a sandbox profile against a real Secret
// Service and checks the secret sits under service connectctl, not in the
// config, that commands then work with no CONNECTCTL_* variables, and that
// logout removes it.
func TestRealSecretService(t *testing.T) {
	h := newHome(t)
	bus := startSecretService(t, h)
	sb := testenv.StartSandbox(t, bin, "--client", e2eClientID+":"+e2eSecret)
	env := h.env("DBUS_SESSION_BUS_ADDRESS=" + bus)
	secretTool := func(args ...string) (string, error) {
		cmd := exec.Command("secret-tool", args...)
		cmd.Env = append(testenv.CleanEnv(t), env...)
		out, err := cmd.Output()
		return strings.TrimSpace(string(out)), err
	}

	for _, args := range [][]string{
		{"profile", "add", "sb", "--base-url", sb.URL, "--token-url", sb.TokenURL()},
		{"profile", "use", "sb"},
	} {
		if res := testenv.Run(t, bin, env, args...); res.ExitCode != 0 {
			t.Fatalf("%v: %s", args, res.Stderr)
		}
	}
	res := runIn(t, e2eSecret+"\n", env, "auth", "login", "--client-id", e2eClientID, "--client-secret-stdin")
	if res.ExitCode != 0 || !strings.Contains(res.Stderr, "system keyring") {
		t.Fatalf("login: exit %d\n%s", res.ExitCode, res.Stderr)
	}
	got, err := secretTool("lookup", "service", "connectctl", "username", "sb")
	if err != nil || got != e2eSecret {
		t.Fatalf("secret-tool lookup service connectctl username sb = %q, %v", got, err)
	}
	cfg, _ := os.ReadFile(h.configFile())
	if strings.Contains(string(cfg), e2eSecret) {
		t.Fatalf("config holds the secret:\n%s", cfg)
	}
	if _, err := os.Stat(filepath.Join(h.dir, ".config", "connectctl", "credentials.json")); !os.IsNotExist(err) {
		t.Fatal("the plain-text file was written")
	}

	// No CONNECTCTL_* variables: the secret comes from the keyring.
	before := sb.Stats(t).TokenRequests
	res = testenv.Run(t, bin, env, "order", "get", uuid.NewString())
	if res.ExitCode != 4 {
		t.Fatalf("order get: exit %d, want 4\n%s", res.ExitCode, res.Stderr)
	}
	// With the token cached, the keyring is not asked at all: the same
	// command works with the session bus gone (issue 10).
	noBus := h.env("DBUS_SESSION_BUS_ADDRESS=unix:path=" + filepath.Join(h.dir, "no-such-bus"))
	res = testenv.Run(t, bin, noBus, "--debug", "order", "get", uuid.NewString())
	if res.ExitCode != 4 || !strings.Contains(res.Stderr, "secret from keyring") {
		t.Fatalf("order get with a cached token and no bus: exit %d, want 4\n%s", res.ExitCode, res.Stderr)
	}
	res = testenv.Run(t, bin, env, "-o", "json", "auth", "status")
	if res.ExitCode != 0 || !strings.Contains(res.Stdout, `"secret_source": "keyring"`) {
		t.Fatalf("status: exit %d\n%s%s", res.ExitCode, res.Stdout, res.Stderr)
	}
	res = testenv.Run(t, bin, env, "profile", "list")
	if !strings.Contains(res.Stdout, "*\tsb\t"+sb.URL+"\t"+e2eClientID+"\tkeyring") {
		t.Errorf("profile list:\n%s", res.Stdout)
	}
	// order get reused the token login fetched; status fetched one to prove.
	if n := sb.Stats(t).TokenRequests - before; n != 1 {
		t.Errorf("%d token requests after login, want 1 (auth status)", n)
	}

	res = testenv.Run(t, bin, env, "auth", "logout")
	if res.ExitCode != 0 || !strings.Contains(res.Stderr, "system keyring") {
		t.Fatalf("logout: exit %d\n%s", res.ExitCode, res.Stderr)
	}
	if got, _ := secretTool("lookup", "service", "connectctl", "username", "sb"); got != "" {
		t.Fatalf("secret still in the keyring after logout")
	}
	res = testenv.Run(t, bin, env, "order", "get", uuid.NewString())
	if res.ExitCode != 3 {
		t.Errorf("after logout: exit %d, want 3\n%s", res.ExitCode, res.Stderr)
	}
}
