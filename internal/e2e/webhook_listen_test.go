package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/connectctl/connectctl/internal/testenv"
)

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// listener is a running `webhook listen`.
type listener struct {
	cmd    *exec.Cmd
	URL    string
	stdout *syncBuffer
	stderr *syncBuffer
	done   chan struct{}
	err    error
}

// startListener runs `webhook listen --addr 127.0.0.1:0` and reads its URL from stderr.
func startListener(t *testing.T, extra ...string) *listener {
	t.Helper()
	return startListenerEnv(t, nil, extra...)
}

// startListenerEnv is startListener with env added to the clean environment.
func startListenerEnv(t *testing.T, env []string, extra ...string) *listener {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"webhook", "listen", "--addr", "127.0.0.1:0"}, extra...)...)
	cmd.Env = append(testenv.CleanEnv(t), env...)
	l := &listener{cmd: cmd, stdout: &syncBuffer{}, stderr: &syncBuffer{}, done: make(chan struct{})}
	cmd.Stdout = l.stdout
	pipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pipe)
		for sc.Scan() {
			line := sc.Text()
			l.stderr.Write([]byte(line + "\n"))
			if u, ok := strings.CutPrefix(line, "Listening on "); ok {
				select {
				case urls <- u:
				default:
				}
			}
		}
		_, _ = io.Copy(l.stderr, pipe)
		// Wait only after the pipe is drained (exec's rule for StderrPipe).
		l.err = cmd.Wait()
		close(l.done)
	}()
	t.Cleanup(func() {
		select {
		case <-l.done:
		default:
			_ = cmd.Process.Kill()
			<-l.done
		}
	})
	select {
	case l.URL = <-urls:
	case <-l.done:
		t.Fatalf("webhook listen exited: %v\nstderr:\n%s", l.err, l.stderr.String())
	case <-time.After(20 * time.Second):
		t.Fatalf("webhook listen printed no URL; stderr:\n%s", l.stderr.String())
	}
	return l
}

// waitStderr waits until the listener's stderr holds s (or it exits).
func (l *listener) waitStderr(t *testing.T, s string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(l.stderr.String(), s) {
		select {
		case <-l.done:
			if strings.Contains(l.stderr.String(), s) {
				return
			}
			t.Fatalf("webhook listen exited before printing %q: %v\nstderr:\n%s", s, l.err, l.stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("webhook listen did not print %q; stderr:\n%s", s, l.stderr.String())
		}
	}
}

// stop interrupts the listener and returns its exit code.
func (l *listener) stop(t *testing.T) int {
	t.Helper()
	_ = l.cmd.Process.Signal(os.Interrupt)
	select {
	case <-l.done:
	case <-time.After(10 * time.Second):
		t.Fatalf("webhook listen did not stop on SIGINT; stderr:\n%s", l.stderr.String())
	}
	return l.cmd.ProcessState.ExitCode()
}

func TestWebhookListenReceivesSandboxNotifications(t *testing.T) {
	sb := testenv.StartSandbox(t, bin, "--order-delay", "0")
	env := sandboxEnv(sb)
	l := startListener(t)
	if !strings.HasPrefix(l.URL, "http://127.0.0.1:") || strings.Contains(l.URL, ":0/") {
		t.Fatalf("listener URL %q", l.URL)
	}
	// The token is the last path segment: 128 bits or more of base64url.
	if tok := l.URL[strings.LastIndex(l.URL, "/")+1:]; len(tok) < 22 {
		t.Fatalf("path token %q is too short", tok)
	}

	iccid := orderSIMForWebhooks(t, sb)
	for _, typ := range []string{"usage", "end"} {
		res := testenv.Run(t, bin, env, "webhook", "register", iccid, "--type", typ, "--url", l.URL)
		if res.ExitCode != 0 {
			t.Fatalf("register %s: exit %d\n%s", typ, res.ExitCode, res.Stderr)
		}
	}

	type usageAnswer struct {
		Notifications []struct {
			Type     string `json:"type"`
			Delivery string `json:"delivery"`
		} `json:"notifications"`
	}
	const gib = 1 << 30
	var ans usageAnswer
	sb.Admin(t, "POST", "/_sandbox/usage", map[string]any{"iccid": iccid, "bytes": gib * 85 / 100}, &ans)
	if len(ans.Notifications) != 1 || ans.Notifications[0].Type != "USAGE_THRESHOLD" || ans.Notifications[0].Delivery != "delivered" {
		t.Fatalf("usage to 85%%: %+v\nlistener stderr:\n%s", ans, l.stderr.String())
	}
	ans = usageAnswer{}
	sb.Admin(t, "POST", "/_sandbox/usage", map[string]any{"iccid": iccid, "bytes": gib}, &ans)
	if len(ans.Notifications) != 1 || ans.Notifications[0].Type != "SUBSCRIPTION_END" || ans.Notifications[0].Delivery != "delivered" {
		t.Fatalf("usage to 100%%: %+v\nlistener stderr:\n%s", ans, l.stderr.String())
	}

	if code := l.stop(t); code != 0 {
		t.Fatalf("webhook listen exited %d after SIGINT; stderr:\n%s", code, l.stderr.String())
	}

	// stdout holds the events only: one JSON line each.
	counts := map[string]int{}
	for _, line := range strings.Split(strings.TrimSuffix(l.stdout.String(), "\n"), "\n") {
		var ev struct {
			ID             string `json:"id"`
			Type           string `json:"type"`
			ICCID          string `json:"iccid"`
			SubscriptionID string `json:"subscription_id"`
			Threshold      *int   `json:"threshold"`
		}
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			t.Fatalf("stdout line %q is not an event: %v\nstdout:\n%s", line, err, l.stdout.String())
		}
		if ev.ICCID != iccid || ev.ID == "" {
			t.Errorf("event %q: want ICCID %s and an id", line, iccid)
		}
		if ev.Type == "USAGE_THRESHOLD" && (ev.Threshold == nil || *ev.Threshold != 80 || ev.SubscriptionID == "") {
			t.Errorf("usage event %q: want threshold 80 and a subscription id", line)
		}
		counts[ev.Type]++
	}
	if len(counts) != 2 || counts["USAGE_THRESHOLD"] != 1 || counts["SUBSCRIPTION_END"] != 1 {
		t.Errorf("events %v, want one USAGE_THRESHOLD and one SUBSCRIPTION_END\nstdout:\n%s", counts, l.stdout.String())
	}
	if strings.Contains(l.stdout.String(), "Listening") {
		t.Errorf("stdout carries more than events:\n%s", l.stdout.String())
	}
}

