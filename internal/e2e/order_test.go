package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
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
	codeLine := regexp.MustCompile(`(?m)^ACTIVATION_CODE:\s+(\S+)$`).FindStringSubmatch(res.Stdout)
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
		{"bad EID format", base("", "--eid", "1234", "--ignore-checksum"), `--eid: EID "1234"`},
		{"bad EID checksum names the override", base("", "--eid", "89049032004008882600019002594763"), "--ignore-checksum"},
		{"bad residence", base("", "--residence", "EU"), "--residence"},
		{"blank product", base("", "--product", " "), `--product " "`},
		{"unknown column", base("", "--columns", "id,colour"), `--columns: unknown column "colour"`},
		{"bad jq", base("", "--jq", ".["), "--jq"},
		{"order wait bad id", []string{"order", "wait", "123"}, `order id "123"`},
		{"order wait bad timeout", []string{"order", "wait", "8e2bfcc7-b524-492f-a89e-4a2255dafe44", "--wait-timeout", "-1s"}, "--wait-timeout"},
		{"order get without id", []string{"order", "get"}, "wants ORDER_ID"},
		{"topup without ICCID", []string{"order", "topup", "--product", europe1GB}, "wants ICCID"},
		{"topup bad ICCID", []string{"order", "topup", "12345", "--product", europe1GB}, `ICCID: ICCID "12345"`},
		{"topup wrong Luhn digit", []string{"order", "topup", "8944474600000109299", "--product", europe1GB}, "--ignore-checksum"},
		{"topup without product", []string{"order", "topup", "8944478600000205337"}, "--product is required"},
		{"topup price without currency", []string{"order", "topup", "8944478600000205337", "--product", europe1GB, "--price", "3"}, "--price and --currency go together"},
		{"topup activation date in the past", []string{"order", "topup", "8944478600000205337", "--product", europe1GB, "--activation-date", "2001-01-01T00:00:00Z"}, "--activation-date"},
		{"list bad status", []string{"order", "list", "--status", "done"}, `--status "done": want one of ACCEPTED, FULFILLING, COMPLETED, FAILED`},
		{"list bad since", []string{"order", "list", "--since", "last week"}, `--since`},
		{"list bad until", []string{"order", "list", "--until", "17.10.2024"}, `--until "17.10.2024"`},
		{"list empty range", []string{"order", "list", "--since", "2024-10-17T00:00:00Z", "--until", "2024-10-16T00:00:00Z"}, "is not before --until"},
		{"list limit 0", []string{"order", "list", "--limit", "0"}, "--limit 0"},
		{"list limit and all", []string{"order", "list", "--limit", "10", "--all"}, "--limit 10 and --all"},
		{"list extra argument", []string{"order", "list", "FAILED"}, "takes no arguments"},
		{"list unknown column", []string{"order", "list", "--columns", "iccid,eid"}, `unknown column "eid"`},
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

type orderJSON struct {
	ID            string `json:"id"`
	Status        string `json:"status"`
	OperationType string `json:"operationType"`
	CreatedDate   string `json:"createdDate"`
	Error         string `json:"error"`
	Output        *struct {
		ICCID          string `json:"iccid"`
		MatchingID     string `json:"matchingId"`
		SMDPURL        string `json:"smdpUrl"`
		LPAURL         string `json:"lpa_url"`
		SubscriptionID string `json:"subscription_id"`
	} `json:"output"`
}

// newSIM orders an eSIM with -o json --wait and returns the completed order.
func newSIM(t *testing.T, env []string, extra ...string) orderJSON {
	t.Helper()
	res := runOK(t, env, orderArgs(append([]string{"--wait", "--poll-interval", "100ms", "-o", "json"}, extra...)...)...)
	var o orderJSON
	decodeJSON(t, res.Stdout, &o)
	if o.Status != "COMPLETED" || o.Output == nil || o.Output.ICCID == "" {
		t.Fatalf("order not completed: %s", res.Stdout)
	}
	return o
}

