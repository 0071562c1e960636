package e2e

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/connectctl/connectctl/internal/testenv"
)

// A second product of the seeded catalogue, for --product.
const subsOtherProduct = "SANDBOX-FAIL"

// The first subscription of an order (a multi-plan one lists them all).
var subsIDLine = regexp.MustCompile(`(?m)^SUBSCRIPTION_IDS?:\s+([^\s,]+)`)

// subsOrder orders an eSIM and returns its ICCID and first subscription id.
func subsOrder(t *testing.T, env []string, extra ...string) (iccid, subID string) {
	t.Helper()
	res := testenv.Run(t, bin, env, orderArgs(append([]string{"--wait", "--poll-interval", "100ms"}, extra...)...)...)
	m, s := simICCIDLine.FindStringSubmatch(res.Stdout), subsIDLine.FindStringSubmatch(res.Stdout)
	if res.ExitCode != 0 || m == nil || s == nil {
		t.Fatalf("order new: exit %d\nstdout:\n%s\nstderr:\n%s", res.ExitCode, res.Stdout, res.Stderr)
	}
	return m[1], s[1]
}

func TestSubsListGetActivate(t *testing.T) {
	sb := testenv.StartSandbox(t, bin, "--order-delay", "0", "--client", "other:other")
	env := sandboxEnv(sb)
	other := append(sandboxEnv(sb), "CONNECTCTL_CLIENT_ID=other", "CONNECTCTL_CLIENT_SECRET=other")

	start := time.Now().UTC().Add(-time.Minute).Format(time.RFC3339)
	// Start A just after a second begins, so that A and B are most likely
	// created within one second: only a --since that keeps its fraction of a
	// second tells them apart.
	time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(time.Second + 10*time.Millisecond)))
	a, subA := subsOrder(t, env)
	betweenAB := time.Now().UTC().Format(time.RFC3339Nano)
	b, subB := subsOrder(t, env, "--email", "bea@example.com")
	future := time.Now().Add(3 * time.Hour).UTC().Format(time.RFC3339)
	c, subC := subsOrder(t, env, "--activation-date", future)
	_, theirs := subsOrder(t, other)

	t.Run("list table", func(t *testing.T) {
		rows := simTSV(simOK(t, env, "subs", "list").Stdout)
		if len(rows) != 4 || strings.Join(rows[0], ",") != "ID,ICCID,PRODUCT,STATUS,SPENT_BALANCE,LEFT,EXPIRATION_DATE" {
			t.Fatalf("%q", rows)
		}
		if rows[1][0] != subA || rows[1][1] != a || rows[1][3] != "ACTIVE" || rows[1][5] != "1 GB" ||
			rows[3][0] != subC || rows[3][3] != "PENDING" {
			t.Fatalf("%q", rows)
		}
	})
	t.Run("list json: byte counts, booleans", func(t *testing.T) {
		list := simDecode[[]simJSONSub](t, simOK(t, env, "subs", "list", "-o", "json"))
		if len(list) != 3 || list[0].ID != subA || list[0].InitialBalance != 1<<30 || list[0].SpentBalance != 0 || list[0].AutoRenew {
			t.Fatalf("%+v", list)
		}
		for _, s := range list {
			if s.ID == theirs {
				t.Fatal("another client's subscription listed")
			}
		}
	})
	t.Run("filters", func(t *testing.T) {
		ids := func(args ...string) string {
			list := simDecode[[]simJSONSub](t, simOK(t, env, append([]string{"subs", "list", "-o", "json"}, args...)...))
			out := make([]string, len(list))
			for i, s := range list {
				out[i] = s.ID
			}
			return strings.Join(out, ",")
		}
		if got := ids("--iccid", b); got != subB {
			t.Errorf("--iccid: %s", got)
		}
		if got := ids("--email", "bea@example.com"); got != subB {
			t.Errorf("--email: %s", got)
		}
		if got := ids("--product", europe1GB, "--after", start); got != subA+","+subB+","+subC {
			t.Errorf("--product --after: %s", got)
		}
		if got := ids("--product", subsOtherProduct); got != "" {
			t.Errorf("--product other: %s", got)
		}
		if got := ids("--before", start); got != "" {
			t.Errorf("--before: %s", got)
		}
		if got := ids("--after", future); got != "" {
			t.Errorf("--after future: %s", got)
		}
		// --since/--until everywhere, --after/--before as the API's names;
		// a date, a duration, a fraction of a second (issue 11 item 11).
		if got := ids("--since", betweenAB); got != subB+","+subC {
			t.Errorf("--since %s (fraction kept): %s, want %s,%s", betweenAB, got, subB, subC)
		}
		if got := ids("--until", betweenAB); got != subA {
			t.Errorf("--until %s: %s, want %s", betweenAB, got, subA)
		}
		today := time.Now().Format(time.DateOnly)
		if got := ids("--since", today, "--email", "bea@example.com"); got != subB {
			t.Errorf("--since %s (a date): %s", today, got)
		}
		if got := ids("--until", today); got != "" {
			t.Errorf("--until %s (a date): %s, want none", today, got)
		}
		if got := ids("--since", "1h"); got != subA+","+subB+","+subC {
			t.Errorf("--since 1h: %s", got)
		}
		if got := ids("--limit", "2"); got != subA+","+subB {
			t.Errorf("--limit 2: %s", got)
		}
	})
	t.Run("an empty list is success: [] and No results", func(t *testing.T) {
		res := simOK(t, env, "subs", "list", "--email", "nobody@example.com", "-o", "json")
		if strings.TrimSpace(res.Stdout) != "[]" {
			t.Fatalf("%q", res.Stdout)
		}
	})
	t.Run("get table and json", func(t *testing.T) {
		out := simOK(t, env, "subs", "get", "--", subB).Stdout
		for _, want := range []string{`ID:\s+` + regexp.QuoteMeta(subB), `ICCID:\s+` + b, `STATUS:\s+ACTIVE`} {
			if !regexp.MustCompile(`(?m)^` + want + `$`).MatchString(out) {
				t.Fatalf("subs get lacks %s:\n%s", want, out)
			}
		}
		s := simDecode[simJSONSub](t, simOK(t, env, "subs", "get", "-o", "json", "--", subB))
		if s.ID != subB || s.ICCID != b || s.InitialBalance != 1<<30 || s.Product.ID != europe1GB {
			t.Fatalf("%+v", s)
		}
	})
	t.Run("activate a PENDING subscription", func(t *testing.T) {
		s := simDecode[simJSONSub](t, simOK(t, env, "subs", "activate", "-o", "json", "--", subC))
		if s.ID != subC || s.Status != "ACTIVE" || s.ICCID != c {
			t.Fatalf("%+v", s)
		}
		exp, err := time.Parse(time.RFC3339, s.ExpirationDate)
		if err != nil || exp.After(time.Now().Add(7*24*time.Hour+time.Minute)) {
			t.Fatalf("expiry %q (%v) does not count from now", s.ExpirationDate, err)
		}
		u := simDecode[simJSONUsage](t, simOK(t, env, "sim", "usage", c, "-o", "json"))
		if u.Subscriptions != 1 || u.LeftBytes != 1<<30 {
			t.Fatalf("%+v", u)
		}
	})
	t.Run("activate an ACTIVE one: the API refuses, exit 5", func(t *testing.T) {
		simExit(t, env, 5, "only a PENDING subscription", "subs", "activate", "--", subA)
	})
	t.Run("another client's subscription: exit 3", func(t *testing.T) {
		simExit(t, env, 3, "403", "subs", "get", "--", theirs)
		simExit(t, env, 3, "403", "subs", "activate", "--", theirs)
	})
	t.Run("unknown subscription: exit 4", func(t *testing.T) {
		simExit(t, env, 4, "404", "subs", "get", "bm90LWEtc3Vic2NyaXB0aW9u/x+y=")
		// base64url ids may start with '-': after -- they reach the API.
		simExit(t, env, 4, "404", "subs", "get", "--", "-92myr-Ect_IiGaEp2HFsEvKk9uSBs9HjGauvaVu9e8=")
	})
	t.Run("unknown SIM in the filter: an empty list", func(t *testing.T) {
		res := simOK(t, env, "subs", "list", "--iccid", simUnknownICCID(t), "-o", "json")
		if strings.TrimSpace(res.Stdout) != "[]" {
			t.Fatalf("%q", res.Stdout)
		}
	})
	t.Run("wrong secret: exit 3", func(t *testing.T) {
		simExit(t, append(env, "CONNECTCTL_CLIENT_SECRET=wrong"), 3, "unauthorized_client", "subs", "list")
	})
	t.Run("429 after retries: exit 5", func(t *testing.T) {
		sb.Admin(t, http.MethodPost, "/_sandbox/faults", map[string]any{"method": "GET", "path": "/v1/subscription", "status": 429, "count": 10}, nil)
		t.Cleanup(func() { sb.Admin(t, http.MethodDelete, "/_sandbox/faults", nil, nil) })
		simExit(t, env, 5, "429", "subs", "list")
	})
	t.Run("503 after retries: exit 6", func(t *testing.T) {
		sb.Admin(t, http.MethodDelete, "/_sandbox/faults", nil, nil)
		sb.Admin(t, http.MethodPost, "/_sandbox/faults", map[string]any{"method": "GET", "path": "/v1/subscription", "status": 503, "count": 10}, nil)
		t.Cleanup(func() { sb.Admin(t, http.MethodDelete, "/_sandbox/faults", nil, nil) })
		simExit(t, env, 6, "503", "subs", "get", "--", subA)
	})
	t.Run("5xx on activate (POST, not retried): exit 6, outcome unknown", func(t *testing.T) {
		sb.Admin(t, http.MethodDelete, "/_sandbox/faults", nil, nil)
		sb.Admin(t, http.MethodPost, "/_sandbox/faults", map[string]any{"method": "POST", "path": "/v1/subscription", "status": 502, "after": true, "count": 1}, nil)
		t.Cleanup(func() { sb.Admin(t, http.MethodDelete, "/_sandbox/faults", nil, nil) })
		res := simExit(t, env, 6, "502", "subs", "activate", "--", subA)
		if !strings.Contains(res.Stderr, "may or may not") {
			t.Fatalf("no outcome-unknown hint: %s", res.Stderr)
		}
	})
}

