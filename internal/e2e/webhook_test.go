package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/connectctl/connectctl/internal/testenv"
)

// orderSIMForWebhooks orders an eSIM with europe1GB (1 GiB) and returns its ICCID.
func orderSIMForWebhooks(t *testing.T, sb *testenv.Sandbox) string {
	t.Helper()
	res := testenv.Run(t, bin, sandboxEnv(sb), orderArgs("--wait", "--poll-interval", "100ms")...)
	m := regexp.MustCompile(`(?m)^ICCID:\s+(89[0-9]+)$`).FindStringSubmatch(res.Stdout)
	if res.ExitCode != 0 || m == nil {
		t.Fatalf("order new: exit %d\nstdout:\n%s\nstderr:\n%s", res.ExitCode, res.Stdout, res.Stderr)
	}
	return m[1]
}

type webhookPrefs struct {
	Notifications []struct {
		Type       string `json:"type"`
		WebhookURL string `json:"webhook_url"`
	} `json:"notifications"`
}

func listWebhooksJSON(t *testing.T, env []string, iccid string) map[string]string {
	t.Helper()
	res := testenv.Run(t, bin, env, "webhook", "list", iccid, "-o", "json")
	if res.ExitCode != 0 {
		t.Fatalf("webhook list -o json: exit %d\n%s", res.ExitCode, res.Stderr)
	}
	var p webhookPrefs
	if err := json.Unmarshal([]byte(res.Stdout), &p); err != nil || p.Notifications == nil {
		t.Fatalf("webhook list -o json printed %q: %v (want {\"notifications\": [...]})", res.Stdout, err)
	}
	out := map[string]string{}
	for _, n := range p.Notifications {
		out[n.Type] = n.WebhookURL
	}
	return out
}

func TestWebhookRegisterListUnregister(t *testing.T) {
	sb := testenv.StartSandbox(t, bin, "--order-delay", "0")
	env := sandboxEnv(sb)
	iccid := orderSIMForWebhooks(t, sb)
	run := func(args ...string) testenv.Result {
		t.Helper()
		res := testenv.Run(t, bin, env, args...)
		if res.ExitCode != 0 {
			t.Fatalf("%v: exit %d\nstdout:\n%s\nstderr:\n%s", args, res.ExitCode, res.Stdout, res.Stderr)
		}
		return res
	}

	// Nothing registered yet: a header alone, and an empty list in JSON.
	if res := run("webhook", "list", iccid); res.Stdout != "TYPE\tWEBHOOK_URL\n" {
		t.Errorf("empty table %q", res.Stdout)
	}
	if got := listWebhooksJSON(t, env, iccid); len(got) != 0 {
		t.Errorf("empty list: %v", got)
	}

	const usageURL, endURL = "https://hooks.example.com/esim/usage?token=s3cr3t", "http://127.0.0.1:8787/end"
	res := run("webhook", "register", iccid, "--type", "usage", "--url", usageURL)
	if res.Stdout != "" || !strings.Contains(res.Stderr, "USAGE_THRESHOLD") {
		t.Errorf("register: stdout %q stderr %q", res.Stdout, res.Stderr)
	}
	// The API's names work in any case, the documents' misspelling too; -o json prints what was registered.
	res = run("webhook", "register", iccid, "--type", "subscritpion_end", "--url", endURL, "-o", "json")
	var reg struct {
		ICCID      string `json:"iccid"`
		Type       string `json:"type"`
		WebhookURL string `json:"webhook_url"`
	}
	if err := json.Unmarshal([]byte(res.Stdout), &reg); err != nil ||
		reg.ICCID != iccid || reg.Type != "SUBSCRIPTION_END" || reg.WebhookURL != endURL {
		t.Errorf("register -o json: %q (%v)", res.Stdout, err)
	}

	res = run("webhook", "list", iccid)
	lines := strings.Split(strings.TrimSpace(res.Stdout), "\n")
	if len(lines) != 3 || lines[0] != "TYPE\tWEBHOOK_URL" ||
		!strings.Contains(res.Stdout, "USAGE_THRESHOLD\t"+usageURL+"\n") ||
		!strings.Contains(res.Stdout, "SUBSCRIPTION_END\t"+endURL+"\n") {
		t.Errorf("table after register:\n%s", res.Stdout)
	}
	if got := listWebhooksJSON(t, env, iccid); len(got) != 2 || got["USAGE_THRESHOLD"] != usageURL || got["SUBSCRIPTION_END"] != endURL {
		t.Errorf("json after register: %v", got)
	}
	if res := run("webhook", "list", iccid, "--jq", `.notifications[] | select(.type == "USAGE_THRESHOLD") | .webhook_url`); strings.TrimSpace(res.Stdout) != usageURL {
		t.Errorf("--jq: %q", res.Stdout)
	}
	if res := run("webhook", "list", iccid, "--columns", "url", "--no-headers"); len(strings.Fields(res.Stdout)) != 2 || strings.Contains(res.Stdout, "TYPE") {
		t.Errorf("--columns url --no-headers: %q", res.Stdout)
	}

	// Registering a type again replaces its URL.
	const usageURL2 = "https://hooks.example.com/esim/usage2"
	run("webhook", "register", iccid, "--type", "USAGE_THRESHOLD", "--url", usageURL2)
	if got := listWebhooksJSON(t, env, iccid); got["USAGE_THRESHOLD"] != usageURL2 {
		t.Errorf("after re-register: %v", got)
	}

	res = run("webhook", "unregister", iccid, "--type", "Usage_Threshold")
	if !strings.Contains(res.Stderr, "USAGE_THRESHOLD") {
		t.Errorf("unregister: stderr %q", res.Stderr)
	}
	if got := listWebhooksJSON(t, env, iccid); len(got) != 1 || got["SUBSCRIPTION_END"] != endURL {
		t.Errorf("json after unregister: %v", got)
	}
	if res := run("webhook", "list", iccid); strings.Contains(res.Stdout, "USAGE_THRESHOLD") || !strings.Contains(res.Stdout, "SUBSCRIPTION_END") {
		t.Errorf("table after unregister:\n%s", res.Stdout)
	}
	run("webhook", "unregister", iccid, "--type", "end")
	// Not registered any more: the API would answer 200; the CLI says that
	// nothing was there (exit 4) instead of reporting a success.
	res = testenv.Run(t, bin, env, "webhook", "unregister", iccid, "--type", "end")
	if res.ExitCode != 4 || !strings.Contains(res.Stderr, "has no SUBSCRIPTION_END webhook registered") ||
		!strings.Contains(res.Stderr, "nothing was changed") {
		t.Errorf("unregister of a type not registered: exit %d, stderr %q; want 4 and what happened", res.ExitCode, res.Stderr)
	}
	if got := listWebhooksJSON(t, env, iccid); len(got) != 0 {
		t.Errorf("json after unregistering both: %v", got)
	}
}

