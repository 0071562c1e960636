package e2e

import (
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/connectctl/connectctl/internal/testenv"
)

// Issue 14 item 4: the sandbox verbs replace curl to the admin endpoints.
func TestSandboxVerbs(t *testing.T) {
	sb := testenv.StartSandbox(t, bin, "--order-delay", "0")
	env := sandboxEnv(sb)
	iccid := simOrder(t, env)

	t.Run("usage --percent fires the webhook and shows in sim usage", func(t *testing.T) {
		var mu sync.Mutex
		var got []string
		hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			mu.Lock()
			got = append(got, string(b))
			mu.Unlock()
		}))
		defer hook.Close()
		simOK(t, env, "webhook", "register", iccid, "--type", "usage", "--url", hook.URL+"/hook")

		res := simOK(t, env, "sandbox", "usage", iccid, "--percent", "85", "-o", "json")
		var ans struct {
			Consumed      int64 `json:"consumed"`
			Notifications []struct {
				Type, Delivery string
			} `json:"notifications"`
		}
		decodeJSON(t, res.Stdout, &ans)
		if ans.Consumed != 912680551 /* ceil(0.85 GB) */ || len(ans.Notifications) != 1 || ans.Notifications[0].Type != "USAGE_THRESHOLD" || ans.Notifications[0].Delivery != "delivered" {
			t.Fatalf("%+v\n%s", ans, res.Stdout)
		}
		mu.Lock()
		if len(got) != 1 || !strings.Contains(got[0], `"USAGE_THRESHOLD"`) || !strings.Contains(got[0], iccid) {
			t.Errorf("webhook got %q", got)
		}
		mu.Unlock()
		u := simDecode[simJSONUsage](t, simOK(t, env, "sim", "usage", iccid, "-o", "json"))
		if u.PercentUsed != 85 {
			t.Fatalf("sim usage after --percent 85: %+v", u)
		}

		// --bytes takes sizes; one answer is a detail view.
		out := simOK(t, env, "sandbox", "usage", iccid, "--bytes", "100MB").Stdout
		if !regexp.MustCompile(`(?m)^ICCID:\s+`+iccid+`$`).MatchString(out) || !regexp.MustCompile(`(?m)^CONSUMED:\s+100 MB$`).MatchString(out) {
			t.Fatalf("%s", out)
		}
		// More than is left: the rest is reported as not consumed.
		res = simOK(t, env, "sandbox", "usage", iccid, "--bytes", "1GB")
		if !strings.Contains(res.Stderr, "not consumed") {
			t.Fatalf("stderr %s", res.Stderr)
		}
		simExit(t, env, 4, "no SIM with ICCID", "sandbox", "usage", simUnknownICCID(t), "--bytes", "1")
	})

	t.Run("fault add, list, clear", func(t *testing.T) {
		res := simOK(t, env, "sandbox", "fault", "add", "--path", "/v1/products", "--status", "404", "--count", "2")
		for _, want := range []string{`METHOD:\s+any`, `PATH:\s+/v1/products`, `ANSWER:\s+404 Not Found`, `AFTER:\s+before the work`, `COUNT:\s+2`} {
			if !regexp.MustCompile(`(?m)^` + want + `$`).MatchString(res.Stdout) {
				t.Fatalf("fault add lacks %s:\n%s", want, res.Stdout)
			}
		}
		simOK(t, env, "sandbox", "fault", "add", "--method", "get", "--path", "/v1/sim", "--bare")
		simOK(t, env, "sandbox", "fault", "add", "--path", "/v1/order", "--delay", "700ms")
		list := simOK(t, env, "sandbox", "fault", "list", "-o", "json").Stdout
		var faults []struct {
			Method string
			Path   string
			Status int
			Count  int
			Bare   bool
			Delay  string
		}
		decodeJSON(t, list, &faults)
		if len(faults) != 3 || faults[1].Method != "GET" || faults[1].Status != 429 || !faults[1].Bare || faults[2].Delay != "700ms" || faults[2].Status != 0 {
			t.Fatalf("%s", list)
		}
		// The queued 404 is what products list meets, once per use.
		simExit(t, env, 4, "404", "products", "list")
		// The delay alone: the real answer, late.
		start := time.Now()
		simOK(t, env, "order", "list")
		if d := time.Since(start); d < 700*time.Millisecond {
			t.Errorf("order list answered in %v despite a 700ms delay", d)
		}
		res = simOK(t, env, "sandbox", "fault", "clear", "-o", "json", "--jq", ".cleared")
		if strings.TrimSpace(res.Stdout) != "2" {
			t.Fatalf("cleared %q, want 2 (the 404's second use and the bare 429)", res.Stdout)
		}
		simOK(t, env, "products", "list")
	})

	t.Run("sims and stats", func(t *testing.T) {
		res := simOK(t, env, "sandbox", "sims", "--count", "3")
		if rows := simTSV(res.Stdout); len(rows) != 4 || rows[0][0] != "ICCID" || !strings.HasPrefix(rows[1][0], "894447") {
			t.Fatalf("%q", rows)
		}
		var st testenv.Stats
		decodeJSON(t, simOK(t, env, "sandbox", "stats", "-o", "json").Stdout, &st)
		if want := sb.Stats(t); st.SIMs != 4 || st.Orders != 1 || st.SIMs != want.SIMs || st.APIRequests() != want.APIRequests() {
			t.Fatalf("stats %+v, sandbox says %+v", st, want)
		}
		if out := simOK(t, env, "sandbox", "stats").Stdout; !regexp.MustCompile(`(?m)^SIMS:\s+4$`).MatchString(out) ||
			!strings.HasPrefix(out, "TOKEN_REQUESTS:") {
			t.Fatalf("%s", out)
		}
	})

	t.Run("bad input and non-sandbox profiles are refused, nothing sent", func(t *testing.T) {
		before := sb.Stats(t)
		notSandbox := httptest.NewServer(http.NotFoundHandler())
		defer notSandbox.Close()
		for _, tc := range []struct {
			env  []string
			want string
			args []string
		}{
			{env, "--bytes SIZE or --percent P", []string{"sandbox", "usage", iccid}},
			{env, "--bytes SIZE or --percent P", []string{"sandbox", "usage", iccid, "--bytes", "1", "--percent", "5"}},
			{env, "--percent 120", []string{"sandbox", "usage", iccid, "--percent", "120"}},
			{env, "--bytes \"lots\"", []string{"sandbox", "usage", iccid, "--bytes", "lots"}},
			{env, "ICCID", []string{"sandbox", "usage", "123", "--bytes", "1"}},
			{env, "not both", []string{"sandbox", "fault", "add", "--drop", "--status", "500"}},
			{env, "--status 200", []string{"sandbox", "fault", "add", "--status", "200"}},
			{env, "429 only", []string{"sandbox", "fault", "add", "--bare", "--status", "503"}},
			{env, "admin endpoints", []string{"sandbox", "fault", "add", "--path", "/_sandbox/stats"}},
			{env, "--delay", []string{"sandbox", "fault", "add", "--delay", "11m"}},
			{env, "--count N is required", []string{"sandbox", "sims"}},
			{env, "--count 0", []string{"sandbox", "sims", "--count", "0"}},
			{nil, "not a sandbox", []string{"sandbox", "stats", "-p", "prod"}},
			{nil, "not a sandbox", []string{"sandbox", "fault", "add", "--status", "500", "-p", "preprod"}},
			{[]string{"CONNECTCTL_BASE_URL=" + notSandbox.URL}, "not a connectctl sandbox", []string{"sandbox", "usage", iccid, "--bytes", "1"}},
		} {
			simExit(t, tc.env, 2, tc.want, tc.args...)
		}
		if after := sb.Stats(t); after.APIRequests() != before.APIRequests() || after.Subscriptions != before.Subscriptions {
			t.Fatalf("refused commands reached the sandbox: %+v then %+v", before, after)
		}
		// Nothing listening: a network failure, exit 6, with what to do.
		simExit(t, []string{"CONNECTCTL_BASE_URL=http://127.0.0.1:1"}, 6, "connectctl sandbox serve", "sandbox", "stats")
	})
}