func TestSubsListLimitAndAll(t *testing.T) {
	sb := testenv.StartSandbox(t, bin, "--order-delay", "0")
	env := sandboxEnv(sb)
	// 3 orders of 12 plans: 36 subscriptions.
	var plans []string
	for range 11 {
		plans = append(plans, "--product", europe1GB)
	}
	for range 3 {
		subsOrder(t, env, plans...)
	}
	count := func(res testenv.Result) int { return len(simDecode[[]simJSONSub](t, res)) }
	res := simOK(t, env, "subs", "list", "-o", "json")
	if n := count(res); n != 30 || !strings.Contains(res.Stderr, "--all") {
		t.Fatalf("default: %d, stderr %q", n, res.Stderr)
	}
	if n := count(simOK(t, env, "subs", "list", "-o", "json", "--limit", "5")); n != 5 {
		t.Fatalf("--limit 5: %d", n)
	}
	res = simOK(t, env, "subs", "list", "-o", "json", "--all")
	if n := count(res); n != 36 || strings.Contains(res.Stderr, "--all") {
		t.Fatalf("--all: %d, stderr %q", n, res.Stderr)
	}
	rows := simTSV(simOK(t, env, "subs", "list", "--all", "--no-headers", "--columns", "id").Stdout)
	if len(rows) != 36 {
		t.Fatalf("--all table: %d rows", len(rows))
	}
}