func TestOrderJSON(t *testing.T) {
	zbar, _ := exec.LookPath("zbarimg") // the scan is proved in TestOrderNewWaitShowsScannableCode
	sb := testenv.StartSandbox(t, bin, "--order-delay", "300ms")
	env := sandboxEnv(sb)

	t.Run("without --wait: the accepted order", func(t *testing.T) {
		res := runOK(t, env, orderArgs("-o", "json")...)
		var got map[string]any
		decodeJSON(t, res.Stdout, &got)
		m := orderIDLine.FindStringSubmatch(res.Stderr)
		if len(got) != 2 || got["status"] != "ACCEPTED" || m == nil || got["id"] != m[1] {
			t.Fatalf("stdout %s stderr %s; want {id, status: ACCEPTED} with the id of stderr", res.Stdout, res.Stderr)
		}
	})
	t.Run("--jq .id gives the bare id", func(t *testing.T) {
		res := runOK(t, env, orderArgs("--jq", ".id")...)
		if id := strings.TrimSpace(res.Stdout); len(id) != 36 {
			t.Fatalf("stdout %q", res.Stdout)
		}
	})
	var done orderJSON
	t.Run("--wait --qr: JSON on stdout, QR on stderr", func(t *testing.T) {
		png := filepath.Join(t.TempDir(), "esim.png")
		res := runOK(t, env, orderArgs("--wait", "--poll-interval", "100ms", "-o", "json", "--qr", "--qr-png", png)...)
		decodeJSON(t, res.Stdout, &done)
		if done.Status != "COMPLETED" || done.OperationType != "NEW_ESIM" || done.Output == nil || done.CreatedDate == "" {
			t.Fatalf("order %s", res.Stdout)
		}
		code, err := lpa.Parse(done.Output.LPAURL)
		if err != nil || code.String() != done.Output.LPAURL || code.MatchingID != done.Output.MatchingID {
			t.Fatalf("lpa_url %q is not the canonical code (%v)", done.Output.LPAURL, err)
		}
		if strings.Contains(res.Stdout, "▀") || strings.Contains(res.Stdout, "esimsetup.apple.com") {
			t.Errorf("stdout carries more than the JSON:\n%s", res.Stdout)
		}
		for _, want := range []string{"▀", "\n" + code.String() + "\n", "IOS_INSTALL_URL: https://esimsetup.apple.com/", "QR code written to " + png} {
			if !strings.Contains(res.Stderr, want) {
				t.Errorf("stderr lacks %q:\n%s", want, res.Stderr)
			}
		}
		if zbar != "" {
			if got, err := qrtest.DecodeFile(zbar, png); err != nil || got != code.String() {
				t.Errorf("PNG decodes to %q (%v), want %q", got, err, code.String())
			}
		}
	})
	t.Run("--wait without --qr: no QR anywhere", func(t *testing.T) {
		res := runOK(t, env, orderArgs("--wait", "--poll-interval", "100ms", "-o", "json")...)
		if strings.Contains(res.Stdout+res.Stderr, "▀") {
			t.Errorf("a QR code was drawn without --qr:\n%s\n%s", res.Stdout, res.Stderr)
		}
	})
	if done.ID == "" {
		t.Fatal("no completed order to look at")
	}
	t.Run("get and wait print the same order", func(t *testing.T) {
		for _, cmd := range []string{"get", "wait"} {
			res := runOK(t, env, "order", cmd, done.ID, "-o", "json")
			var o orderJSON
			decodeJSON(t, res.Stdout, &o)
			if o.ID != done.ID || o.Status != "COMPLETED" || o.Output == nil || o.Output.LPAURL != done.Output.LPAURL {
				t.Errorf("order %s: %s", cmd, res.Stdout)
			}
		}
	})
	t.Run("get -o yaml", func(t *testing.T) {
		res := runOK(t, env, "order", "get", done.ID, "-o", "yaml")
		if !strings.Contains(res.Stdout, "id: "+done.ID) || !strings.Contains(res.Stdout, "status: COMPLETED") {
			t.Errorf("yaml:\n%s", res.Stdout)
		}
	})
	t.Run("get table shows the code and link", func(t *testing.T) {
		res := runOK(t, env, "order", "get", done.ID)
		for _, want := range []string{"ID:", done.ID, "STATUS:", "COMPLETED", "ICCID:", done.Output.ICCID,
			"ACTIVATION_CODE:", done.Output.LPAURL, "IOS_INSTALL_URL:"} {
			if !strings.Contains(res.Stdout, want) {
				t.Errorf("stdout lacks %q:\n%s", want, res.Stdout)
			}
		}
		if strings.Contains(res.Stdout, "▀") {
			t.Errorf("QR drawn in a pipe without --qr:\n%s", res.Stdout)
		}
	})
	t.Run("get --columns gives a row", func(t *testing.T) {
		res := runOK(t, env, "order", "get", done.ID, "--columns", "status,iccid", "--no-headers")
		if got := strings.TrimSpace(res.Stdout); got != "COMPLETED\n"+done.Output.ICCID {
			t.Errorf("row %q", got)
		}
	})
	t.Run("FAILED exits 7 and still prints the order", func(t *testing.T) {
		res := testenv.Run(t, bin, env, "order", "new", "--product", "SANDBOX-FAIL", "--email", "e2e@example.com",
			"--country", "PT", "--device-type", "ios", "--wait", "--poll-interval", "100ms", "-o", "json")
		var o orderJSON
		decodeJSON(t, res.Stdout, &o)
		if res.ExitCode != 7 || o.Status != "FAILED" || o.Error == "" || !strings.Contains(res.Stderr, "FAILED") {
			t.Fatalf("exit %d stdout %s stderr %s", res.ExitCode, res.Stdout, res.Stderr)
		}
		// order get of a FAILED order is a success: the order is shown.
		res = runOK(t, env, "order", "get", o.ID, "-o", "json")
		decodeJSON(t, res.Stdout, &o)
		if o.Status != "FAILED" {
			t.Errorf("order get: %s", res.Stdout)
		}
		// order wait of it is not.
		res = testenv.Run(t, bin, env, "order", "wait", o.ID, "-o", "json")
		if res.ExitCode != 7 {
			t.Errorf("order wait of a FAILED order: exit %d", res.ExitCode)
		}
	})
	t.Run("timeout exits 8 with the order as it stands on stdout", func(t *testing.T) {
		res := testenv.Run(t, bin, env, orderArgs("--wait", "--wait-timeout", "150ms", "--poll-interval", "100ms", "-o", "json")...)
		if res.ExitCode != 8 || !strings.Contains(res.Stderr, "connectctl order wait") || !strings.Contains(res.Stderr, `"exit_code":8`) {
			t.Fatalf("exit %d stdout %q stderr %s", res.ExitCode, res.Stdout, res.Stderr)
		}
		var o struct{ ID, Status string }
		decodeJSON(t, res.Stdout, &o)
		if o.ID == "" || o.Status == "" {
			t.Fatalf("stdout lacks the order's id and status: %q", res.Stdout)
		}
	})
	t.Run("unknown order exits 4 with a JSON error", func(t *testing.T) {
		res := testenv.Run(t, bin, env, "order", "get", "7f1c2a3e-0000-4000-8000-000000000000", "-o", "json")
		if res.ExitCode != 4 || res.Stdout != "" || !strings.Contains(res.Stderr, `"status":404`) {
			t.Fatalf("exit %d stdout %q stderr %s", res.ExitCode, res.Stdout, res.Stderr)
		}
		res = testenv.Run(t, bin, env, "order", "wait", "7f1c2a3e-0000-4000-8000-000000000000")
		if res.ExitCode != 4 {
			t.Fatalf("order wait: exit %d stderr %s", res.ExitCode, res.Stderr)
		}
	})
}