// A registered webhook receives the sandbox's notifications.
func TestWebhookReceivesNotifications(t *testing.T) {
	type delivery struct {
		path string
		body map[string]any
	}
	var mu sync.Mutex
	var got []delivery
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(io.LimitReader(r.Body, 1<<16))
		var m map[string]any
		if r.Method != http.MethodPost || json.Unmarshal(b, &m) != nil {
			http.Error(w, "want a JSON POST", http.StatusBadRequest)
			return
		}
		mu.Lock()
		got = append(got, delivery{r.URL.Path, m})
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()

	sb := testenv.StartSandbox(t, bin, "--order-delay", "0")
	env := sandboxEnv(sb)
	iccid := orderSIMForWebhooks(t, sb)
	for _, typ := range []string{"usage", "end"} {
		res := testenv.Run(t, bin, env, "webhook", "register", iccid, "--type", typ, "--url", srv.URL+"/hooks/s3cr3t/"+typ)
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
		t.Fatalf("usage to 85%%: %+v", ans)
	}
	ans = usageAnswer{}
	sb.Admin(t, "POST", "/_sandbox/usage", map[string]any{"iccid": iccid, "bytes": gib}, &ans)
	if len(ans.Notifications) != 1 || ans.Notifications[0].Type != "SUBSCRIPTION_END" || ans.Notifications[0].Delivery != "delivered" {
		t.Fatalf("usage to 100%%: %+v", ans)
	}

	mu.Lock()
	defer mu.Unlock()
	if len(got) != 2 {
		t.Fatalf("the receiver got %d notifications, want 2: %+v", len(got), got)
	}
	if d := got[0]; d.path != "/hooks/s3cr3t/usage" || d.body["type"] != "USAGE_THRESHOLD" || d.body["iccid"] != iccid ||
		d.body["threshold"] != float64(80) || d.body["subscription_id"] == nil {
		t.Errorf("first notification: %+v", d)
	}
	if d := got[1]; d.path != "/hooks/s3cr3t/end" || d.body["type"] != "SUBSCRIPTION_END" || d.body["iccid"] != iccid {
		t.Errorf("second notification: %+v", d)
	}
}

