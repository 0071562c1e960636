package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/connectctl/connectctl/internal/testenv"
)

// runAPI runs `connectctl api args...` and fails the test unless it exits wantExit.
func runAPI(t *testing.T, env []string, wantExit int, args ...string) testenv.Result {
	t.Helper()
	res := testenv.Run(t, bin, env, append([]string{"api"}, args...)...)
	if res.ExitCode != wantExit {
		t.Fatalf("api %v: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", args, res.ExitCode, wantExit, res.Stdout, res.Stderr)
	}
	return res
}

func decodeArray(t *testing.T, s string) []map[string]any {
	t.Helper()
	var out []map[string]any
	if err := json.Unmarshal([]byte(s), &out); err != nil {
		t.Fatalf("not a JSON array of objects: %v\n%s", err, s)
	}
	return out
}

// runAPIStdin runs `connectctl api args...` with stdin.
func runAPIStdin(t *testing.T, env []string, stdin string, args ...string) testenv.Result {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"api"}, args...)...)
	cmd.Env = append(testenv.CleanEnv(t), env...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	res := testenv.Result{Stdout: out.String(), Stderr: errOut.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		res.ExitCode = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestAPIGet(t *testing.T) {
	sb := testenv.StartSandbox(t, bin)
	env := sandboxEnv(sb)

	t.Run("body as received", func(t *testing.T) {
		res := runAPI(t, env, 0, "/v1/products")
		products := decodeArray(t, res.Stdout)
		if len(products) < 14 || strings.Count(res.Stdout, "\n") > 1 {
			t.Errorf("%d products; a pipe gets the body as received (compact): %.200s", len(products), res.Stdout)
		}
	})
	t.Run("relative path and --jq", func(t *testing.T) {
		res := runAPI(t, env, 0, "v1/products", "--jq", ".[].id")
		if !strings.Contains(res.Stdout, europe1GB+"\n") || strings.Contains(res.Stdout, `"`) {
			t.Errorf("--jq prints ids raw, one a line:\n%s", res.Stdout)
		}
	})
	t.Run("-i shows the status line and headers", func(t *testing.T) {
		res := runAPI(t, env, 0, "-i", "/v1/products/"+strings.NewReplacer("+", "%2B", "/", "%2F", "=", "%3D").Replace(europe1GB))
		head, body, ok := strings.Cut(res.Stdout, "\n\n")
		if !ok || !strings.HasPrefix(head, "HTTP 200 OK\n") {
			t.Fatalf("no status line and headers before the body:\n%s", res.Stdout)
		}
		for _, h := range []string{"x-rate-limit-limit: 1000", "x-rate-limit-remaining: ", "x-rate-limit-reset: ", "x-correlation-id: ", "content-type: application/json"} {
			if !strings.Contains(strings.ToLower(head), h) {
				t.Errorf("headers lack %q:\n%s", h, head)
			}
		}
		var p map[string]any
		if err := json.Unmarshal([]byte(body), &p); err != nil || p["id"] != europe1GB {
			t.Errorf("body after the headers: %v\n%s", err, body)
		}
	})
	t.Run("GET fields are query parameters", func(t *testing.T) {
		res := runAPI(t, env, 0, "GET", "/v1/products", "-f", "currency=USD", "--jq", "[.[].pricing | keys[]] | unique | join(\",\")")
		if strings.TrimSpace(res.Stdout) != "USD" {
			t.Errorf("currency=USD: pricing currencies %q", res.Stdout)
		}
	})
	t.Run("fields without a method make a POST", func(t *testing.T) {
		res := runAPI(t, env, 5, "/v1/products", "-f", "currency=USD")
		if !strings.Contains(res.Stderr, "POST /v1/products: HTTP 405") {
			t.Errorf("stderr %s", res.Stderr)
		}
	})
	t.Run("-o yaml renders the body", func(t *testing.T) {
		res := runAPI(t, env, 0, "/v1/products", "-o", "yaml")
		if !strings.HasPrefix(res.Stdout, "- ") || !strings.Contains(res.Stdout, "id: "+europe1GB) {
			t.Errorf("yaml: %.300s", res.Stdout)
		}
	})
}

func TestAPIPaginateSIMs(t *testing.T) {
	sb := testenv.StartSandbox(t, bin)
	env := sandboxEnv(sb)
	var seeded struct {
		ICCIDs []string `json:"iccids"`
	}
	sb.Admin(t, "POST", "/_sandbox/sims", map[string]any{"client_id": "sandbox", "count": 95}, &seeded)

	// Without --paginate: the first page only.
	if n := len(decodeArray(t, runAPI(t, env, 0, "/v1/sim").Stdout)); n != 40 {
		t.Errorf("one page: %d SIMs, want 40", n)
	}
	before := sb.Stats(t).Requests["GET /v1/sim"]
	res := runAPI(t, env, 0, "/v1/sim", "--paginate")
	sims := decodeArray(t, res.Stdout)
	if len(sims) != 95 {
		t.Fatalf("--paginate: %d SIMs, want 95", len(sims))
	}
	for i, s := range sims {
		if s["id"] != seeded.ICCIDs[i] {
			t.Fatalf("item %d is %v, want %s (in order, once each)", i, s["id"], seeded.ICCIDs[i])
		}
	}
	if n := sb.Stats(t).Requests["GET /v1/sim"] - before; n != 3 {
		t.Errorf("%d page requests for 95 SIMs, want 3", n)
	}
	if res := runAPI(t, env, 0, "/v1/sim", "--paginate", "--jq", "length"); strings.TrimSpace(res.Stdout) != "95" {
		t.Errorf("--paginate --jq length: %q", res.Stdout)
	}
	res = runAPI(t, env, 0, "/v1/sim", "--paginate", "-o", "ndjson")
	if lines := strings.Split(strings.TrimSpace(res.Stdout), "\n"); len(lines) != 95 || !strings.HasPrefix(lines[94], `{"id":"`+seeded.ICCIDs[94]) {
		t.Errorf("-o ndjson: %d lines", len(lines))
	}
	// The page-style query the user gives is kept and followed.
	if n := len(decodeArray(t, runAPI(t, env, 0, "/v1/sim?page=2&size=30", "--paginate").Stdout)); n != 65 {
		t.Errorf("from page 2 of 30: %d SIMs, want 65", n)
	}
}

func TestAPIPostAndPaginateOrders(t *testing.T) {
	sb := testenv.StartSandbox(t, bin, "--order-delay", "0")
	env := sandboxEnv(sb)

	order := func(email string) string {
		b, _ := json.Marshal(map[string]any{"input": map[string]any{
			"operationType": "NEW_ESIM", "countryCode": "PT",
			"customer":      map[string]any{"email": email},
			"device":        map[string]any{"id": "dev-" + email, "type": "android"},
			"subscriptions": []any{map[string]any{"product_id": europe1GB}, map[string]any{"product_id": europe1GB}},
		}})
		return string(b)
	}
	var ids []string
	accepted := func(res testenv.Result) {
		t.Helper()
		var a struct{ ID, Status string }
		if err := json.Unmarshal([]byte(res.Stdout), &a); err != nil || a.ID == "" || a.Status != "ACCEPTED" {
			t.Fatalf("order answer %q: %v", res.Stdout, err)
		}
		ids = append(ids, a.ID)
	}

	// --input FILE
	file := filepath.Join(t.TempDir(), "order.json")
	if err := os.WriteFile(file, []byte(order("file@example.com")), 0o600); err != nil {
		t.Fatal(err)
	}
	accepted(runAPI(t, env, 0, "POST", "/v1/order", "--input", file))
	// --input - (standard input), the method inferred
	res := runAPIStdin(t, env, order("stdin@example.com"), "/v1/order", "--input", "-")
	if res.ExitCode != 0 {
		t.Fatalf("--input -: exit %d\n%s", res.ExitCode, res.Stderr)
	}
	accepted(res)
	// -F / -f with nested keys and an array of objects
	accepted(runAPI(t, env, 0, "/v1/order",
		"-f", "input[operationType]=NEW_ESIM", "-f", "input[countryCode]=PT",
		"-f", "input[customer][email]=fields@example.com",
		"-f", "input[device][id]=dev-fields", "-f", "input[device][type]=ios",
		"-f", "input[subscriptions][][product_id]="+europe1GB, "-F", "input[subscriptions][][price]=9.99",
		"-f", "input[subscriptions][][currency]=EUR",
		"-f", "input[subscriptions][][product_id]="+europe1GB))
	if st := sb.Stats(t); st.Orders != 3 || st.Subscriptions != 6 {
		t.Fatalf("sandbox has %d orders and %d subscriptions, want 3 and 6", st.Orders, st.Subscriptions)
	}

	orderIDs := func(items []map[string]any) string {
		var s []string
		for _, it := range items {
			s = append(s, it["id"].(string))
		}
		return strings.Join(s, ",")
	}
	// HAL cursor pages (_embedded.orders, _links.next), unwrapped into one array.
	for _, path := range []string{"/v1/order?limit=40", "/v1/order?limit=2", "/v1/order?limit=1"} {
		res := runAPI(t, env, 0, path, "--paginate")
		if got := orderIDs(decodeArray(t, res.Stdout)); got != strings.Join(ids, ",") {
			t.Errorf("%s --paginate: orders %s, want %s", path, got, strings.Join(ids, ","))
		}
	}
	// Without --paginate the HAL answer prints as is.
	if res := runAPI(t, env, 0, "/v1/order?limit=2"); !strings.Contains(res.Stdout, `"_embedded"`) || !strings.Contains(res.Stdout, `"next"`) {
		t.Errorf("HAL page: %s", res.Stdout)
	}

	// X-Next-Page on /v1/subscription.
	res = runAPI(t, env, 0, "-i", "/v1/subscription?size=4")
	if !regexp.MustCompile(`(?mi)^x-next-page: http://127\.0\.0\.1:\d+/v1/subscription\?`).MatchString(res.Stdout) {
		t.Fatalf("no X-Next-Page header:\n%s", res.Stdout)
	}
	for _, path := range []string{"/v1/subscription", "/v1/subscription?size=4", "/v1/subscription?size=1"} {
		subs := decodeArray(t, runAPI(t, env, 0, path, "--paginate").Stdout)
		seen := map[any]bool{}
		for _, s := range subs {
			seen[s["id"]] = true
		}
		if len(subs) != 6 || len(seen) != 6 {
			t.Errorf("%s --paginate: %d subscriptions (%d distinct), want 6", path, len(subs), len(seen))
		}
	}
	// Fields of a paginated GET are its filters.
	subs := decodeArray(t, runAPI(t, env, 0, "/v1/subscription", "--paginate", "-f", "email=fields@example.com").Stdout)
	if len(subs) != 2 {
		t.Errorf("--paginate -f email=: %d subscriptions, want 2", len(subs))
	}
}

func TestAPIErrors(t *testing.T) {
	sb := testenv.StartSandbox(t, bin, "--client", "other:other", "--order-delay", "0")
	env := sandboxEnv(sb)

	t.Run("404 exits 4", func(t *testing.T) {
		res := runAPI(t, env, 4, "/v1/sim/8944478600000205337", "--correlation-id", "e2e-api-404")
		if !strings.Contains(res.Stdout, `"NOT_FOUND"`) {
			t.Errorf("the error body goes to stdout: %q", res.Stdout)
		}
		lines := strings.Split(strings.TrimSpace(res.Stderr), "\n")
		if len(lines) != 1 || !strings.Contains(lines[0], "HTTP 404") || !strings.Contains(lines[0], "e2e-api-404") {
			t.Errorf("want one error line with the status and correlation id: %q", res.Stderr)
		}
	})
	t.Run("400 exits 5", func(t *testing.T) {
		res := runAPI(t, env, 5, "POST", "/v1/order", "-F", "input[operationType]=NEW_ESIM")
		if !strings.Contains(res.Stdout, "MISSING_MANDATORY_FIELD") || !strings.Contains(res.Stderr, "HTTP 400") ||
			!strings.Contains(res.Stderr, "correlation id") {
			t.Errorf("stdout %q\nstderr %q", res.Stdout, res.Stderr)
		}
	})
	t.Run("403 exits 3", func(t *testing.T) {
		id := orderIDFromAPI(t, env)
		other := append(sandboxEnv(sb), "CONNECTCTL_CLIENT_ID=other", "CONNECTCTL_CLIENT_SECRET=other")
		res := runAPI(t, other, 3, "/v1/order/"+id)
		if !strings.Contains(res.Stdout, "ACCESS_DENIED") || !strings.Contains(res.Stderr, "HTTP 403") {
			t.Errorf("stdout %q\nstderr %q", res.Stdout, res.Stderr)
		}
	})
	t.Run("5xx after retries exits 6", func(t *testing.T) {
		sb.Admin(t, "POST", "/_sandbox/faults", map[string]any{"method": "GET", "path": "/v1/products", "status": 500, "count": 20}, nil)
		t.Cleanup(func() { sb.Admin(t, "DELETE", "/_sandbox/faults", nil, nil) })
		before := sb.Stats(t).Requests["GET /v1/products"]
		res := runAPI(t, env, 6, "/v1/products")
		if n := sb.Stats(t).Requests["GET /v1/products"] - before; n < 2 {
			t.Errorf("a GET answered 500 was tried %d times: want retries", n)
		}
		if !strings.Contains(res.Stdout, "INTERNAL_ERROR") || !strings.Contains(res.Stderr, "HTTP 500") || !strings.Contains(res.Stderr, "attempts") {
			t.Errorf("stdout %q\nstderr %q", res.Stdout, res.Stderr)
		}
	})
	t.Run("POST /v1/order is not retried", func(t *testing.T) {
		sb.Admin(t, "POST", "/_sandbox/faults", map[string]any{"method": "POST", "path": "/v1/order", "status": 502, "count": 5}, nil)
		t.Cleanup(func() { sb.Admin(t, "DELETE", "/_sandbox/faults", nil, nil) })
		before := sb.Stats(t).Requests["POST /v1/order"]
		res := runAPI(t, env, 6, "POST", "/v1/order", "-F", "input[operationType]=NEW_ESIM")
		if n := sb.Stats(t).Requests["POST /v1/order"] - before; n != 1 {
			t.Errorf("POST /v1/order sent %d times, want once", n)
		}
		if !strings.Contains(res.Stderr, "HTTP 502") || !strings.Contains(res.Stderr, "may or may not") {
			t.Errorf("stderr %q", res.Stderr)
		}
	})
	t.Run("error pages under --paginate", func(t *testing.T) {
		res := runAPI(t, env, 4, "/v1/sim/8944478600000205337/subscriptions", "--paginate")
		if !strings.Contains(res.Stdout, "NOT_FOUND") || !strings.Contains(res.Stderr, "HTTP 404") {
			t.Errorf("stdout %q\nstderr %q", res.Stdout, res.Stderr)
		}
	})
}

func orderIDFromAPI(t *testing.T, env []string) string {
	t.Helper()
	res := runAPI(t, env, 0, "/v1/order",
		"-f", "input[operationType]=NEW_ESIM", "-f", "input[countryCode]=PT",
		"-f", "input[customer][email]=owner@example.com",
		"-f", "input[device][id]=dev-owner", "-f", "input[device][type]=ios",
		"-f", "input[subscriptions][][product_id]="+europe1GB, "--jq", ".id")
	return strings.TrimSpace(res.Stdout)
}

// Bad input is refused with exit 2 before anything reaches the API.
func TestAPIBadInputSendsNothing(t *testing.T) {
	sb := testenv.StartSandbox(t, bin)
	env := sandboxEnv(sb)
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"another host", []string{"https://evil.example.com/v1/products"}, []string{"https://evil.example.com/v1/products", "not on the API's host"}},
		{"scheme-relative host", []string{"//evil.example.com/v1/products"}, []string{"//evil.example.com/v1/products", "not on the API's host"}},
		{"same host, other port", []string{"http://127.0.0.1:1/v1/products"}, []string{"not on the API's host"}},
		{"dot segments", []string{"/v1/../auth/realms/x"}, []string{`".."`}},
		{"no path", nil, []string{"PATH is required"}},
		{"bad method", []string{"FETCH", "/v1/products"}, []string{`METHOD "FETCH"`, "GET, POST"}},
		{"bad field", []string{"/v1/order", "-f", "input"}, []string{`-f "input"`, "key=value"}},
		{"bad nested key", []string{"/v1/order", "-f", "input[customer=x"}, []string{`-f "input[customer=x"`, "bracket"}},
		{"missing @file", []string{"/v1/order", "-F", "input=@/nonexistent/order.json"}, []string{`-F "input=@/nonexistent/order.json"`}},
		{"missing --input", []string{"/v1/order", "--input", "/nonexistent/order.json"}, []string{`--input "/nonexistent/order.json"`}},
		{"GET with a body", []string{"GET", "/v1/order", "--input", "/dev/null"}, []string{"--input", "GET"}},
		{"--paginate with POST", []string{"POST", "/v1/sim", "--paginate"}, []string{"--paginate", "POST"}},
		{"--paginate with -i", []string{"/v1/sim", "--paginate", "-i"}, []string{"--paginate", "--include"}},
		{"bad --jq", []string{"/v1/products", "--jq", ".[[["}, []string{"--jq"}},
		{"Authorization header", []string{"/v1/products", "-H", "Authorization: Bearer stolen"}, []string{"--header", "Authorization"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := runAPI(t, env, 2, tt.args...)
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
}

// TestBare429Ends: a 429 with no Retry-After and no rate-limit headers is
// retried within the retry budget, then reported (exit 5), never waited on
// forever.
func TestBare429Ends(t *testing.T) {
	sb := testenv.StartSandbox(t, bin)
	sb.Admin(t, "POST", "/_sandbox/faults", map[string]any{"method": "GET", "path": "/v1/products", "status": 429, "bare": true, "count": 50}, nil)
	before := sb.Stats(t).Requests["GET /v1/products"]
	res := testenv.Run(t, bin, sandboxEnv(sb), "products", "list", "--timeout", "5s")
	if res.ExitCode != 5 || !strings.Contains(res.Stderr, "429") {
		t.Fatalf("exit %d, want 5 with the 429\n%s", res.ExitCode, res.Stderr)
	}
	if n := sb.Stats(t).Requests["GET /v1/products"] - before; n < 2 || n > 6 {
		t.Errorf("%d requests for a bare 429, want the retry budget's few", n)
	}
}