func TestOrderTopUp(t *testing.T) {
	sb := testenv.StartSandbox(t, bin, "--order-delay", "300ms")
	env := sandboxEnv(sb)
	sim := newSIM(t, env)
	iccid := sim.Output.ICCID

	t.Run("table", func(t *testing.T) {
		res := runOK(t, env, "order", "topup", iccid, "--product", europe1GB, "--wait", "--poll-interval", "100ms")
		if orderIDLine.FindString(res.Stderr) == "" {
			t.Errorf("no order id on stderr: %s", res.Stderr)
		}
		for _, want := range []string{"STATUS:", "COMPLETED", "OPERATION_TYPE:", "TOPUP", "ICCID:", iccid, "SUBSCRIPTION_ID:"} {
			if !strings.Contains(res.Stdout, want) {
				t.Errorf("stdout lacks %q:\n%s", want, res.Stdout)
			}
		}
		if strings.Contains(res.Stdout, "ACTIVATION_CODE") || strings.Contains(res.Stdout, "▀") {
			t.Errorf("a top-up has no activation code:\n%s", res.Stdout)
		}
	})
	t.Run("json, two plans, price and activation date", func(t *testing.T) {
		activation := time.Now().Add(48 * time.Hour).UTC().Format(time.RFC3339)
		res := runOK(t, env, "order", "topup", iccid, "--product", europe1GB, "--product", "brXJ4UXLbZiiqGph6636YVI-lbQIo5wu5_5-1xzPmkk=",
			"--price", "5", "--currency", "eur", "--activation-date", activation, "--wait", "--poll-interval", "100ms", "-o", "json")
		var o orderJSON
		decodeJSON(t, res.Stdout, &o)
		if o.Status != "COMPLETED" || o.OperationType != "TOPUP" || o.Output == nil || o.Output.ICCID != iccid ||
			o.Output.SubscriptionID == "" || o.Output.MatchingID != "" || o.Output.LPAURL != "" {
			t.Fatalf("top-up %s", res.Stdout)
		}
	})
	t.Run("without --wait", func(t *testing.T) {
		res := runOK(t, env, "order", "topup", iccid, "--product", europe1GB)
		m := orderIDLine.FindStringSubmatch(res.Stderr)
		if m == nil || strings.TrimSpace(res.Stdout) != m[1] {
			t.Fatalf("stdout %q stderr %q", res.Stdout, res.Stderr)
		}
	})
	t.Run("FAILED exits 7", func(t *testing.T) {
		res := testenv.Run(t, bin, env, "order", "topup", iccid, "--product", "SANDBOX-FAIL", "--wait", "--poll-interval", "100ms")
		if res.ExitCode != 7 || !strings.Contains(res.Stdout, "FAILED") {
			t.Fatalf("exit %d stdout %s stderr %s", res.ExitCode, res.Stdout, res.Stderr)
		}
	})
	t.Run("timeout exits 8", func(t *testing.T) {
		res := testenv.Run(t, bin, env, "order", "topup", iccid, "--product", europe1GB, "--wait", "--wait-timeout", "150ms", "--poll-interval", "100ms")
		if res.ExitCode != 8 || !strings.Contains(res.Stderr, "connectctl order wait") {
			t.Fatalf("exit %d stderr %s", res.ExitCode, res.Stderr)
		}
	})
	t.Run("unknown SIM: the API refuses, exit 5", func(t *testing.T) {
		res := testenv.Run(t, bin, env, "order", "topup", "8944478600000205337", "--product", europe1GB)
		if res.ExitCode != 5 || !strings.Contains(res.Stderr, "INVALID_FIELD_VALUE") {
			t.Fatalf("exit %d stderr %s", res.ExitCode, res.Stderr)
		}
	})
	t.Run("wrong Luhn digit goes out with --ignore-checksum", func(t *testing.T) {
		before := sb.Stats(t).Requests["POST /v1/order"]
		res := testenv.Run(t, bin, env, "order", "topup", "8944474600000109299", "--product", europe1GB, "--ignore-checksum")
		if !strings.Contains(res.Stderr, "sending it anyway") || sb.Stats(t).Requests["POST /v1/order"] != before+1 {
			t.Fatalf("exit %d stderr %s", res.ExitCode, res.Stderr)
		}
	})
}