// Bad input is refused with exit 2 before anything reaches the API.
func TestWebhookBadInputSendsNothing(t *testing.T) {
	sb := testenv.StartSandbox(t, bin)
	env := sandboxEnv(sb)
	const good, badLuhn = "8944478600000205337", "8944474600000109299"
	const url = "https://hooks.example.com/esim"
	tests := []struct {
		name string
		args []string
		want []string // stderr must hold each
	}{
		{"bad type", []string{"register", good, "--type", "bogus", "--url", url}, []string{`--type "bogus"`, "usage", "end"}},
		{"bad type on unregister", []string{"unregister", good, "--type", "threshold80"}, []string{`--type "threshold80"`}},
		{"missing type", []string{"register", good, "--url", url}, []string{"--type is required"}},
		{"missing url", []string{"register", good, "--type", "usage"}, []string{"--url is required"}},
		{"http to a non-loopback host", []string{"register", good, "--type", "usage", "--url", "http://hooks.example.com/esim"},
			[]string{"--url", "http://hooks.example.com/esim", "https"}},
		{"other scheme", []string{"register", good, "--type", "end", "--url", "ftp://hooks.example.com/x"}, []string{"--url", "ftp"}},
		{"relative url", []string{"register", good, "--type", "end", "--url", "/hooks"}, []string{"--url", `"/hooks"`}},
		{"bad ICCID", []string{"register", "8944", "--type", "usage", "--url", url}, []string{"ICCID", `"8944"`, "18 to 20"}},
		{"bad ICCID on list", []string{"list", "89444786000002053371234"}, []string{"ICCID"}},
		{"letters in ICCID", []string{"unregister", "89ABC", "--type", "end"}, []string{"ICCID", "89ABC"}},
		{"wrong Luhn on register", []string{"register", badLuhn, "--type", "usage", "--url", url}, []string{badLuhn, "--ignore-checksum"}},
		{"wrong Luhn on unregister", []string{"unregister", badLuhn, "--type", "usage"}, []string{badLuhn, "--ignore-checksum"}},
		{"no ICCID", []string{"list"}, []string{"ICCID is required"}},
		{"two ICCIDs", []string{"list", good, good}, []string{"too many arguments"}},
		{"unknown column", []string{"list", good, "--columns", "secret"}, []string{`"secret"`, "type, webhook_url"}},
		{"bad output", []string{"unregister", good, "--type", "end", "-o", "xml"}, []string{`--output "xml"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := testenv.Run(t, bin, env, append([]string{"webhook"}, tt.args...)...)
			if res.ExitCode != 2 {
				t.Fatalf("exit %d, want 2\nstderr: %s", res.ExitCode, res.Stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(res.Stderr, w) {
					t.Errorf("stderr %q does not name %q", res.Stderr, w)
				}
			}
		})
	}
	if st := sb.Stats(t); st.APIRequests() != 0 || st.TokenRequests != 0 {
		t.Fatalf("bad input reached the sandbox: %d API requests %v, %d token requests", st.APIRequests(), st.Requests, st.TokenRequests)
	}

	// The override sends a wrong check digit (the sandbox knows no such SIM);
	// a read-only list only warns.
	res := testenv.Run(t, bin, env, "webhook", "register", badLuhn, "--type", "usage", "--url", url, "--ignore-checksum")
	if res.ExitCode != 4 || !strings.Contains(res.Stderr, "warning") {
		t.Errorf("--ignore-checksum: exit %d, stderr %s", res.ExitCode, res.Stderr)
	}
	res = testenv.Run(t, bin, env, "webhook", "list", badLuhn)
	if res.ExitCode != 4 || !strings.Contains(res.Stderr, "warning") {
		t.Errorf("list with a wrong check digit: exit %d, stderr %s", res.ExitCode, res.Stderr)
	}
	if st := sb.Stats(t); st.Requests["POST /v1/sim/{iccid}/preferences/notifications/{type}"] != 1 {
		t.Errorf("requests after the override: %v", st.Requests)
	}
}
