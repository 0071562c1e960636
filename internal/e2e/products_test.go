package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/connectctl/connectctl/internal/testenv"
)

// checkGolden compares got with testdata/name; UPDATE_GOLDEN=1 rewrites it.
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if os.Getenv("UPDATE_GOLDEN") == "1" {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with UPDATE_GOLDEN=1 to create it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (UPDATE_GOLDEN=1 rewrites it)\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

// runOK runs the binary and fails the test unless it exits 0.
func runOK(t *testing.T, env []string, args ...string) testenv.Result {
	t.Helper()
	res := testenv.Run(t, bin, env, args...)
	if res.ExitCode != 0 {
		t.Fatalf("%v: exit %d\nstdout:\n%s\nstderr:\n%s", args, res.ExitCode, res.Stdout, res.Stderr)
	}
	return res
}

// decodeJSON parses stdout into out, failing the test with the text.
func decodeJSON(t *testing.T, s string, out any) {
	t.Helper()
	if err := json.Unmarshal([]byte(s), out); err != nil {
		t.Fatalf("stdout is not the JSON expected: %v\n%s", err, s)
	}
}

type productJSON struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Period      int    `json:"period"`
	PeriodUnit  string `json:"period_unit"`
	Data        struct {
		Value float64 `json:"value"`
		Unit  string  `json:"unit"`
	} `json:"data"`
	Footprint       []string           `json:"footprint"`
	ActiveCountries []string           `json:"activeCountries"`
	Pricing         map[string]float64 `json:"pricing"`
	Region          string             `json:"region"`
	PlanID          string             `json:"plan_id"`
}

func TestProductsList(t *testing.T) {
	sb := testenv.StartSandbox(t, bin)
	env := sandboxEnv(sb)

	t.Run("table", func(t *testing.T) {
		res := runOK(t, env, "products", "list")
		checkGolden(t, "products_list.golden", res.Stdout)
	})
	t.Run("table for a country in a currency, wide columns", func(t *testing.T) {
		res := runOK(t, env, "products", "list", "--country", "jp", "--currency", "usd", "--columns", "name,data,period,price,footprint")
		checkGolden(t, "products_list_jp_usd.golden", res.Stdout)
	})
	t.Run("no headers", func(t *testing.T) {
		res := runOK(t, env, "products", "list", "--country", "PT", "--columns", "id", "--no-headers")
		got := strings.Fields(res.Stdout)
		if len(got) == 0 || slices.Contains(got, "ID") || !slices.Contains(got, europe1GB) {
			t.Fatalf("ids %v", got)
		}
	})
	t.Run("json", func(t *testing.T) {
		res := runOK(t, env, "products", "list", "-o", "json")
		var prods []productJSON
		decodeJSON(t, res.Stdout, &prods)
		if len(prods) != 15 {
			t.Fatalf("%d products, want the 15 of the catalogue", len(prods))
		}
		var raw []map[string]any
		decodeJSON(t, res.Stdout, &raw)
		for i, p := range prods {
			if p.Data.Unit == "" || p.Data.Value <= 0 || p.Period <= 0 || p.Pricing["EUR"] <= 0 {
				t.Errorf("product %d is not in canonical form: %+v", i, p)
			}
			if _, ok := raw[i]["data"].(map[string]any)["units"]; ok {
				t.Errorf("product %d spells data.units; the canonical name is data.unit", i)
			}
		}
		if prods[0].ID != europe1GB {
			t.Errorf("first id %q: ids must pass through unchanged", prods[0].ID)
		}
	})
	t.Run("country filter and currency", func(t *testing.T) {
		res := runOK(t, env, "products", "list", "--country", "JP", "--currency", "USD", "-o", "json")
		var prods []productJSON
		decodeJSON(t, res.Stdout, &prods)
		if len(prods) != 4 {
			t.Errorf("%d products cover JP, want 4 (global, global, asia, japan)", len(prods))
		}
		for _, p := range prods {
			if !slices.Contains(p.Footprint, "JP") {
				t.Errorf("%s does not cover JP: %v", p.Name, p.Footprint)
			}
			if len(p.Pricing) != 1 || p.Pricing["USD"] <= 0 {
				t.Errorf("%s pricing %v, want USD only", p.Name, p.Pricing)
			}
		}
	})
	t.Run("a country nothing covers is an empty list", func(t *testing.T) {
		res := runOK(t, env, "products", "list", "--country", "AQ", "-o", "json")
		if strings.TrimSpace(res.Stdout) != "[]" {
			t.Fatalf("stdout %q, want []", res.Stdout)
		}
	})
	t.Run("plan id", func(t *testing.T) {
		res := runOK(t, env, "products", "list", "--plan-id", "1GLOBAL-PARTNER", "-o", "json")
		var prods []productJSON
		decodeJSON(t, res.Stdout, &prods)
		if len(prods) != 2 {
			t.Fatalf("%d partner products, want 2", len(prods))
		}
		for _, p := range prods {
			if p.PlanID != "1GLOBAL-PARTNER" {
				t.Errorf("%s plan %s", p.Name, p.PlanID)
			}
		}
	})
	t.Run("limit", func(t *testing.T) {
		res := runOK(t, env, "products", "list", "--limit", "3", "-o", "ndjson")
		lines := strings.Split(strings.TrimSpace(res.Stdout), "\n")
		if len(lines) != 3 {
			t.Fatalf("%d lines, want 3:\n%s", len(lines), res.Stdout)
		}
		var p productJSON
		decodeJSON(t, lines[2], &p)
		res = runOK(t, env, "products", "list", "--all", "--jq", "length")
		if strings.TrimSpace(res.Stdout) != "15" {
			t.Fatalf("--all --jq length = %q", res.Stdout)
		}
	})
}

