package e2e

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/connectctl/connectctl/internal/testenv"
)

// The acceptance check, as a person would do it: start the sandbox,
// fetch a token with curl, call GET /v1/products with it.
func TestSandboxServeWithCurl(t *testing.T) {
	curl, err := exec.LookPath("curl")
	if err != nil {
		t.Skip("SKIPPED: curl is not installed (.ci/run installs it)")
	}
	sb := testenv.StartSandbox(t, bin)

	out, err := exec.Command(curl, "-sS", "--fail-with-body",
		"-d", "grant_type=client_credentials",
		"-d", "client_id=sandbox", "-d", "client_secret=sandbox",
		sb.TokenURL()).Output()
	if err != nil {
		t.Fatalf("curl token: %v\n%s", err, out)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
		TokenType   string `json:"token_type"`
	}
	if err := json.Unmarshal(out, &tok); err != nil || tok.AccessToken == "" {
		t.Fatalf("token answer %s: %v", out, err)
	}
	if tok.ExpiresIn != 300 {
		t.Errorf("expires_in = %d, want 300 (the default --token-ttl 5m)", tok.ExpiresIn)
	}

	out, err = exec.Command(curl, "-sS", "-i",
		"-H", "Authorization: Bearer "+tok.AccessToken,
		"-H", "X-Correlation-ID: e2e-curl-1",
		sb.URL+"/v1/products").Output()
	if err != nil {
		t.Fatalf("curl products: %v\n%s", err, out)
	}
	head, body, ok := strings.Cut(strings.ReplaceAll(string(out), "\r\n", "\n"), "\n\n")
	if !ok {
		t.Fatalf("no header/body split in:\n%s", out)
	}
	if !strings.HasPrefix(head, "HTTP/1.1 200") {
		t.Fatalf("status line: %q", strings.SplitN(head, "\n", 2)[0])
	}
	headers := map[string]string{}
	for _, line := range strings.Split(head, "\n")[1:] {
		k, v, _ := strings.Cut(line, ":")
		headers[strings.ToLower(strings.TrimSpace(k))] = strings.TrimSpace(v)
	}
	if headers["x-rate-limit-limit"] != "1000" {
		t.Errorf("x-rate-limit-limit = %q, want 1000", headers["x-rate-limit-limit"])
	}
	if headers["x-rate-limit-remaining"] != "999" {
		t.Errorf("x-rate-limit-remaining = %q, want 999", headers["x-rate-limit-remaining"])
	}
	reset, err := strconv.ParseInt(headers["x-rate-limit-reset"], 10, 64)
	if err != nil || time.UnixMilli(reset).Before(time.Now()) || time.UnixMilli(reset).After(time.Now().Add(61*time.Second)) {
		t.Errorf("x-rate-limit-reset = %q: want milliseconds since the epoch within the next minute", headers["x-rate-limit-reset"])
	}
	if headers["x-correlation-id"] != "e2e-curl-1" {
		t.Errorf("X-Correlation-ID = %q, want the one sent", headers["x-correlation-id"])
	}
	var products []map[string]any
	if err := json.Unmarshal([]byte(body), &products); err != nil {
		t.Fatalf("products body: %v\n%s", err, body)
	}
	if len(products) < 12 {
		t.Errorf("catalogue has %d products, want at least 12", len(products))
	}
}

// --state keeps orders, SIMs and subscriptions across a crash and restart.
func TestSandboxStateSurvivesKill(t *testing.T) {
	state := filepath.Join(t.TempDir(), "sandbox.json")
	sb := testenv.StartSandbox(t, bin, "--state", state, "--order-delay", "0")
	token := fetchToken(t, sb.TokenURL())
	products := getJSON[[]map[string]any](t, sb.URL+"/v1/products", token)
	productID := products[0]["id"].(string)

	var accepted struct{ ID, Status string }
	postJSON(t, sb.URL+"/v1/order", token, map[string]any{"input": map[string]any{
		"operationType": "NEW_ESIM",
		"countryCode":   "PT",
		"customer":      map[string]any{"email": "state@example.com"},
		"device":        map[string]any{"id": "dev-state-1", "type": "android"},
		"subscriptions": []map[string]any{{"product_id": productID}},
	}}, http.StatusCreated, &accepted)
	done := getJSON[map[string]any](t, sb.URL+"/v1/order/"+accepted.ID, token)
	if done["status"] != "COMPLETED" {
		t.Fatalf("order status %v, want COMPLETED with --order-delay 0", done["status"])
	}
	iccid := done["output"].(map[string]any)["iccid"].(string)

	sb.Kill()
	sb2 := testenv.StartSandbox(t, bin, "--state", state)
	token2 := fetchToken(t, sb2.TokenURL())
	again := getJSON[map[string]any](t, sb2.URL+"/v1/order/"+accepted.ID, token2)
	if again["status"] != "COMPLETED" || again["output"].(map[string]any)["iccid"] != iccid {
		t.Fatalf("after restart the order is %v", again)
	}
	sim := getJSON[map[string]any](t, sb2.URL+"/v1/sim/"+iccid, token2)
	if sim["iccid"] != iccid {
		t.Fatalf("after restart SIM %s is %v", iccid, sim)
	}
	subs := getJSON[[]map[string]any](t, sb2.URL+"/v1/sim/"+iccid+"/subscriptions", token2)
	if len(subs) != 1 {
		t.Fatalf("after restart SIM %s has %d subscriptions, want 1", iccid, len(subs))
	}
}

func TestSandboxServeRejectsBadFlags(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"remote address", []string{"--addr", "0.0.0.0:0"}, "--allow-remote"},
		{"bad client", []string{"--client", "nosecret"}, "ID:SECRET"},
		{"bad role", []string{"--client", "a:b:ADMIN"}, "RESELLER or ACCOUNT_MANAGER"},
		{"fail rate", []string{"--fail-rate", "1.5"}, "--fail-rate"},
		{"unknown flag", []string{"--bogus"}, "unknown flag"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := testenv.Run(t, bin, nil, append([]string{"sandbox", "serve"}, tt.args...)...)
			if res.ExitCode != 2 {
				t.Fatalf("exit %d, want 2; stderr: %s", res.ExitCode, res.Stderr)
			}
			if !strings.Contains(res.Stderr, tt.want) {
				t.Errorf("stderr %q does not mention %q", res.Stderr, tt.want)
			}
		})
	}
}

func TestVersion(t *testing.T) {
	res := testenv.Run(t, bin, nil, "version")
	if res.ExitCode != 0 || !strings.HasPrefix(res.Stdout, "connectctl ") || !strings.Contains(res.Stdout, "go: go1.") {
		t.Fatalf("version: exit %d\n%s%s", res.ExitCode, res.Stdout, res.Stderr)
	}
}

func fetchToken(t *testing.T, tokenURL string) string {
	t.Helper()
	resp, err := http.PostForm(tokenURL, url.Values{
		"grant_type": {"client_credentials"}, "client_id": {"sandbox"}, "client_secret": {"sandbox"}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || tok.AccessToken == "" {
		t.Fatalf("token: status %d, %v", resp.StatusCode, err)
	}
	return tok.AccessToken
}

func getJSON[T any](t *testing.T, u, token string) T {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var v T
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", u, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	return v
}

func postJSON(t *testing.T, u, token string, body any, wantStatus int, out any) {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, u, bytes.NewReader(b))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var raw json.RawMessage
	_ = json.NewDecoder(resp.Body).Decode(&raw)
	if resp.StatusCode != wantStatus {
		t.Fatalf("POST %s: %d %s", u, resp.StatusCode, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatal(err)
		}
	}
}