func TestOrderList(t *testing.T) {
	sb := testenv.StartSandbox(t, bin, "--order-delay", "0")
	env := sandboxEnv(sb)
	start := time.Now().Add(-time.Minute).UTC().Format(time.RFC3339)
	// 41 orders: more than one page of 40, and more than the default limit.
	const n = 41
	var wg sync.WaitGroup
	errs := make(chan string, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			product := europe1GB
			if i%10 == 3 {
				product = "SANDBOX-FAIL"
			}
			res := testenv.Run(t, bin, env, "order", "new", "--product", product, "--email", "list@example.com",
				"--country", "PT", "--device-type", "android")
			if res.ExitCode != 0 {
				errs <- res.Stderr
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Fatalf("order new: %s", e)
	}

	t.Run("table, default limit 30", func(t *testing.T) {
		res := runOK(t, env, "order", "list")
		lines := strings.Split(strings.TrimSpace(res.Stdout), "\n")
		if lines[0] != "ID\tSTATUS\tICCID\tCREATED_DATE" || len(lines) != 31 {
			t.Fatalf("%d lines, header %q", len(lines), lines[0])
		}
		f := strings.Split(lines[1], "\t")
		if len(f) != 4 || len(f[0]) != 36 || f[1] != "COMPLETED" || !strings.HasPrefix(f[2], "89") {
			t.Errorf("row %q", lines[1])
		}
		if _, err := time.Parse(time.RFC3339, f[3]); err != nil {
			t.Errorf("CREATED %q: %v", f[3], err)
		}
	})
	t.Run("--all -o json lists every page", func(t *testing.T) {
		res := runOK(t, env, "order", "list", "--all", "-o", "json")
		var orders []orderJSON
		decodeJSON(t, res.Stdout, &orders)
		if len(orders) != n {
			t.Fatalf("%d orders, want %d", len(orders), n)
		}
		seen := map[string]bool{}
		for _, o := range orders {
			if seen[o.ID] || o.OperationType != "NEW_ESIM" {
				t.Errorf("order %+v repeated or of the wrong type", o)
			}
			seen[o.ID] = true
		}
	})
	t.Run("--all -o ndjson", func(t *testing.T) {
		res := runOK(t, env, "order", "list", "--all", "-o", "ndjson")
		lines := strings.Split(strings.TrimSpace(res.Stdout), "\n")
		if len(lines) != n {
			t.Fatalf("%d lines, want %d", len(lines), n)
		}
		for _, l := range lines {
			var o orderJSON
			decodeJSON(t, l, &o)
		}
	})
	t.Run("--limit", func(t *testing.T) {
		res := runOK(t, env, "order", "list", "-L", "5", "--jq", "length")
		if strings.TrimSpace(res.Stdout) != "5" {
			t.Fatalf("length %q", res.Stdout)
		}
	})
	t.Run("--status any case", func(t *testing.T) {
		res := runOK(t, env, "order", "list", "--status", "failed", "--all", "-o", "json")
		var orders []orderJSON
		decodeJSON(t, res.Stdout, &orders)
		if len(orders) != 4 {
			t.Fatalf("%d FAILED orders, want 4", len(orders))
		}
		for _, o := range orders {
			if o.Status != "FAILED" || o.Error == "" {
				t.Errorf("order %+v", o)
			}
		}
	})
	t.Run("--since and --until", func(t *testing.T) {
		for _, since := range [][]string{{"--since", "15m"}, {"--since", start}, {"--after", "1d"},
			{"--since", time.Now().Format(time.DateOnly)}} {
			res := runOK(t, env, append([]string{"order", "list", "--all", "--jq", "length"}, since...)...)
			if strings.TrimSpace(res.Stdout) != "41" {
				t.Errorf("%v: %s", since, res.Stdout)
			}
		}
		res := runOK(t, env, "order", "list", "--until", start, "-o", "json")
		if strings.TrimSpace(res.Stdout) != "[]" {
			t.Errorf("--until before every order: %q", res.Stdout)
		}
		res = runOK(t, env, "order", "list", "--until", start)
		if strings.TrimSpace(res.Stdout) != "ID\tSTATUS\tICCID\tCREATED_DATE" {
			t.Errorf("an empty table in a pipe is its header: %q", res.Stdout)
		}
	})
	t.Run("wide columns", func(t *testing.T) {
		res := runOK(t, env, "order", "list", "-L", "1", "--columns", "id,type,subscription")
		lines := strings.Split(strings.TrimSpace(res.Stdout), "\n")
		if len(lines) != 2 || lines[0] != "ID\tOPERATION_TYPE\tSUBSCRIPTION_IDS" || !strings.Contains(lines[1], "\tNEW_ESIM\t") {
			t.Fatalf("table:\n%s", res.Stdout)
		}
	})
}

// Profile defaults stand in for --country and --device-type.
func TestOrderNewProfileDefaults(t *testing.T) {
	sb := testenv.StartSandbox(t, bin)
	env := append(sandboxEnv(sb), "XDG_CONFIG_HOME="+t.TempDir())
	args := []string{"order", "new", "--product", europe1GB, "--email", "e2e@example.com", "-o", "json"}
	res := testenv.Run(t, bin, env, args...)
	if res.ExitCode != 2 || !strings.Contains(res.Stderr, "--country is required") {
		t.Fatalf("without defaults: exit %d stderr %s", res.ExitCode, res.Stderr)
	}
	runOK(t, env, "profile", "set", "defaults.country", "pt")
	res = testenv.Run(t, bin, env, args...)
	if res.ExitCode != 2 || !strings.Contains(res.Stderr, "--device-type is required") {
		t.Fatalf("without a device type and no terminal: exit %d stderr %s", res.ExitCode, res.Stderr)
	}
	if st := sb.Stats(t); st.TokenRequests != 0 || st.APIRequests() != 0 {
		t.Fatalf("missing input reached the sandbox: %v", st.Requests)
	}
	runOK(t, env, "profile", "set", "defaults.device-type", "iot")
	res = runOK(t, env, args...)
	var o orderJSON
	decodeJSON(t, res.Stdout, &o)
	if o.Status != "ACCEPTED" {
		t.Fatalf("order %s", res.Stdout)
	}
}

// order list shows the newest orders first, stops at --limit (30 by
// default) with the note every list gives, and --all shows them all.
func TestOrderListNewestFirst(t *testing.T) {
	sb := testenv.StartSandbox(t, bin, "--order-delay", "1h")
	env := sandboxEnv(sb)
	var ids []string // oldest first
	for i := 0; i < 35; i++ {
		res := testenv.Run(t, bin, env, orderArgs()...)
		if res.ExitCode != 0 {
			t.Fatalf("order %d: exit %d\n%s", i, res.ExitCode, res.Stderr)
		}
		ids = append(ids, strings.TrimSpace(res.Stdout))
	}
	listed := func(res testenv.Result) []string {
		t.Helper()
		if res.ExitCode != 0 {
			t.Fatalf("order list: exit %d\n%s", res.ExitCode, res.Stderr)
		}
		return strings.Fields(res.Stdout)
	}
	res := testenv.Run(t, bin, env, "order", "list", "-o", "json", "--jq", ".[].id")
	got := listed(res)
	if len(got) != 30 || got[0] != ids[34] || got[29] != ids[5] {
		t.Fatalf("default list: %d orders, first %v, want the 30 newest, newest first (%s ... %s)", len(got), got[:min(2, len(got))], ids[34], ids[5])
	}
	if !strings.Contains(res.Stderr, "Showing the first 30 orders; there are more: use --limit N or --all.") {
		t.Errorf("no truncation note on stderr: %q", res.Stderr)
	}
	if got := listed(testenv.Run(t, bin, env, "order", "list", "--limit", "3", "-o", "json", "--jq", ".[].id")); strings.Join(got, " ") != strings.Join([]string{ids[34], ids[33], ids[32]}, " ") {
		t.Errorf("--limit 3: %v", got)
	}
	res = testenv.Run(t, bin, env, "order", "list", "--all", "-o", "json", "--jq", ".[].id")
	if got := listed(res); len(got) != 35 || got[34] != ids[0] || strings.Contains(res.Stderr, "there are more") {
		t.Errorf("--all: %d orders, stderr %q", len(got), res.Stderr)
	}
}

// A multi-plan order carries every subscription: in -o json (subscription_id
// stays the first) and in the human block.
func TestMultiPlanOrderShowsEverySubscription(t *testing.T) {
	sb := testenv.StartSandbox(t, bin, "--order-delay", "100ms")
	h := newHome(t) // one journal for every run of this test
	env := h.env(sandboxEnv(sb)...)
	const europe5GB = "brXJ4UXLbZiiqGph6636YVI-lbQIo5wu5_5-1xzPmkk="
	res := testenv.Run(t, bin, env, orderArgs("--product", europe5GB, "--wait", "--poll-interval", "100ms", "-o", "json")...)
	if res.ExitCode != 0 {
		t.Fatalf("exit %d\n%s", res.ExitCode, res.Stderr)
	}
	var o struct {
		ID     string `json:"id"`
		Output struct {
			SubscriptionID  string   `json:"subscription_id"`
			SubscriptionIDs []string `json:"subscription_ids"`
		} `json:"output"`
	}
	decodeJSON(t, res.Stdout, &o)
	ids := o.Output.SubscriptionIDs
	if len(ids) != 2 || ids[0] == ids[1] || o.Output.SubscriptionID != ids[0] {
		t.Fatalf("output %+v: want two subscription_ids, subscription_id the first", o.Output)
	}
	get := testenv.Run(t, bin, env, "order", "get", o.ID)
	if get.ExitCode != 0 || !regexp.MustCompile(`SUBSCRIPTION_IDS:\s+`+regexp.QuoteMeta(ids[0]+", "+ids[1])+"\n").MatchString(get.Stdout) {
		t.Errorf("order get: exit %d, want both subscriptions:\n%s%s", get.ExitCode, get.Stdout, get.Stderr)
	}
	list := testenv.Run(t, bin, env, "order", "list", "--columns", "id,subscription")
	if !strings.Contains(list.Stdout, ids[0]+","+ids[1]) {
		t.Errorf("order list --columns subscription: %q", list.Stdout)
	}

	// The journal keeps them too, for a single order and for a bulk row.
	csv := filepath.Join(h.dir, "orders.csv")
	if err := os.WriteFile(csv, []byte("product,email,country,device-type\n"+europe1GB+" "+europe5GB+",bulk@example.com,PT,ios\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if res := testenv.Run(t, bin, env, "order", "new", "--from-file", csv, "--wait", "--poll-interval", "100ms"); res.ExitCode != 0 {
		t.Fatalf("bulk: exit %d\n%s", res.ExitCode, res.Stderr)
	}
	hist := testenv.Run(t, bin, env, "order", "history", "-o", "json")
	var attempts []struct {
		OrderID         string   `json:"order_id"`
		Email           string   `json:"email"`
		SubscriptionIDs []string `json:"subscription_ids"`
	}
	decodeJSON(t, hist.Stdout, &attempts)
	if len(attempts) != 2 {
		t.Fatalf("history: %d attempts, want 2\n%s", len(attempts), hist.Stdout)
	}
	for _, a := range attempts {
		if len(a.SubscriptionIDs) != 2 || a.SubscriptionIDs[0] == a.SubscriptionIDs[1] {
			t.Errorf("journal of %s (%s): subscription_ids %v, want both", a.OrderID, a.Email, a.SubscriptionIDs)
		}
		if a.OrderID == o.ID && strings.Join(a.SubscriptionIDs, ",") != strings.Join(ids, ",") {
			t.Errorf("journal of %s: %v, want %v", a.OrderID, a.SubscriptionIDs, ids)
		}
	}
	wide := testenv.Run(t, bin, env, "order", "history", "--columns", "order,subscription_ids")
	if !strings.Contains(wide.Stdout, o.ID+"\t"+ids[0]+","+ids[1]) {
		t.Errorf("history --columns order,subscription_ids:\n%s", wide.Stdout)
	}
}

// --wait-timeout with -o json: the order as it stands on stdout (a script
// keeps the id), the error object on stderr, exit 8.
func TestOrderWaitTimeoutJSON(t *testing.T) {
	sb := testenv.StartSandbox(t, bin, "--order-delay", "1h")
	res := testenv.Run(t, bin, sandboxEnv(sb), orderArgs("--wait", "--wait-timeout", "300ms", "--poll-interval", "100ms", "-o", "json")...)
	if res.ExitCode != 8 {
		t.Fatalf("exit %d, want 8\n%s", res.ExitCode, res.Stderr)
	}
	var o struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	}
	decodeJSON(t, res.Stdout, &o)
	if len(o.ID) != 36 || (o.Status != "ACCEPTED" && o.Status != "FULFILLING") {
		t.Fatalf("stdout order %+v", o)
	}
	lines := strings.Split(strings.TrimSpace(res.Stderr), "\n")
	var e struct {
		Error struct {
			Messages []string `json:"messages"`
			ExitCode int      `json:"exit_code"`
		} `json:"error"`
	}
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &e); err != nil || e.Error.ExitCode != 8 ||
		len(e.Error.Messages) == 0 || !strings.Contains(e.Error.Messages[0], "connectctl order wait "+o.ID) {
		t.Fatalf("stderr's last line is not the error object naming the order (%v):\n%s", err, res.Stderr)
	}
}

