package e2e

import (
	"bufio"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/connectctl/connectctl/internal/lpa"
	"github.com/connectctl/connectctl/internal/qr/qrtest"
	"github.com/connectctl/connectctl/internal/testenv"
)

// europe1GB is a product of the sandbox's seeded catalogue.
const europe1GB = "qJ+qU2v/9vFgX3rpyPlEV1CihTo96AWUmsQTIZEn/jI="

var orderIDLine = regexp.MustCompile(`Order ([0-9a-f-]{36}) accepted`)

func sandboxEnv(sb *testenv.Sandbox) []string {
	return []string{"CONNECTCTL_BASE_URL=" + sb.URL, "CONNECTCTL_TOKEN_URL=" + sb.TokenURL()}
}

func orderArgs(extra ...string) []string {
	return append([]string{"order", "new", "--product", europe1GB, "--email", "e2e@example.com",
		"--country", "PT", "--device-type", "ios"}, extra...)
}

func TestOrderNewWaitShowsScannableCode(t *testing.T) {
	zbar := qrtest.Zbarimg(t)
	sb := testenv.StartSandbox(t, bin, "--order-delay", "500ms")
	png := filepath.Join(t.TempDir(), "esim.png")
	res := testenv.Run(t, bin, sandboxEnv(sb), orderArgs("--wait", "--poll-interval", "100ms", "--qr", "--qr-png", png)...)
	if res.ExitCode != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", res.ExitCode, res.Stdout, res.Stderr)
	}
	m := orderIDLine.FindStringSubmatch(res.Stderr)
	if m == nil {
		t.Fatalf("stderr does not give the order id: %s", res.Stderr)
	}
	codeLine := regexp.MustCompile(`(?m)^Activation code:\s+(\S+)$`).FindStringSubmatch(res.Stdout)
	if codeLine == nil {
		t.Fatalf("no activation code in:\n%s", res.Stdout)
	}
	code, err := lpa.Parse(codeLine[1])
	if err != nil || code.String() != codeLine[1] || code.SMDP != "rsp.truphone.com" {
		t.Fatalf("activation code %q is not canonical SGP.22: %v", codeLine[1], err)
	}
	if !strings.Contains(res.Stdout, "https://esimsetup.apple.com/esim_qrcode_provisioning?carddata=LPA%3A1%24rsp.truphone.com%24") {
		t.Errorf("no iPhone install link in:\n%s", res.Stdout)
	}
	// The PNG scans to exactly the code.
	got, err := qrtest.DecodeFile(zbar, png)
	if err != nil || got != code.String() {
		t.Fatalf("PNG decodes to %q (%v), want %q", got, err, code.String())
	}
	// So does the terminal rendering, turned back into an image.
	_, rest, _ := strings.Cut(res.Stdout, "\n\n")
	lines := strings.Split(strings.TrimRight(rest, "\n"), "\n")
	if len(lines) < 10 || lines[len(lines)-1] != code.String() {
		t.Fatalf("QR block not followed by the code as text:\n%s", rest)
	}
	img, err := qrtest.TerminalToImage(strings.Join(lines[:len(lines)-1], "\n") + "\n")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := qrtest.Decode(t, zbar, img, "terminal"); err != nil || got != code.String() {
		t.Fatalf("terminal QR decodes to %q (%v), want %q", got, err, code.String())
	}
}

func TestOrderExitCodes(t *testing.T) {
	sb := testenv.StartSandbox(t, bin, "--order-delay", "300ms")
	env := sandboxEnv(sb)
	t.Run("no wait prints the id on stdout", func(t *testing.T) {
		res := testenv.Run(t, bin, env, orderArgs()...)
		m := orderIDLine.FindStringSubmatch(res.Stderr)
		if res.ExitCode != 0 || m == nil || strings.TrimSpace(res.Stdout) != m[1] {
			t.Fatalf("exit %d stdout %q stderr %q", res.ExitCode, res.Stdout, res.Stderr)
		}
	})
	t.Run("FAILED exits 7", func(t *testing.T) {
		res := testenv.Run(t, bin, env, "order", "new", "--product", "SANDBOX-FAIL", "--email", "e2e@example.com",
			"--country", "PT", "--device-type", "android", "--wait", "--poll-interval", "100ms")
		if res.ExitCode != 7 || !strings.Contains(res.Stderr, "FAILED") || orderIDLine.FindString(res.Stderr) == "" {
			t.Fatalf("exit %d stderr %s", res.ExitCode, res.Stderr)
		}
	})
	t.Run("FAILED trigger by e-mail", func(t *testing.T) {
		res := testenv.Run(t, bin, env, "order", "new", "--product", europe1GB, "--email", "ops+fail@example.com",
			"--country", "PT", "--device-type", "iot", "--wait", "--poll-interval", "100ms")
		if res.ExitCode != 7 {
			t.Fatalf("exit %d stderr %s", res.ExitCode, res.Stderr)
		}
	})
	t.Run("still pending at the timeout exits 8 with the way to resume", func(t *testing.T) {
		res := testenv.Run(t, bin, env, orderArgs("--wait", "--wait-timeout", "150ms", "--poll-interval", "100ms")...)
		m := orderIDLine.FindStringSubmatch(res.Stderr)
		if res.ExitCode != 8 || m == nil || !strings.Contains(res.Stderr, "connectctl order wait "+m[1]) {
			t.Fatalf("exit %d stderr %s", res.ExitCode, res.Stderr)
		}
		// Resuming finishes the job.
		res = testenv.Run(t, bin, env, "order", "wait", m[1], "--poll-interval", "100ms")
		if res.ExitCode != 0 || !strings.Contains(res.Stdout, "COMPLETED") {
			t.Fatalf("order wait: exit %d\n%s%s", res.ExitCode, res.Stdout, res.Stderr)
		}
	})
	t.Run("unknown order exits 4", func(t *testing.T) {
		res := testenv.Run(t, bin, env, "order", "get", "7f1c2a3e-0000-4000-8000-000000000000")
		if res.ExitCode != 4 || !strings.Contains(res.Stderr, "404") {
			t.Fatalf("exit %d stderr %s", res.ExitCode, res.Stderr)
		}
	})
	t.Run("wrong secret exits 3", func(t *testing.T) {
		res := testenv.Run(t, bin, append(env, "CONNECTCTL_CLIENT_SECRET=wrong"), orderArgs()...)
		if res.ExitCode != 3 || !strings.Contains(res.Stderr, "unauthorized_client") {
			t.Fatalf("exit %d stderr %s", res.ExitCode, res.Stderr)
		}
		if strings.Contains(res.Stderr, "wrong") {
			t.Errorf("the secret leaked into the error: %s", res.Stderr)
		}
	})
	t.Run("5xx on POST exits 6 with outcome unknown", func(t *testing.T) {
		sb.Admin(t, "POST", "/_sandbox/faults", map[string]any{"method": "POST", "path": "/v1/order", "status": 502, "after": true, "count": 1}, nil)
		res := testenv.Run(t, bin, env, orderArgs("--correlation-id", "e2e-unknown-7")...)
		if res.ExitCode != 6 || !strings.Contains(res.Stderr, "e2e-unknown-7") || !strings.Contains(res.Stderr, "may or may not") {
			t.Fatalf("exit %d stderr %s", res.ExitCode, res.Stderr)
		}
	})
}