// The listener refuses anything that is not a notification on its secret path.
func TestWebhookListenRejects(t *testing.T) {
	l := startListener(t)
	base := l.URL[:strings.LastIndex(l.URL, "/")]
	cases := []struct {
		name, method, url, body string
		want                    int
	}{
		{"wrong path", "POST", base + "/guess", `{"type":"USAGE_THRESHOLD","iccid":"8944478600000205337"}`, 404},
		{"wrong method", "GET", l.URL, "", 405},
		{"not JSON", "POST", l.URL, "hello", 400},
		{"missing iccid", "POST", l.URL, `{"id":"1","type":"USAGE_THRESHOLD"}`, 400},
		{"oversize", "POST", l.URL, `{"x":"` + strings.Repeat("a", 100<<10) + `"}`, 413},
	}
	for _, c := range cases {
		req, _ := http.NewRequest(c.method, c.url, strings.NewReader(c.body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.want {
			t.Errorf("%s: status %d, want %d", c.name, resp.StatusCode, c.want)
		}
	}
	if code := l.stop(t); code != 0 {
		t.Errorf("exit %d after SIGINT", code)
	}
	if out := l.stdout.String(); out != "" {
		t.Errorf("rejected requests printed %q", out)
	}
}

// Refusing a non-loopback address is a usage error.
func TestWebhookListenRefusesRemoteAddr(t *testing.T) {
	res := testenv.Run(t, bin, nil, "webhook", "listen", "--addr", "0.0.0.0:0")
	if res.ExitCode != 2 || !strings.Contains(res.Stderr, "--allow-remote") {
		t.Errorf("exit %d, stderr %q", res.ExitCode, res.Stderr)
	}
}

// listen --register registers the listener, prints the events the sandbox
// delivers to it and unregisters on Ctrl-C what it registered.
func TestWebhookListenRegisterCleansUpOnSIGINT(t *testing.T) {
	sb := testenv.StartSandbox(t, bin, "--order-delay", "0")
	env := sandboxEnv(sb)
	iccid := orderSIMForWebhooks(t, sb)
	l := startListenerEnv(t, env, "--register", iccid, "--type", "usage")
	l.waitStderr(t, "Events print on stdout")
	if !strings.Contains(l.stderr.String(), "Registered "+iccid+" USAGE_THRESHOLD -> "+l.URL) {
		t.Fatalf("stderr does not report the registration:\n%s", l.stderr.String())
	}
	if got := listWebhooksJSON(t, env, iccid); len(got) != 1 || got["USAGE_THRESHOLD"] != l.URL {
		t.Fatalf("registered webhooks %v, want only USAGE_THRESHOLD -> %s", got, l.URL)
	}

	res := testenv.Run(t, bin, env, "sandbox", "usage", iccid, "--percent", "85", "-o", "json")
	if res.ExitCode != 0 || !strings.Contains(res.Stdout, "delivered") {
		t.Fatalf("sandbox usage: exit %d\n%s\n%s\nlistener stderr:\n%s", res.ExitCode, res.Stdout, res.Stderr, l.stderr.String())
	}
	// The sandbox delivered before answering, so the event line is printed.
	var ev struct {
		Type  string `json:"type"`
		ICCID string `json:"iccid"`
	}
	if err := json.Unmarshal([]byte(strings.TrimSpace(l.stdout.String())), &ev); err != nil || ev.Type != "USAGE_THRESHOLD" || ev.ICCID != iccid {
		t.Fatalf("stdout %q: want one USAGE_THRESHOLD event for %s (%v)", l.stdout.String(), iccid, err)
	}

	if code := l.stop(t); code != 0 {
		t.Fatalf("exit %d after SIGINT; stderr:\n%s", code, l.stderr.String())
	}
	if !strings.Contains(l.stderr.String(), "Unregistered "+iccid+" USAGE_THRESHOLD") {
		t.Errorf("stderr does not report the clean-up:\n%s", l.stderr.String())
	}
	if got := listWebhooksJSON(t, env, iccid); len(got) != 0 {
		t.Errorf("webhooks left after exit: %v", got)
	}
}

// --public-url/TOKEN is what gets registered; the exit removes it.
func TestWebhookListenRegisterPublicURL(t *testing.T) {
	sb := testenv.StartSandbox(t, bin, "--order-delay", "0")
	env := sandboxEnv(sb)
	iccid := orderSIMForWebhooks(t, sb)
	l := startListenerEnv(t, env, "--register", iccid, "--public-url", "https://tunnel.example.com/hooks/")
	l.waitStderr(t, "Events print on stdout")
	token := l.URL[strings.LastIndex(l.URL, "/")+1:]
	want := "https://tunnel.example.com/hooks/" + token
	got := listWebhooksJSON(t, env, iccid)
	if len(got) != 2 || got["USAGE_THRESHOLD"] != want || got["SUBSCRIPTION_END"] != want {
		t.Fatalf("registered webhooks %v, want both types -> %s", got, want)
	}
	if code := l.stop(t); code != 0 {
		t.Fatalf("exit %d after SIGINT; stderr:\n%s", code, l.stderr.String())
	}
	if got := listWebhooksJSON(t, env, iccid); len(got) != 0 {
		t.Errorf("webhooks left after exit: %v", got)
	}
}

// A bad ICCID is refused (exit 2) before the listener starts or any request.
func TestWebhookListenRegisterBadICCID(t *testing.T) {
	sb := testenv.StartSandbox(t, bin, "--order-delay", "0")
	before := sb.Stats(t)
	for _, bad := range []string{"8944478600001000019", "8944478600001000018,12345"} {
		res := testenv.Run(t, bin, sandboxEnv(sb), "webhook", "listen", "--addr", "127.0.0.1:0", "--register", bad)
		if res.ExitCode != 2 || !strings.Contains(res.Stderr, "--register") || strings.Contains(res.Stderr, "Listening") {
			t.Errorf("--register %s: exit %d, stderr %q", bad, res.ExitCode, res.Stderr)
		}
	}
	after := sb.Stats(t)
	if after.APIRequests() != before.APIRequests() || after.TokenRequests != before.TokenRequests {
		t.Errorf("requests sent: API %d -> %d, token %d -> %d", before.APIRequests(), after.APIRequests(), before.TokenRequests, after.TokenRequests)
	}
}

// A registration that fails part-way exits with the API error's code and
// leaves nothing registered.
func TestWebhookListenRegisterFailsPartWay(t *testing.T) {
	sb := testenv.StartSandbox(t, bin, "--order-delay", "0")
	env := sandboxEnv(sb)
	iccid := orderSIMForWebhooks(t, sb)
	fault := testenv.Run(t, bin, env, "sandbox", "fault", "add", "--method", "POST",
		"--path", "/v1/sim/"+iccid+"/preferences/notifications/SUBSCRIPTION_END", "--status", "400")
	if fault.ExitCode != 0 {
		t.Fatalf("sandbox fault add: exit %d\n%s", fault.ExitCode, fault.Stderr)
	}
	res := testenv.Run(t, bin, env, "webhook", "listen", "--addr", "127.0.0.1:0", "--register", iccid, "--type", "usage,end")
	if res.ExitCode != 5 || !strings.Contains(res.Stderr, "Registered "+iccid+" USAGE_THRESHOLD") ||
		!strings.Contains(res.Stderr, "Unregistered "+iccid+" USAGE_THRESHOLD") {
		t.Fatalf("exit %d (want 5), stderr:\n%s", res.ExitCode, res.Stderr)
	}
	if got := listWebhooksJSON(t, env, iccid); len(got) != 0 {
		t.Errorf("webhooks left after the failure: %v", got)
	}
}

// A SIM that already has a webhook of the type is refused before anything is
// registered, and its webhook is left as it was.
func TestWebhookListenRegisterRefusesExistingWebhook(t *testing.T) {
	sb := testenv.StartSandbox(t, bin, "--order-delay", "0")
	env := sandboxEnv(sb)
	iccid := orderSIMForWebhooks(t, sb)
	const theirs = "https://hooks.example.com/esim/s3cr3t"
	if res := testenv.Run(t, bin, env, "webhook", "register", iccid, "--type", "end", "--url", theirs); res.ExitCode != 0 {
		t.Fatalf("register: exit %d\n%s", res.ExitCode, res.Stderr)
	}
	res := testenv.Run(t, bin, env, "webhook", "listen", "--addr", "127.0.0.1:0", "--register", iccid)
	if res.ExitCode != 5 || !strings.Contains(res.Stderr, "already has a SUBSCRIPTION_END webhook") || strings.Contains(res.Stderr, "s3cr3t") {
		t.Fatalf("exit %d (want 5), stderr:\n%s", res.ExitCode, res.Stderr)
	}
	if got := listWebhooksJSON(t, env, iccid); len(got) != 1 || got["SUBSCRIPTION_END"] != theirs {
		t.Errorf("webhooks %v, want only theirs left", got)
	}
}

// When unregistering fails, the exit is non-zero and stderr says how to
// finish the clean-up.
func TestWebhookListenRegisterCleanupFails(t *testing.T) {
	sb := testenv.StartSandbox(t, bin, "--order-delay", "0")
	env := sandboxEnv(sb)
	iccid := orderSIMForWebhooks(t, sb)
	l := startListenerEnv(t, env, "--register", iccid, "--type", "end")
	l.waitStderr(t, "Events print on stdout")
	fault := testenv.Run(t, bin, env, "sandbox", "fault", "add", "--method", "DELETE",
		"--path", "/v1/sim/"+iccid+"/preferences", "--status", "400", "--count", "5")
	if fault.ExitCode != 0 {
		t.Fatalf("sandbox fault add: exit %d\n%s", fault.ExitCode, fault.Stderr)
	}
	if code := l.stop(t); code != 130 {
		t.Fatalf("exit %d after SIGINT with a failed clean-up, want 130; stderr:\n%s", code, l.stderr.String())
	}
	if want := "connectctl webhook unregister " + iccid + " --type end"; !strings.Contains(l.stderr.String(), want) {
		t.Errorf("stderr lacks %q:\n%s", want, l.stderr.String())
	}
	if got := listWebhooksJSON(t, env, iccid); got["SUBSCRIPTION_END"] != l.URL {
		t.Errorf("webhooks %v: the failed clean-up should have left ours", got)
	}
	// Once the API recovers, the printed command finishes the job.
	if res := testenv.Run(t, bin, env, "sandbox", "fault", "clear"); res.ExitCode != 0 {
		t.Fatalf("sandbox fault clear: exit %d\n%s", res.ExitCode, res.Stderr)
	}
	if res := testenv.Run(t, bin, env, "webhook", "unregister", iccid, "--type", "end"); res.ExitCode != 0 {
		t.Errorf("unregister: exit %d\n%s", res.ExitCode, res.Stderr)
	}
}

// When both a registration and its clean-up fail, the exit code is the
// registration's and the clean-up commands are still printed.
func TestWebhookListenRegisterFailsAndCleanupFails(t *testing.T) {
	sb := testenv.StartSandbox(t, bin, "--order-delay", "0")
	env := sandboxEnv(sb)
	iccid := orderSIMForWebhooks(t, sb)
	for _, f := range [][]string{
		{"--method", "POST", "--path", "/v1/sim/" + iccid + "/preferences/notifications/SUBSCRIPTION_END", "--status", "400"},
		{"--method", "DELETE", "--path", "/v1/sim/" + iccid + "/preferences", "--status", "403", "--count", "5"},
	} {
		if res := testenv.Run(t, bin, env, append([]string{"sandbox", "fault", "add"}, f...)...); res.ExitCode != 0 {
			t.Fatalf("sandbox fault add: exit %d\n%s", res.ExitCode, res.Stderr)
		}
	}
	res := testenv.Run(t, bin, env, "webhook", "listen", "--addr", "127.0.0.1:0", "--register", iccid)
	if want := "connectctl webhook unregister " + iccid + " --type usage"; res.ExitCode != 5 || !strings.Contains(res.Stderr, want) {
		t.Fatalf("exit %d (want 5) and stderr with %q:\n%s", res.ExitCode, want, res.Stderr)
	}
}
