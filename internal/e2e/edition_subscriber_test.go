package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/connectctl/connectctl/internal/testenv"
)

// subscriber2024 are the flags of a 2024 order's subscriber (a US address)
// and purchase location.
var subscriber2024 = []string{"--first-name", "Ana", "--last-name", "Silva", "--address-line1", "1 Main St",
	"--city", "Austin", "--postal-code", "78701", "--state", "tx", "--address-country", "US", "--purchase-location", "us-tx"}

// The 2024 order fields (issue 12 item 5): subscriber and purchase location
// from flags and bulk columns, checked before sending, sent only in the
// 2024 edition, required, stored and returned by the 2024 sandbox.
func TestEditionSubscriber(t *testing.T) {
	sb := testenv.StartSandbox(t, bin, "--order-delay", "0", "--edition", "2024")
	env, _ := bulkEnv(t, sb)
	env = append(env, "CONNECTCTL_API_EDITION=2024")

	// Accepted, stored, and shown by order get -o json.
	res := testenv.Run(t, bin, env, append(orderArgs("-o", "json"), subscriber2024...)...)
	if res.ExitCode != 0 {
		t.Fatalf("2024 order: exit %d\n%s%s", res.ExitCode, res.Stdout, res.Stderr)
	}
	var accepted struct{ ID string }
	decodeJSON(t, res.Stdout, &accepted)
	res = testenv.Run(t, bin, env, "order", "get", accepted.ID, "-o", "json")
	var got struct {
		Subscriber       map[string]any `json:"subscriber"`
		PurchaseLocation string         `json:"purchase_location"`
	}
	decodeJSON(t, res.Stdout, &got)
	want := map[string]any{"first_name": "Ana", "last_name": "Silva", "email": "e2e@example.com",
		"address": map[string]any{"line1": "1 Main St", "city": "Austin", "postal_code": "78701", "state": "TX", "country": "US"}}
	if !reflect.DeepEqual(got.Subscriber, want) || got.PurchaseLocation != "US-TX" {
		t.Errorf("order get -o json: %s", res.Stdout)
	}

	// Bad input is refused before any request, naming the flag.
	before := sb.Stats(t).Requests["POST /v1/order"]
	for _, tt := range []struct {
		env      []string
		args     []string
		wantText string
	}{
		{env, append(orderArgs(), append(subscriber2024, "--state", "XX")...), `--state "XX": not a US state code`},
		{env, append(orderArgs(), append(subscriber2024, "--purchase-location", "US")...), "--purchase-location"},
		{env, orderArgs(), "--purchase-location is required"},
		{append(sandboxEnv(sb), "CONNECTCTL_API_EDITION=v1"), orderArgs("--purchase-location", "PT"), "--purchase-location needs --api-edition 2024"},
		{sandboxEnv(sb), orderArgs("--state", "TX"), "--state needs --api-edition 2024"},
	} {
		res := testenv.Run(t, bin, tt.env, tt.args...)
		if res.ExitCode != 2 || !strings.Contains(res.Stderr, tt.wantText) {
			t.Errorf("%v: exit %d, want 2 with %q\n%s", tt.args, res.ExitCode, tt.wantText, res.Stderr)
		}
	}
	if n := sb.Stats(t).Requests["POST /v1/order"] - before; n != 0 {
		t.Errorf("%d orders sent for bad input", n)
	}

	// The raw request without them: the document's RFC 7807 400.
	body := `{"input": {"operationType": "NEW_ESIM", "countryCode": "PT", "customer": {"email": "raw@example.com"},
		"device": {"id": "raw-1", "type": "ios"}, "subscriptions": [{"product_id": "` + europe1GB + `"}]}}`
	file := filepath.Join(t.TempDir(), "order.json")
	if err := os.WriteFile(file, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	res = testenv.Run(t, bin, env, "api", "POST", "/v1/order", "--input", file)
	var p struct {
		Status int `json:"status"`
		Errors []struct {
			Code     string `json:"code"`
			Detail   string `json:"detail"`
			JSONPath string `json:"json_path"`
		} `json:"errors"`
	}
	if err := json.Unmarshal([]byte(res.Stdout), &p); err != nil {
		t.Fatalf("api POST /v1/order: exit %d, %v\n%s%s", res.ExitCode, err, res.Stdout, res.Stderr)
	}
	wantErrs := []struct{ Code, Detail, JSONPath string }{
		{"MISSING_CONDITIONAL_MANDATORY_FIELD", "Field(s) [first_name, last_name, email, address] cannot be null when field [id] is equal to [null]", "$.subscriber.id"},
		{"GENERIC_ERROR", "must not be empty", "$.purchase_location"},
	}
	if p.Status != 400 || len(p.Errors) != len(wantErrs) {
		t.Fatalf("raw order without subscriber: %s", res.Stdout)
	}
	for i, w := range wantErrs {
		if e := p.Errors[i]; e.Code != w.Code || e.Detail != w.Detail || e.JSONPath != w.JSONPath {
			t.Errorf("error %d: %+v, want %+v", i, e, w)
		}
	}

	// Bulk: the columns, and a default (--purchase-location) for every row.
	csv := filepath.Join(t.TempDir(), "team.csv")
	content := "product,email,country,device-type,first-name,last-name,address-line1,city,postal-code,state,address-country\n" +
		europe1GB + ",qc@example.com,CA,ios,Zoé,Roy,1 rue,Montréal,H2X 1Y4,QC,CA\n" +
		europe1GB + ",pt@example.com,PT,android,Rui,Sá,R. Augusta 1,Lisboa,1100-053,,PT\n"
	if err := os.WriteFile(csv, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	res = testenv.Run(t, bin, env, "order", "new", "--from-file", csv, "--purchase-location", "PT", "-o", "ndjson")
	if res.ExitCode != 0 {
		t.Fatalf("bulk 2024: exit %d\n%s%s", res.ExitCode, res.Stdout, res.Stderr)
	}
	rows := parseBulk(t, res.Stdout)
	if len(rows) != 2 {
		t.Fatalf("bulk: %s", res.Stdout)
	}
	for _, r := range rows {
		res := testenv.Run(t, bin, env, "order", "get", r.OrderID, "-o", "json", "--jq", "[.subscriber.address.state // \"\", .subscriber.address.city, .purchase_location] | join(\",\")")
		want := map[string]string{"qc@example.com": "QC,Montréal,PT", "pt@example.com": ",Lisboa,PT"}[r.Email]
		if strings.TrimSpace(res.Stdout) != want {
			t.Errorf("bulk row %d stored %q, want %q", r.Row, res.Stdout, want)
		}
	}
	// The same file in v1: refused, nothing sent.
	before = sb.Stats(t).Requests["POST /v1/order"]
	res = testenv.Run(t, bin, append(env, "CONNECTCTL_API_EDITION=v1"), "order", "new", "--from-file", csv, "--force")
	if res.ExitCode != 2 || !strings.Contains(res.Stderr, "address-line1 needs --api-edition 2024") {
		t.Errorf("bulk v1: exit %d\n%s", res.ExitCode, res.Stderr)
	}
	if n := sb.Stats(t).Requests["POST /v1/order"] - before; n != 0 {
		t.Errorf("bulk v1: %d orders sent", n)
	}
}