func TestProductsGet(t *testing.T) {
	sb := testenv.StartSandbox(t, bin)
	env := sandboxEnv(sb)
	// Ids hold '/', '+' and '=' (europe1GB) or '-' and '_'; both pass through.
	for _, id := range []string{europe1GB, "TEo-WSkVbX3k89uV0qd2E61So8dONd_Yek4b0uCEf44="} {
		res := runOK(t, env, "products", "get", id, "-o", "json")
		var p productJSON
		decodeJSON(t, res.Stdout, &p)
		if p.ID != id || p.Name == "" || p.Data.Unit == "" {
			t.Errorf("get %s: %+v", id, p)
		}
	}
	t.Run("table", func(t *testing.T) {
		res := runOK(t, env, "products", "get", europe1GB)
		checkGolden(t, "products_get.golden", res.Stdout)
	})
	t.Run("currency", func(t *testing.T) {
		// CAD is no list price of this product: the API converts it.
		res := runOK(t, env, "products", "get", europe1GB, "--currency", "cad", "-o", "json")
		var p productJSON
		decodeJSON(t, res.Stdout, &p)
		if len(p.Pricing) != 1 || p.Pricing["CAD"] <= 0 {
			t.Fatalf("pricing %v, want CAD only", p.Pricing)
		}
		res = runOK(t, env, "products", "get", europe1GB, "--currency", "GBP", "--columns", "price", "--no-headers")
		if strings.TrimSpace(res.Stdout) != "4.29 GBP" {
			t.Fatalf("price %q, want 4.29 GBP", res.Stdout)
		}
	})
	t.Run("unknown product exits 4", func(t *testing.T) {
		res := testenv.Run(t, bin, env, "products", "get", "bm8tc3VjaC1wcm9kdWN0/w==")
		if res.ExitCode != 4 || !strings.Contains(res.Stderr, "404") {
			t.Fatalf("exit %d stderr %s", res.ExitCode, res.Stderr)
		}
	})
	t.Run("unknown product with -o json prints a JSON error", func(t *testing.T) {
		res := testenv.Run(t, bin, env, "products", "get", "bm8tc3VjaC1wcm9kdWN0/w==", "-o", "json")
		if res.ExitCode != 4 || res.Stdout != "" || !strings.Contains(res.Stderr, `"status":404`) {
			t.Fatalf("exit %d stdout %q stderr %s", res.ExitCode, res.Stdout, res.Stderr)
		}
	})
}

// Bad input is refused with exit 2 before anything reaches the API.
func TestProductsBadInputSendsNothing(t *testing.T) {
	sb := testenv.StartSandbox(t, bin)
	env := sandboxEnv(sb)
	tests := []struct {
		name string
		args []string
		want []string // every one in stderr
	}{
		{"UK is not a code", []string{"products", "list", "--country", "UK"}, []string{"--country", `"UK"`, "GB"}},
		{"country not two letters", []string{"products", "list", "--country", "Portugal"}, []string{"--country", `"Portugal"`, "alpha-2"}},
		{"unsupported currency", []string{"products", "list", "--currency", "XYZ"}, []string{"--currency", `"XYZ"`, "supports"}},
		{"currency not a code", []string{"products", "list", "--currency", "euro"}, []string{"--currency", `"euro"`, "three-letter"}},
		{"empty plan id", []string{"products", "list", "--plan-id", ""}, []string{"--plan-id", "empty"}},
		{"limit 0", []string{"products", "list", "--limit", "0"}, []string{"--limit 0", "positive"}},
		{"limit and all", []string{"products", "list", "--limit", "5", "--all"}, []string{"--limit 5 and --all"}},
		{"unknown column", []string{"products", "list", "--columns", "id,colour"}, []string{"--columns", `"colour"`, "pricing"}},
		{"bad output", []string{"products", "list", "-o", "xml"}, []string{"--output", `"xml"`, "json"}},
		{"get without id", []string{"products", "get"}, []string{"wants PRODUCT_ID"}},
		{"get with a blank id", []string{"products", "get", " "}, []string{"product id", "empty"}},
		{"get with a bad currency", []string{"products", "get", europe1GB, "--currency", "EU"}, []string{"--currency", `"EU"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := testenv.Run(t, bin, env, tt.args...)
			if res.ExitCode != 2 || res.Stdout != "" {
				t.Fatalf("exit %d stdout %q stderr %q; want exit 2", res.ExitCode, res.Stdout, res.Stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(res.Stderr, w) {
					t.Errorf("stderr %q does not mention %q", res.Stderr, w)
				}
			}
		})
	}
	st := sb.Stats(t)
	if st.TokenRequests != 0 || st.APIRequests() != 0 {
		t.Fatalf("bad input reached the sandbox: %d token requests, %v", st.TokenRequests, st.Requests)
	}
}