// --qr-png into a folder that is missing or cannot be written is refused
// before anything is sent (exit 2), not after the order is placed.
func TestOrderNewQRPNGFolderCheckedFirst(t *testing.T) {
	sb := testenv.StartSandbox(t, bin, "--order-delay", "100ms")
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ path, want string }{
		{filepath.Join(t.TempDir(), "missing", "esim.png"), "does not exist"},
		{filepath.Join(file, "esim.png"), "is not a folder"},
		{t.TempDir(), "is a folder"},
	}
	if os.Geteuid() != 0 { // root writes in read-only folders
		ro := t.TempDir()
		if err := os.Chmod(ro, 0o555); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = os.Chmod(ro, 0o755) })
		cases = append(cases, struct{ path, want string }{filepath.Join(ro, "esim.png"), "cannot write in folder " + ro})
	} else {
		t.Log("running as root: the read-only folder case is left out")
	}
	for _, tc := range cases {
		res := testenv.Run(t, bin, sandboxEnv(sb), orderArgs("--wait", "--qr-png", tc.path)...)
		if res.ExitCode != 2 || !strings.Contains(res.Stderr, tc.want) || strings.Contains(res.Stderr, ".tmp") {
			t.Errorf("--qr-png %s: exit %d, stderr %q; want exit 2 and %q", tc.path, res.ExitCode, res.Stderr, tc.want)
		}
	}
	if st := sb.Stats(t); st.APIRequests() != 0 {
		t.Fatalf("a refused --qr-png reached the API: %v", st.Requests)
	}
}

