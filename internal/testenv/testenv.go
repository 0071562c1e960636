// Package testenv runs the real connectctl binary in tests: it builds it,
// starts sandboxes on free ports and runs commands against them.
package testenv

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// RepoRoot walks up from the working directory to the folder holding go.mod.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("testenv: go.mod not found above the working directory")
		}
		dir = parent
	}
}

// BuildBinary builds connectctl into dir and returns its path. Call it once
// from TestMain; building per test would dominate the suite's run time.
func BuildBinary(dir string) (string, error) {
	root, err := RepoRoot()
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "connectctl")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
}

// ReleaseBuildFlags are the `go build` flags of `make build` and the
// release (.goreleaser.yaml): no symbol tables, no local paths.
var ReleaseBuildFlags = []string{"-trimpath", "-ldflags", "-s -w"}

// BuildRelease builds connectctl into dir as `make build` builds it: static
// (CGO_ENABLED=0, as released) and stripped. Benchmarks and the size guard
// measure this binary, the one users run.
func BuildRelease(dir string) (string, error) { return BuildReleasePackage(dir, "connectctl", ".") }

// BuildReleasePackage builds the repository's package pkg (a ./ path) into
// dir/name the way BuildRelease builds connectctl.
func BuildReleasePackage(dir, name, pkg string) (string, error) {
	root, err := RepoRoot()
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, name)
	cmd := exec.Command("go", append(append([]string{"build"}, ReleaseBuildFlags...), "-o", bin, pkg)...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build %s: %v\n%s", pkg, err, out)
	}
	return bin, nil
}

// Sandbox is a `connectctl sandbox serve` process started by a test.
type Sandbox struct {
	URL    string
	cmd    *exec.Cmd
	stderr *lockedBuffer
	done   chan struct{}
}

// StartSandbox starts `bin sandbox serve --addr 127.0.0.1:0 extra...` and
// waits for the base URL on its first line. The process is stopped when the
// test ends.
func StartSandbox(t testing.TB, bin string, extra ...string) *Sandbox {
	t.Helper()
	args := append([]string{"sandbox", "serve", "--addr", "127.0.0.1:0"}, extra...)
	cmd := exec.Command(bin, args...)
	cmd.Env = CleanEnv(t)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	sb := &Sandbox{cmd: cmd, stderr: &lockedBuffer{}, done: make(chan struct{})}
	cmd.Stderr = sb.stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start sandbox: %v", err)
	}
	go func() { _ = cmd.Wait(); close(sb.done) }()

	lines := make(chan string, 1)
	go func() {
		r := bufio.NewReader(stdout)
		line, _ := r.ReadString('\n')
		lines <- strings.TrimSpace(line)
		_, _ = io.Copy(io.Discard, r)
	}()
	select {
	case line := <-lines:
		if !strings.HasPrefix(line, "http://") {
			sb.Stop()
			t.Fatalf("sandbox first line %q is not a base URL; stderr:\n%s", line, sb.stderr.String())
		}
		sb.URL = line
	case <-time.After(20 * time.Second):
		sb.Stop()
		t.Fatalf("sandbox did not print its address; stderr:\n%s", sb.stderr.String())
	}
	t.Cleanup(sb.Stop)
	return sb
}

// Stop interrupts the sandbox and waits for it to exit.
func (s *Sandbox) Stop() {
	select {
	case <-s.done:
		return
	default:
	}
	_ = s.cmd.Process.Signal(os.Interrupt)
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
}

// Kill ends the sandbox with SIGKILL, as a crash would.
func (s *Sandbox) Kill() {
	_ = s.cmd.Process.Kill()
	<-s.done
}

// Stderr returns what the sandbox logged so far.
func (s *Sandbox) Stderr() string { return s.stderr.String() }

// TokenURL is the sandbox's OAuth2 token endpoint.
func (s *Sandbox) TokenURL() string {
	return s.URL + "/auth/realms/tru-staff/protocol/openid-connect/token"
}

// Stats reads the sandbox's admin counters.
func (s *Sandbox) Stats(t testing.TB) Stats {
	t.Helper()
	var st Stats
	s.Admin(t, http.MethodGet, "/_sandbox/stats", nil, &st)
	return st
}

// Stats mirrors GET /_sandbox/stats.
type Stats struct {
	TokenRequests        int            `json:"token_requests"`
	TokenRequestsByGrant map[string]int `json:"token_requests_by_grant"`
	Requests             map[string]int `json:"requests"`
	Orders               int            `json:"orders"`
	SIMs                 int            `json:"sims"`
	Subscriptions        int            `json:"subscriptions"`
}

// APIRequests is the number of /v1 requests the sandbox has seen.
func (st Stats) APIRequests() int {
	n := 0
	for _, c := range st.Requests {
		n += c
	}
	return n
}

// Admin calls an admin endpoint with a JSON body and decodes the answer into out.
func (s *Sandbox) Admin(t testing.TB, method, path string, body, out any) {
	t.Helper()
	Admin(t, s.URL, method, path, body, out)
}

// Admin calls an admin endpoint of the sandbox at baseURL (a process or an
// in-process httptest server) with a JSON body, failing t unless it answers
// 2xx, and decodes the answer into out.
func Admin(t testing.TB, baseURL, method, path string, body, out any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, baseURL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, data)
	}
	if out != nil && len(data) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s %s: decode %s: %v", method, path, data, err)
		}
	}
}

// Result is what a finished command produced.
type Result struct {
	Stdout   string
	Stderr   string
	ExitCode int
}

// Run runs the binary with args and the given extra environment (KEY=VALUE),
// under a timeout, and returns its output and exit code.
func Run(t testing.TB, bin string, env []string, args ...string) Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(CleanEnv(t), env...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	res := Result{Stdout: out.String(), Stderr: errOut.String()}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		res.ExitCode = ee.ExitCode()
	default:
		t.Fatalf("run %v: %v", args, err)
	}
	return res
}

// CleanEnv is a minimal environment with private config, cache and state
// folders, so no test sees the developer's profiles, keyring or tokens.
func CleanEnv(t testing.TB) []string {
	home := t.TempDir()
	env := []string{
		"HOME=" + home,
		"XDG_CONFIG_HOME=" + filepath.Join(home, ".config"),
		"XDG_CACHE_HOME=" + filepath.Join(home, ".cache"),
		"XDG_STATE_HOME=" + filepath.Join(home, ".local", "state"),
		"PATH=" + os.Getenv("PATH"),
		"NO_COLOR=1",
	}
	if v := os.Getenv("TMPDIR"); v != "" {
		env = append(env, "TMPDIR="+v)
	}
	return env
}

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// ClosedAddr returns a loopback host:port where nothing listens: a port the
// kernel handed out and that was closed again at once.
func ClosedAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	return addr
}
