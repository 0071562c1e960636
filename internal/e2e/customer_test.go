package e2e

import (
	"regexp"
	"strings"
	"testing"

	"github.com/connectctl/connectctl/internal/testenv"
)

// customer get|create|update for an ACCOUNT_MANAGER client; a RESELLER
// gets exit 3; bad input is exit 2 before anything is sent (issue 12
// item 6). lastModifiedDate, as the sandbox sends it, reaches the output.
func TestCustomerCommands(t *testing.T) {
	sb := testenv.StartSandbox(t, bin, "--client", "am:am-secret:ACCOUNT_MANAGER")
	am := append(sandboxEnv(sb), "CONNECTCTL_CLIENT_ID=am", "CONNECTCTL_CLIENT_SECRET=am-secret")
	run := func(env []string, want int, args ...string) testenv.Result {
		t.Helper()
		res := testenv.Run(t, bin, env, args...)
		if res.ExitCode != want {
			t.Fatalf("%v: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", args, res.ExitCode, want, res.Stdout, res.Stderr)
		}
		return res
	}
	var created struct {
		ID                 string `json:"id"`
		Email              string `json:"email"`
		FirstName          string `json:"firstName"`
		CountryOfResidence string `json:"countryOfResidence"`
		CreatedDate        string `json:"createdDate"`
		LastModifiedDate   string `json:"lastModifiedDate"`
	}
	res := run(am, 0, "customer", "create", "--email", " ana@example.com ", "--first-name", "Ana", "--country", "pt", "-o", "json")
	decodeJSON(t, res.Stdout, &created)
	if created.ID == "" || created.Email != "ana@example.com" || created.FirstName != "Ana" || created.CountryOfResidence != "PT" ||
		created.CreatedDate == "" || created.LastModifiedDate == "" {
		t.Fatalf("created %+v", created)
	}
	got := run(am, 0, "customer", "get", created.ID).Stdout
	for _, want := range []string{`ID:\s+` + regexp.QuoteMeta(created.ID), `EMAIL:\s+ana@example.com`, `FIRST_NAME:\s+Ana`, `LAST_MODIFIED_DATE:\s+\S+`} {
		if !regexp.MustCompile(`(?m)^` + want + `$`).MatchString(got) {
			t.Errorf("customer get lacks %s:\n%s", want, got)
		}
	}
	if id := strings.TrimSpace(run(am, 0, "customer", "get", "--email", "ana@example.com", "--jq", ".id").Stdout); id != created.ID {
		t.Errorf("get --email: %q, want %q", id, created.ID)
	}
	res = run(am, 0, "customer", "update", created.ID, "--last-name", "Sousa", "--country", "ES", "-o", "json")
	var updated struct {
		LastName           string `json:"lastName"`
		FirstName          string `json:"firstName"`
		CountryOfResidence string `json:"countryOfResidence"`
	}
	decodeJSON(t, res.Stdout, &updated)
	if updated.LastName != "Sousa" || updated.FirstName != "Ana" || updated.CountryOfResidence != "ES" {
		t.Errorf("updated %+v", updated)
	}
	run(am, 4, "customer", "get", "--email", "nobody@example.com")

	// A RESELLER may not: 403 is exit 3.
	if res := run(sandboxEnv(sb), 3, "customer", "get", created.ID); !strings.Contains(res.Stderr, "403") {
		t.Errorf("reseller: %s", res.Stderr)
	}

	before := sb.Stats(t).APIRequests()
	for _, args := range [][]string{
		{"customer", "create"},
		{"customer", "create", "--email", "ana@"},
		{"customer", "create", "--email", "a@example.com", "--country", "Portugal"},
		{"customer", "update", created.ID},
		{"customer", "get"},
		{"customer", "get", "a b"},
		{"customer", "get", created.ID, "--email", "a@example.com"},
	} {
		run(am, 2, args...)
	}
	if n := sb.Stats(t).APIRequests() - before; n != 0 {
		t.Errorf("bad input sent %d requests", n)
	}
}