// A step that fails after the order is placed (here the PNG's folder went
// away while waiting) names the order and exits 9: the order exists, and a
// script must not order again (issue 11 item 5).
func TestOrderNewFailureAfterPlacingExits9(t *testing.T) {
	sb := testenv.StartSandbox(t, bin, "--order-delay", "1500ms")
	dir := filepath.Join(t.TempDir(), "qr")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, orderArgs("--wait", "--poll-interval", "100ms", "--qr-png", filepath.Join(dir, "esim.png"))...)
	cmd.Env = append(testenv.CleanEnv(t), sandboxEnv(sb)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	// Once the order is placed (its id on stderr), take the folder away.
	deadline := time.Now().Add(20 * time.Second)
	for sb.Stats(t).Orders == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	var err error
	select {
	case err = <-done:
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("order new --wait did not end")
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 9 {
		t.Fatalf("exit %v, want 9\nstderr:\n%s", err, stderr.String())
	}
	m := regexp.MustCompile(`Order ([0-9a-f-]{36}) accepted`).FindStringSubmatch(stderr.String())
	if m == nil || !strings.Contains(stderr.String(), "connectctl order get "+m[1]) || !strings.Contains(stderr.String(), "--qr-png") {
		t.Errorf("stderr does not name the order and how to see it again:\n%s", stderr.String())
	}
}

// Ctrl-C while a call waits for its answer: exit 130, said in words, and
// the JSON error object gives the same exit code as the process.
func TestInterruptedCallSaysSoAndExits130(t *testing.T) {
	sb := testenv.StartSandbox(t, bin, "--order-delay", "0")
	env := sandboxEnv(sb)
	if res := testenv.Run(t, bin, env, "sandbox", "fault", "add", "--path", "/v1/products", "--delay", "5m"); res.ExitCode != 0 {
		t.Fatalf("sandbox fault add: exit %d\n%s", res.ExitCode, res.Stderr)
	}
	cmd := exec.Command(bin, "products", "list", "-o", "json")
	cmd.Env = append(testenv.CleanEnv(t), env...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	// The fault is taken when the request arrives: then it is in flight.
	deadline := time.Now().Add(20 * time.Second)
	for {
		if res := testenv.Run(t, bin, env, "sandbox", "fault", "list", "-o", "json"); strings.TrimSpace(res.Stdout) == "[]" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the request never reached the sandbox")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	out := stderr.String()
	if code := cmd.ProcessState.ExitCode(); code != 130 {
		t.Errorf("exit %d, want 130", code)
	}
	if !strings.Contains(out, "interrupted before the answer came") || strings.Contains(out, "context canceled") ||
		!strings.Contains(out, `"exit_code":130`) {
		t.Errorf("stderr:\n%s", out)
	}
}
