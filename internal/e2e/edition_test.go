package e2e

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/connectctl/connectctl/internal/testenv"
)

// Money in the API's units (issue 12 item 1): the user types and sees major
// amounts; the v1 edition sends them as they are, the 2024 edition as
// integers of the currency's smallest unit (zero-decimal currencies as is,
// three-decimal ones capped at two decimals, as the documents say). Checked
// on what the sandbox stored, read back raw with `connectctl api`.
func TestMoneyInTheEditionsUnits(t *testing.T) {
	for _, tt := range []struct {
		sandbox, client string // editions; client "" is the profile's (v1) or CONNECTCTL_API_EDITION
		viaEnv          bool
		price, currency string
		wantSent        string // the price as the sandbox keeps it, in its edition's units
	}{
		{sandbox: "v1", client: "v1", price: "3.53", currency: "USD", wantSent: "3.53"},
		{sandbox: "2024", client: "2024", price: "3.53", currency: "USD", wantSent: "353"},
		{sandbox: "2024", client: "2024", viaEnv: true, price: "500", currency: "JPY", wantSent: "500"},
		{sandbox: "2024", client: "2024", price: "11900", currency: "KRW", wantSent: "11900"},
		{sandbox: "2024", client: "2024", price: "7.25", currency: "BHD", wantSent: "725"},
		{sandbox: "v1", client: "v1", price: "7.25", currency: "BHD", wantSent: "7.25"},
	} {
		t.Run(tt.sandbox+" "+tt.price+" "+tt.currency, func(t *testing.T) {
			sb := testenv.StartSandbox(t, bin, "--order-delay", "0", "--edition", tt.sandbox)
			env := sandboxEnv(sb)
			args := []string{"--api-edition", tt.client}
			if tt.viaEnv {
				env, args = append(env, "CONNECTCTL_API_EDITION="+tt.client), nil
			}
			run := func(a ...string) testenv.Result {
				t.Helper()
				res := testenv.Run(t, bin, env, append(append([]string{}, args...), a...)...)
				if res.ExitCode != 0 {
					t.Fatalf("%v: exit %d\n%s%s", a, res.ExitCode, res.Stdout, res.Stderr)
				}
				return res
			}
			oargs := append(orderArgs("--wait", "--poll-interval", "100ms", "-o", "json"), "--price", tt.price, "--currency", tt.currency)
			if tt.client == "2024" { // the 2024 edition's subscriber and purchase location (item 5)
				oargs = append(oargs, subscriber2024...)
			}
			res := run(oargs...)
			var o struct {
				Output struct {
					ICCID string `json:"iccid"`
				} `json:"output"`
			}
			decodeJSON(t, res.Stdout, &o)
			raw := run("api", "/v1/sim/"+o.Output.ICCID+"/subscriptions").Stdout
			var subs []map[string]json.RawMessage
			if err := json.Unmarshal([]byte(raw), &subs); err != nil {
				t.Fatalf("%v\n%s", err, raw)
			}
			found := false
			for _, s := range subs {
				if string(s["price"]) == tt.wantSent && string(s["currency"]) == `"`+tt.currency+`"` {
					found = true
				}
			}
			if !found {
				t.Errorf("the sandbox kept no plan priced %s %s:\n%s", tt.wantSent, tt.currency, raw)
			}
		})
	}

	// Prices read: the 2024 sandbox sends {"USD": 549}, shown as 5.49 USD;
	// JPY 800 stays 800.
	sb := testenv.StartSandbox(t, bin, "--edition", "2024")
	env := append(sandboxEnv(sb), "CONNECTCTL_API_EDITION=2024")
	raw := testenv.Run(t, bin, env, "api", "/v1/products").Stdout
	if !strings.Contains(raw, `"USD": 549`) && !strings.Contains(raw, `"USD":549`) {
		t.Fatalf("the 2024 sandbox does not send minor units:\n%s", raw)
	}
	for cur, want := range map[string]string{"USD": "5.49 USD", "JPY": "800 JPY"} {
		res := testenv.Run(t, bin, env, "products", "get", europe1GB, "--currency", cur)
		if !regexp.MustCompile(`(?m)^PRICING:\s+` + regexp.QuoteMeta(want) + `$`).MatchString(res.Stdout) {
			t.Errorf("2024 price in %s: want %s\n%s%s", cur, want, res.Stdout, res.Stderr)
		}
	}
	res := testenv.Run(t, bin, env, "products", "get", europe1GB, "--currency", "USD", "-o", "json", "--jq", ".pricing.USD")
	if strings.TrimSpace(res.Stdout) != "5.49" {
		t.Errorf("-o json pricing in 2024: %q, want 5.49 (major units whatever the edition)", res.Stdout)
	}

	// A client speaking v1 to a 2024 server sends 3.53: refused with an
	// RFC 7807 400 naming the field (exit 5).
	res = testenv.Run(t, bin, append(sandboxEnv(sb), "CONNECTCTL_API_EDITION=v1"),
		append(orderArgs("-o", "json"), "--price", "3.53", "--currency", "USD")...)
	if res.ExitCode != 5 || !strings.Contains(res.Stderr, "$.input.subscriptions[0].price") || !strings.Contains(res.Stderr, "integer") {
		t.Errorf("v1 price to a 2024 server: exit %d\n%s", res.ExitCode, res.Stderr)
	}

	// A bad edition is a usage error before anything is sent.
	for _, a := range [][]string{{"--api-edition", "2023", "products", "list"}} {
		if res := testenv.Run(t, bin, sandboxEnv(sb), a...); res.ExitCode != 2 || !strings.Contains(res.Stderr, "want v1 or 2024") {
			t.Errorf("%v: exit %d %s", a, res.ExitCode, res.Stderr)
		}
	}
	if res := testenv.Run(t, bin, nil, "sandbox", "serve", "--edition", "2025"); res.ExitCode != 2 {
		t.Errorf("sandbox serve --edition 2025: exit %d", res.ExitCode)
	}
}