// Bad input is refused with exit 2 before anything reaches the API.
func TestSubsBadInputSendsNothing(t *testing.T) {
	sb := testenv.StartSandbox(t, bin)
	env := sandboxEnv(sb)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"bad ICCID", []string{"subs", "list", "--iccid", "8944"}, `--iccid: ICCID "8944"`},
		{"bad e-mail", []string{"subs", "list", "--email", "ana@"}, `--email: email "ana@"`},
		{"e-mail list", []string{"subs", "list", "--email", "a@example.com,b@example.com"}, "--email"},
		{"blank product", []string{"subs", "list", "--product", ""}, "--product"},
		{"after: not a date", []string{"subs", "list", "--after", "01/01/2025"}, `--after "01/01/2025"`},
		{"since and after", []string{"subs", "list", "--since", "7d", "--after", "2025-01-01"}, "the same filter"},
		{"before: no zone", []string{"subs", "list", "--before", "2025-01-01T10:00:00"}, "missing time zone"},
		{"before: words", []string{"subs", "list", "--before", "yesterday"}, "RFC 3339"},
		{"after >= before", []string{"subs", "list", "--after", "2025-02-01T00:00:00Z", "--before", "2025-01-01T00:00:00Z"}, "is not before --before"},
		{"limit negative", []string{"subs", "list", "--limit", "-1"}, "--limit -1"},
		{"limit and all", []string{"subs", "list", "--limit", "3", "--all"}, "do not go together"},
		{"unknown column", []string{"subs", "list", "--columns", "usage"}, `unknown column "usage"`},
		{"list: an argument", []string{"subs", "list", "x"}, "takes no arguments"},
		{"get: no id", []string{"subs", "get"}, "missing SUBSCRIPTION_ID"},
		{"get: blank id", []string{"subs", "get", " "}, "SUBSCRIPTION_ID"},
		{"get: id with a space", []string{"subs", "get", "abc def"}, "white space"},
		{"activate: no id", []string{"subs", "activate"}, "missing SUBSCRIPTION_ID"},
		{"activate: two ids", []string{"subs", "activate", "a", "b"}, "takes one SUBSCRIPTION_ID"},
		{"unknown subs command", []string{"subs", "show", "a"}, `unknown command "show"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			simExit(t, env, 2, tt.want, tt.args...)
		})
	}
	st := sb.Stats(t)
	if st.TokenRequests != 0 || st.APIRequests() != 0 {
		t.Fatalf("bad input reached the sandbox: %d token requests, %v", st.TokenRequests, st.Requests)
	}
}