// Bad input is refused with exit 2 before anything reaches the API.
func TestOrderNewBadInputSendsNothing(t *testing.T) {
	sb := testenv.StartSandbox(t, bin)
	env := sandboxEnv(sb)
	base := func(drop string, extra ...string) []string {
		flags := map[string]string{"--product": europe1GB, "--email": "e2e@example.com", "--country": "PT", "--device-type": "ios"}
		args := []string{"order", "new"}
		for _, k := range []string{"--product", "--email", "--country", "--device-type"} {
			if k != drop {
				args = append(args, k, flags[k])
			}
		}
		return append(args, extra...)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no product", base("--product"), "--product is required"},
		{"no email", base("--email"), "--email is required"},
		{"bad email", base("", "--email", "not-an-email"), "--email"},
		{"no country", base("--country"), "--country is required"},
		{"UK is not a code", base("--country", "--country", "UK"), "use GB"},
		{"no device type", base("--device-type"), "--device-type is required"},
		{"bad device type", base("--device-type", "--device-type", "phone"), "--device-type"},
		{"bad EID checksum", base("", "--eid", "89049032004008882600019002594763"), "--eid"},
		{"price without currency", base("", "--price", "10"), "--price and --currency go together"},
		{"currency without price", base("", "--currency", "EUR"), "--price and --currency go together"},
		{"too precise for JPY", base("", "--price", "10.5", "--currency", "JPY"), "JPY"},
		{"too precise for BHD", base("", "--price", "12.345", "--currency", "BHD"), "BHD"},
		{"unsupported currency", base("", "--price", "10", "--currency", "XYZ"), "XYZ"},
		{"activation date in the past", base("", "--activation-date", "2020-01-01T00:00:00Z"), "--activation-date"},
		{"activation date not RFC 3339", base("", "--activation-date", "tomorrow"), "--activation-date"},
		{"bad order id", []string{"order", "get", "not-a-uuid"}, "want a UUID"},
		{"unknown flag", base("", "--colour"), "unknown flag"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := testenv.Run(t, bin, env, tt.args...)
			if res.ExitCode != 2 || !strings.Contains(res.Stderr, tt.want) {
				t.Fatalf("exit %d, stderr %q; want exit 2 mentioning %q", res.ExitCode, res.Stderr, tt.want)
			}
		})
	}
	st := sb.Stats(t)
	if st.TokenRequests != 0 || st.APIRequests() != 0 {
		t.Fatalf("bad input reached the sandbox: %d token requests, %v", st.TokenRequests, st.Requests)
	}
}

// Ctrl-C while waiting: the order id is printed and the exit code is 130.
func TestOrderNewWaitInterrupted(t *testing.T) {
	sb := testenv.StartSandbox(t, bin, "--order-delay", "1h")
	cmd := exec.Command(bin, orderArgs("--wait", "--poll-interval", "100ms")...)
	cmd.Env = append(testenv.CleanEnv(t), sandboxEnv(sb)...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stderr)
	var id string
	var all strings.Builder
	for sc.Scan() {
		all.WriteString(sc.Text() + "\n")
		if m := orderIDLine.FindStringSubmatch(sc.Text()); m != nil {
			id = m[1]
			break
		}
	}
	if id == "" {
		_ = cmd.Process.Kill()
		t.Fatalf("no order id before waiting: %s", all.String())
	}
	time.Sleep(300 * time.Millisecond)
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	for sc.Scan() {
		all.WriteString(sc.Text() + "\n")
	}
	err = cmd.Wait()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	}
	if code != 130 || !strings.Contains(all.String(), "connectctl order wait "+id) {
		t.Fatalf("exit %d, stderr:\n%s", code, all.String())
	}
}
