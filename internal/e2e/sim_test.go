package e2e

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/connectctl/connectctl/internal/lpa"
	"github.com/connectctl/connectctl/internal/qr/qrtest"
	"github.com/connectctl/connectctl/internal/testenv"
	"github.com/connectctl/connectctl/internal/validate"
)

// A valid EID (mod 97 = 1) and the same with wrong check digits.
const (
	simGoodEID = "89049032004008882600019002594762"
	simBadEID  = "89049032004008882600019002594763"
	// Well formed, wrong Luhn digit: the documents' own typo.
	simBadLuhn = "8944474600000109299"
)

var simICCIDLine = regexp.MustCompile(`(?m)^ICCID:\s+(89\d+)$`)

// simUnknownICCID is Luhn-valid and never issued by a sandbox.
func simUnknownICCID(t *testing.T) string {
	t.Helper()
	payload := "894447869999999999"
	d, err := validate.LuhnCheckDigit(payload)
	if err != nil {
		t.Fatal(err)
	}
	return payload + string(d)
}

// simOrder orders a 1 GB eSIM (as the client env names) and returns its ICCID.
func simOrder(t *testing.T, env []string, extra ...string) string {
	t.Helper()
	res := testenv.Run(t, bin, env, orderArgs(append([]string{"--wait", "--poll-interval", "100ms"}, extra...)...)...)
	m := simICCIDLine.FindStringSubmatch(res.Stdout)
	if res.ExitCode != 0 || m == nil {
		t.Fatalf("order new: exit %d\nstdout:\n%s\nstderr:\n%s", res.ExitCode, res.Stdout, res.Stderr)
	}
	return m[1]
}

// simOK runs a command that must succeed.
func simOK(t *testing.T, env []string, args ...string) testenv.Result {
	t.Helper()
	res := testenv.Run(t, bin, env, args...)
	if res.ExitCode != 0 {
		t.Fatalf("%v: exit %d\nstdout:\n%s\nstderr:\n%s", args, res.ExitCode, res.Stdout, res.Stderr)
	}
	return res
}

// simExit runs a command that must end with code, mentioning want on stderr.
func simExit(t *testing.T, env []string, code int, want string, args ...string) testenv.Result {
	t.Helper()
	res := testenv.Run(t, bin, env, args...)
	if res.ExitCode != code || !strings.Contains(res.Stderr, want) {
		t.Fatalf("%v: exit %d, want %d mentioning %q\nstdout:\n%s\nstderr:\n%s", args, res.ExitCode, code, want, res.Stdout, res.Stderr)
	}
	return res
}

func simDecode[T any](t *testing.T, res testenv.Result) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(res.Stdout), &v); err != nil {
		t.Fatalf("stdout is not the JSON expected: %v\n%s", err, res.Stdout)
	}
	return v
}

// simTSV splits tab-separated output into rows of cells.
func simTSV(out string) [][]string {
	var rows [][]string
	for _, l := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
		if l != "" {
			rows = append(rows, strings.Split(l, "\t"))
		}
	}
	return rows
}

type simJSONSIM struct {
	ICCID        string `json:"iccid"`
	EID          string `json:"eid"`
	MatchingID   string `json:"matching_id"`
	Status       string `json:"status"`
	LPAURL       string `json:"lpa_url"`
	LastModified string `json:"last_modified"`
}

type simJSONSub struct {
	ID             string `json:"id"`
	Status         string `json:"status"`
	InitialBalance int64  `json:"initialBalance"`
	SpentBalance   int64  `json:"spentBalance"`
	ExpirationDate string `json:"expirationDate"`
	ICCID          string `json:"iccid"`
	AutoRenew      bool   `json:"auto_renew"`
	Product        struct {
		ID string `json:"id"`
	} `json:"product"`
}

type simJSONUsage struct {
	ICCID         string  `json:"iccid"`
	Subscriptions int     `json:"subscriptions"`
	InitialBytes  int64   `json:"initial_bytes"`
	SpentBytes    int64   `json:"spent_bytes"`
	LeftBytes     int64   `json:"left_bytes"`
	PercentUsed   float64 `json:"percent_used"`
	NearestExpiry *string `json:"nearest_expiry"`
}

func simSetStatus(t *testing.T, sb *testenv.Sandbox, iccid, status string) {
	t.Helper()
	sb.Admin(t, http.MethodPut, "/_sandbox/sims/"+iccid+"/status", map[string]string{"status": status}, nil)
}

func TestSIMListGetQRSubs(t *testing.T) {
	sb := testenv.StartSandbox(t, bin, "--order-delay", "0")
	env := sandboxEnv(sb)
	a, b := simOrder(t, env), simOrder(t, env)

	t.Run("list table", func(t *testing.T) {
		rows := simTSV(simOK(t, env, "sim", "list").Stdout)
		if len(rows) != 3 || strings.Join(rows[0], ",") != "ICCID,STATUS,EID,LAST_MODIFIED" {
			t.Fatalf("rows %q", rows)
		}
		if rows[1][0] != a || rows[2][0] != b || rows[1][1] != "Released" || rows[2][1] != "Released" {
			t.Fatalf("rows %q", rows)
		}
	})
	t.Run("list json is the canonical SIM", func(t *testing.T) {
		list := simDecode[[]simJSONSIM](t, simOK(t, env, "sim", "list", "-o", "json"))
		if len(list) != 2 || list[0].ICCID != a || list[1].ICCID != b {
			t.Fatalf("%+v", list)
		}
		for _, s := range list {
			// Both ICCID parities (matching_id/status vs matchingId/profileStatus)
			// and every lpa_url spelling come out the same way.
			if s.Status != "Released" || s.MatchingID == "" || s.LPAURL != "LPA:1$rsp.truphone.com$"+s.MatchingID || s.LastModified == "" {
				t.Errorf("not canonical: %+v", s)
			}
		}
	})
	t.Run("list ndjson", func(t *testing.T) {
		lines := strings.Split(strings.TrimSpace(simOK(t, env, "sim", "list", "-o", "ndjson").Stdout), "\n")
		if len(lines) != 2 || !strings.HasPrefix(lines[0], `{"iccid":"`+a+`"`) {
			t.Fatalf("%q", lines)
		}
	})
	t.Run("list --columns iccid fetches no details", func(t *testing.T) {
		before := sb.Stats(t).Requests["GET /v1/sim/{iccid}"]
		res := simOK(t, env, "sim", "list", "--columns", "iccid", "--no-headers")
		if strings.TrimSpace(res.Stdout) != a+"\n"+b {
			t.Fatalf("%q", res.Stdout)
		}
		if after := sb.Stats(t).Requests["GET /v1/sim/{iccid}"]; after != before {
			t.Fatalf("%d detail requests for an ICCID-only list", after-before)
		}
	})
	t.Run("get table and json", func(t *testing.T) {
		// A detail view: "LABEL: value" lines, in a pipe as on a terminal.
		out := simOK(t, env, "sim", "get", a).Stdout
		if !regexp.MustCompile(`(?m)^ICCID:\s+`+a+`$`).MatchString(out) || !regexp.MustCompile(`(?m)^STATUS:\s+Released$`).MatchString(out) {
			t.Fatalf("%s", out)
		}
		s := simDecode[simJSONSIM](t, simOK(t, env, "sim", "get", b, "-o", "json"))
		if s.ICCID != b || s.Status != "Released" || !strings.HasPrefix(s.LPAURL, "LPA:1$rsp.truphone.com$") {
			t.Fatalf("%+v", s)
		}
	})
	t.Run("get --qr with json: data on stdout, QR on stderr", func(t *testing.T) {
		res := simOK(t, env, "sim", "get", a, "-o", "json", "--qr")
		s := simDecode[simJSONSIM](t, res)
		if !strings.Contains(res.Stderr, "█") || !strings.Contains(res.Stderr, s.LPAURL) {
			t.Fatalf("no QR on stderr:\n%s", res.Stderr)
		}
	})
	t.Run("qr and png scan to the code", func(t *testing.T) {
		zbar := qrtest.Zbarimg(t)
		png := filepath.Join(t.TempDir(), "sim.png")
		res := simOK(t, env, "sim", "qr", a, "--png", png)
		codeLine := regexp.MustCompile(`(?m)^ACTIVATION_CODE:\s+(\S+)$`).FindStringSubmatch(res.Stdout)
		if codeLine == nil || !strings.Contains(res.Stdout, "IOS_INSTALL_URL:  https://esimsetup.apple.com/esim_qrcode_provisioning?carddata=LPA%3A1%24rsp.truphone.com%24") {
			t.Fatalf("stdout:\n%s", res.Stdout)
		}
		code, err := lpa.Parse(codeLine[1])
		if err != nil || code.String() != codeLine[1] {
			t.Fatalf("code %q: %v", codeLine[1], err)
		}
		if got, err := qrtest.DecodeFile(zbar, png); err != nil || got != code.String() {
			t.Fatalf("PNG decodes to %q (%v)", got, err)
		}
		_, rest, _ := strings.Cut(res.Stdout, "\n\n")
		lines := strings.Split(strings.TrimRight(rest, "\n"), "\n")
		if len(lines) < 10 || lines[len(lines)-1] != code.String() {
			t.Fatalf("QR block not followed by the code:\n%s", rest)
		}
		img, err := qrtest.TerminalToImage(strings.Join(lines[:len(lines)-1], "\n") + "\n")
		if err != nil {
			t.Fatal(err)
		}
		if got, err := qrtest.Decode(t, zbar, img, "terminal"); err != nil || got != code.String() {
			t.Fatalf("terminal QR decodes to %q (%v)", got, err)
		}
	})
	t.Run("qr json", func(t *testing.T) {
		res := simOK(t, env, "sim", "qr", b, "-o", "json")
		q := simDecode[map[string]string](t, res)
		if q["iccid"] != b || !strings.HasPrefix(q["activation_code"], "LPA:1$") ||
			!strings.HasPrefix(q["ios_install_url"], lpa.AppleInstallBase) || !strings.Contains(res.Stderr, "█") {
			t.Fatalf("%v\nstderr:\n%s", q, res.Stderr)
		}
	})
	t.Run("read-only commands warn on a wrong Luhn digit and go on", func(t *testing.T) {
		res := simExit(t, env, 4, "404", "sim", "get", simBadLuhn)
		if !strings.Contains(res.Stderr, "warning: ICCID") {
			t.Fatalf("no warning: %s", res.Stderr)
		}
	})
	t.Run("subs table and json", func(t *testing.T) {
		rows := simTSV(simOK(t, env, "sim", "subs", a).Stdout)
		if len(rows) != 2 || strings.Join(rows[0], ",") != "PRODUCT,STATUS,SPENT_BALANCE,LEFT,EXPIRATION_DATE" ||
			rows[1][1] != "ACTIVE" || rows[1][2] != "0 B" || rows[1][3] != "1 GB" {
			t.Fatalf("%q", rows)
		}
		wide := simTSV(simOK(t, env, "sim", "subs", a, "--columns", "id,activated,total").Stdout)
		if len(wide) != 2 || wide[1][0] == "" || wide[1][2] != "1 GB" {
			t.Fatalf("%q", wide)
		}
		subs := simDecode[[]simJSONSub](t, simOK(t, env, "sim", "subs", a, "-o", "json"))
		if len(subs) != 1 || subs[0].InitialBalance != 1<<30 || subs[0].ICCID != a || subs[0].Product.ID != europe1GB {
			t.Fatalf("%+v", subs)
		}
	})
	t.Run("an empty list is success", func(t *testing.T) {
		sb2 := testenv.StartSandbox(t, bin)
		res := simOK(t, sandboxEnv(sb2), "sim", "list", "-o", "json")
		if strings.TrimSpace(res.Stdout) != "[]" {
			t.Fatalf("%q", res.Stdout)
		}
	})
}

func TestSIMUsage(t *testing.T) {
	sb := testenv.StartSandbox(t, bin, "--order-delay", "0")
	env := sandboxEnv(sb)
	const gb = int64(1) << 30
	// One SIM with two ACTIVE plans (1 GB each) and a third, future-dated one.
	iccid := simOrder(t, env, "--product", europe1GB)
	future := time.Now().Add(3 * time.Hour).UTC().Format(time.RFC3339)
	pendingSIM := simOrder(t, env, "--activation-date", future)

	sb.Admin(t, http.MethodPost, "/_sandbox/usage", map[string]any{"iccid": iccid, "bytes": 300 << 20}, nil)

	u := simDecode[simJSONUsage](t, simOK(t, env, "sim", "usage", iccid, "-o", "json"))
	if u.ICCID != iccid || u.Subscriptions != 2 || u.InitialBytes != 2*gb || u.SpentBytes != 300<<20 ||
		u.LeftBytes != 2*gb-300<<20 || u.PercentUsed != 14.6 || u.NearestExpiry == nil {
		t.Fatalf("%+v", u)
	}
	if _, err := time.Parse(time.RFC3339, *u.NearestExpiry); err != nil {
		t.Fatalf("nearest_expiry %q: %v", *u.NearestExpiry, err)
	}
	out := simOK(t, env, "sim", "usage", iccid).Stdout
	for _, want := range []string{`SUBSCRIPTIONS:\s+2`, `INITIAL_BYTES:\s+2 GB`, `SPENT_BYTES:\s+300 MB`, `LEFT_BYTES:\s+1.7 GB`, `PERCENT_USED:\s+14.6%`} {
		if !regexp.MustCompile(`(?m)^` + want + `$`).MatchString(out) {
			t.Fatalf("sim usage lacks %s:\n%s", want, out)
		}
	}

	// Use up the first plan: DEPLETED drops out of the sums.
	sb.Admin(t, http.MethodPost, "/_sandbox/usage", map[string]any{"iccid": iccid, "bytes": gb - 300<<20}, nil)
	u = simDecode[simJSONUsage](t, simOK(t, env, "sim", "usage", iccid, "-o", "json"))
	if u.Subscriptions != 1 || u.InitialBytes != gb || u.SpentBytes != 0 || u.LeftBytes != gb || u.PercentUsed != 0 {
		t.Fatalf("after depletion: %+v", u)
	}
	subs := simDecode[[]simJSONSub](t, simOK(t, env, "sim", "subs", iccid, "-o", "json"))
	if len(subs) != 2 || subs[0].Status != "DEPLETED" || subs[1].Status != "ACTIVE" {
		t.Fatalf("%+v", subs)
	}

	// Use up the second plan too: with no ACTIVE plan the DEPLETED ones count,
	// as 100 % used, and the output says so.
	sb.Admin(t, http.MethodPost, "/_sandbox/usage", map[string]any{"iccid": iccid, "bytes": gb}, nil)
	res0 := simOK(t, env, "sim", "usage", iccid, "-o", "json")
	u = simDecode[simJSONUsage](t, res0)
	if u.Subscriptions != 0 || u.InitialBytes != 2*gb || u.SpentBytes != 2*gb || u.LeftBytes != 0 || u.PercentUsed != 100 ||
		!strings.Contains(res0.Stdout, `"counted": "DEPLETED"`) || !strings.Contains(res0.Stderr, "counted the 2 DEPLETED subscription(s)") {
		t.Fatalf("used up: %+v\nstdout %s\nstderr %s", u, res0.Stdout, res0.Stderr)
	}
	if out := simOK(t, env, "sim", "usage", iccid, "--jq", "select(.percent_used > 80) | .iccid").Stdout; strings.TrimSpace(out) != iccid {
		t.Fatalf("the README's 80 %% recipe misses a used-up SIM: %q", out)
	}

	// A PENDING plan is not counted, and the note says so.
	res := simOK(t, env, "sim", "usage", pendingSIM, "-o", "json")
	u = simDecode[simJSONUsage](t, res)
	if u.Subscriptions != 0 || u.InitialBytes != 0 || u.LeftBytes != 0 || u.NearestExpiry != nil ||
		!strings.Contains(res.Stderr, "1 PENDING") || !strings.Contains(res.Stdout, `"nearest_expiry": null`) {
		t.Fatalf("%+v\nstdout %s\nstderr %s", u, res.Stdout, res.Stderr)
	}
}

func TestSIMMoveAndDelete(t *testing.T) {
	sb := testenv.StartSandbox(t, bin, "--order-delay", "0")
	env := sandboxEnv(sb)
	iccid := simOrder(t, env)

	t.Run("move a Released profile", func(t *testing.T) {
		res := simOK(t, env, "sim", "move", iccid, "--eid", simGoodEID)
		if res.Stdout != "" || !strings.Contains(res.Stderr, simGoodEID) || !strings.Contains(res.Stderr, "Apple devices only") {
			t.Fatalf("stdout %q stderr %q", res.Stdout, res.Stderr)
		}
		s := simDecode[simJSONSIM](t, simOK(t, env, "sim", "get", iccid, "-o", "json"))
		if s.EID != simGoodEID || s.Status != "Released" {
			t.Fatalf("%+v", s)
		}
	})
	t.Run("move an Installed profile is refused by the API: exit 5", func(t *testing.T) {
		simSetStatus(t, sb, iccid, "Installed")
		simExit(t, env, 5, "Released or Unavailable", "sim", "move", iccid, "--eid", simGoodEID)
	})
	t.Run("move a Downloaded profile: exit 5", func(t *testing.T) {
		simSetStatus(t, sb, iccid, "Downloaded")
		simExit(t, env, 5, "400", "sim", "move", iccid, "--eid", simGoodEID)
	})
	t.Run("move an Unavailable profile, json", func(t *testing.T) {
		simSetStatus(t, sb, iccid, "Unavailable")
		s := simDecode[simJSONSIM](t, simOK(t, env, "sim", "move", iccid, "--eid", simGoodEID, "-o", "json"))
		if s.ICCID != iccid || s.Status != "Released" || s.EID != simGoodEID {
			t.Fatalf("%+v", s)
		}
	})
	t.Run("--ignore-checksum sends a bad EID, which the API refuses", func(t *testing.T) {
		res := simExit(t, env, 5, "400", "sim", "move", iccid, "--eid", simBadEID, "--ignore-checksum")
		if !strings.Contains(res.Stderr, "warning: --eid") {
			t.Fatalf("no warning: %s", res.Stderr)
		}
	})

	fresh := simOrder(t, env)
	t.Run("delete without --yes and no terminal: exit 2, nothing deleted", func(t *testing.T) {
		before := sb.Stats(t).Requests["DELETE /v1/sim/{iccid}"]
		simExit(t, env, 2, "--yes", "sim", "delete", fresh)
		if n := sb.Stats(t).Requests["DELETE /v1/sim/{iccid}"]; n != before {
			t.Fatalf("a DELETE was sent")
		}
		simOK(t, env, "sim", "get", fresh)
	})
	t.Run("delete --yes: gone", func(t *testing.T) {
		res := simOK(t, env, "sim", "delete", fresh, "--yes")
		if !strings.Contains(res.Stderr, "Deleted SIM "+fresh) {
			t.Fatalf("%q", res.Stderr)
		}
		simExit(t, env, 4, "404", "sim", "get", fresh)
		simExit(t, env, 4, "404", "sim", "delete", fresh, "-y")
	})
	t.Run("delete a SIM that was used: exit 5", func(t *testing.T) {
		used := simOrder(t, env)
		sb.Admin(t, http.MethodPost, "/_sandbox/usage", map[string]any{"iccid": used, "bytes": 1 << 20}, nil)
		simExit(t, env, 5, "cannot be deleted", "sim", "delete", used, "--yes")
	})
}

// Bad input is refused with exit 2 before anything reaches the API.
func TestSIMBadInputSendsNothing(t *testing.T) {
	sb := testenv.StartSandbox(t, bin)
	env := sandboxEnv(sb)
	const good = "8944478600000205337"
	dir := t.TempDir()
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"get: too short", []string{"sim", "get", "8944"}, `ICCID "8944"`},
		{"get: letters", []string{"sim", "get", "89444786000002053x7"}, "ICCID"},
		{"get: no ICCID", []string{"sim", "get"}, "missing ICCID"},
		{"get: two ICCIDs", []string{"sim", "get", good, good}, "takes one ICCID"},
		{"unknown sim command", []string{"sim", "show", good}, `unknown command "show"`},
		{"get: png into a folder", []string{"sim", "get", good, "--qr-png", dir + "/"}, "--qr-png"},
		{"qr: bad ICCID", []string{"sim", "qr", "12345678901234567890"}, "ICCID"},
		{"qr: png into a folder", []string{"sim", "qr", good, "--png", dir + "/"}, "--png"},
		{"subs: bad ICCID", []string{"sim", "subs", "89"}, "ICCID"},
		{"usage: bad ICCID", []string{"sim", "usage", "abc"}, "ICCID"},
		{"usage: unknown column", []string{"sim", "usage", good, "--columns", "iccid,bogus"}, `unknown column "bogus"`},
		{"move: wrong Luhn digit", []string{"sim", "move", simBadLuhn, "--eid", simGoodEID}, "--ignore-checksum"},
		{"move: no --eid", []string{"sim", "move", good}, "--eid is required"},
		{"move: bad EID checksum", []string{"sim", "move", good, "--eid", simBadEID}, "--eid"},
		{"move: EID too short", []string{"sim", "move", good, "--eid", "8904903200400888", "--ignore-checksum"}, "expected 32"},
		{"delete: wrong Luhn digit", []string{"sim", "delete", simBadLuhn, "--yes"}, "--ignore-checksum"},
		{"delete: no --yes without a terminal", []string{"sim", "delete", good}, "add --yes"},
		{"list: limit 0", []string{"sim", "list", "--limit", "0"}, "--limit 0"},
		{"list: limit and all", []string{"sim", "list", "--limit", "5", "--all"}, "do not go together"},
		{"list: unknown column", []string{"sim", "list", "--columns", "iccid,colour"}, `unknown column "colour"`},
		{"list: bad output", []string{"sim", "list", "-o", "xml"}, "--output"},
		{"list: bad jq", []string{"sim", "list", "-o", "json", "--jq", ".[["}, "--jq"},
		{"list: an argument", []string{"sim", "list", good}, "takes no arguments"},
		{"list: unknown flag", []string{"sim", "list", "--colour"}, "unknown flag"},
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
	if _, err := os.Stat(filepath.Join(dir, "sim.png")); err == nil {
		t.Fatal("a PNG was written")
	}
}

func TestSIMErrorExitCodes(t *testing.T) {
	sb := testenv.StartSandbox(t, bin, "--order-delay", "0", "--client", "other:other")
	env := sandboxEnv(sb)
	other := append(sandboxEnv(sb), "CONNECTCTL_CLIENT_ID=other", "CONNECTCTL_CLIENT_SECRET=other")
	theirs := simOrder(t, other)
	mine := simOrder(t, env)

	t.Run("another client's SIM: 403, exit 3", func(t *testing.T) {
		for _, cmd := range [][]string{
			{"sim", "get", theirs}, {"sim", "qr", theirs}, {"sim", "subs", theirs}, {"sim", "usage", theirs},
			{"sim", "move", theirs, "--eid", simGoodEID}, {"sim", "delete", theirs, "--yes"},
		} {
			simExit(t, env, 3, "403", cmd...)
		}
		// Still there for its owner.
		simOK(t, other, "sim", "get", theirs)
	})
	t.Run("wrong secret: 401, exit 3", func(t *testing.T) {
		simExit(t, append(env, "CONNECTCTL_CLIENT_SECRET=wrong"), 3, "unauthorized_client", "sim", "list")
	})
	t.Run("unknown SIM: 404, exit 4", func(t *testing.T) {
		unknown := simUnknownICCID(t)
		for _, cmd := range [][]string{{"sim", "get", unknown}, {"sim", "usage", unknown}, {"sim", "subs", unknown}} {
			simExit(t, env, 4, "404", cmd...)
		}
	})
	t.Run("429 after retries: exit 5", func(t *testing.T) {
		sb.Admin(t, http.MethodPost, "/_sandbox/faults", map[string]any{"method": "GET", "path": "/v1/sim", "status": 429, "count": 10}, nil)
		t.Cleanup(func() { sb.Admin(t, http.MethodDelete, "/_sandbox/faults", nil, nil) })
		simExit(t, env, 5, "429", "sim", "list")
		sb.Admin(t, http.MethodDelete, "/_sandbox/faults", nil, nil)
		sb.Admin(t, http.MethodPost, "/_sandbox/faults", map[string]any{"method": "GET", "path": "/v1/sim/", "status": 429, "count": 10}, nil)
		simExit(t, env, 5, "429", "sim", "get", mine)
	})
	t.Run("503 after retries: exit 6", func(t *testing.T) {
		sb.Admin(t, http.MethodDelete, "/_sandbox/faults", nil, nil)
		sb.Admin(t, http.MethodPost, "/_sandbox/faults", map[string]any{"method": "GET", "path": "/v1/sim", "status": 503, "count": 10}, nil)
		t.Cleanup(func() { sb.Admin(t, http.MethodDelete, "/_sandbox/faults", nil, nil) })
		simExit(t, env, 6, "503", "sim", "usage", mine)
	})
	t.Run("a lone 503 is retried away", func(t *testing.T) {
		sb.Admin(t, http.MethodDelete, "/_sandbox/faults", nil, nil)
		sb.Admin(t, http.MethodPost, "/_sandbox/faults", map[string]any{"method": "GET", "path": "/v1/sim", "status": 503, "count": 1}, nil)
		rows := simTSV(simOK(t, env, "sim", "list").Stdout)
		if len(rows) != 2 || rows[1][0] != mine {
			t.Fatalf("%q", rows)
		}
	})
}

func TestSIMListLimitAndAll(t *testing.T) {
	sb := testenv.StartSandbox(t, bin)
	env := sandboxEnv(sb)
	var created struct {
		ICCIDs []string `json:"iccids"`
	}
	sb.Admin(t, http.MethodPost, "/_sandbox/sims", map[string]any{"client_id": "sandbox", "count": 95}, &created)
	if len(created.ICCIDs) != 95 {
		t.Fatalf("created %d", len(created.ICCIDs))
	}
	iccids := func(list []simJSONSIM) []string {
		out := make([]string, len(list))
		for i, s := range list {
			out[i] = s.ICCID
		}
		return out
	}
	t.Run("default limit 30", func(t *testing.T) {
		res := simOK(t, env, "sim", "list", "-o", "json")
		list := simDecode[[]simJSONSIM](t, res)
		if strings.Join(iccids(list), ",") != strings.Join(created.ICCIDs[:30], ",") {
			t.Fatalf("got %d SIMs: %v", len(list), iccids(list))
		}
		if list[0].Status != "Released" || list[0].LPAURL == "" {
			t.Fatalf("details not fetched: %+v", list[0])
		}
		if !strings.Contains(res.Stderr, "--all") {
			t.Errorf("no hint that the list was cut: %q", res.Stderr)
		}
	})
	t.Run("--limit 45", func(t *testing.T) {
		list := simDecode[[]simJSONSIM](t, simOK(t, env, "sim", "list", "-o", "json", "--limit", "45"))
		if strings.Join(iccids(list), ",") != strings.Join(created.ICCIDs[:45], ",") {
			t.Fatalf("got %d", len(list))
		}
	})
	t.Run("--all, in order, details for each", func(t *testing.T) {
		before := sb.Stats(t).Requests
		res := simOK(t, env, "sim", "list", "-o", "ndjson", "--all")
		var got []string
		for _, l := range strings.Split(strings.TrimSpace(res.Stdout), "\n") {
			var s simJSONSIM
			if err := json.Unmarshal([]byte(l), &s); err != nil || s.Status == "" {
				t.Fatalf("line %q: %v", l, err)
			}
			got = append(got, s.ICCID)
		}
		if strings.Join(got, ",") != strings.Join(created.ICCIDs, ",") || strings.Contains(res.Stderr, "--all") {
			t.Fatalf("got %d SIMs; stderr %q", len(got), res.Stderr)
		}
		after := sb.Stats(t).Requests
		if d := after["GET /v1/sim/{iccid}"] - before["GET /v1/sim/{iccid}"]; d != 95 {
			t.Errorf("%d detail requests for 95 SIMs", d)
		}
		if d := after["GET /v1/sim"] - before["GET /v1/sim"]; d != 3 {
			t.Errorf("%d list pages for 95 SIMs at 40 a page", d)
		}
	})
	t.Run("--all --columns iccid: pages only", func(t *testing.T) {
		before := sb.Stats(t).Requests
		rows := simTSV(simOK(t, env, "sim", "list", "--all", "--columns", "iccid").Stdout)
		if len(rows) != 96 || rows[0][0] != "ICCID" || rows[95][0] != created.ICCIDs[94] {
			t.Fatalf("%d rows", len(rows))
		}
		after := sb.Stats(t).Requests
		if d := after["GET /v1/sim/{iccid}"] - before["GET /v1/sim/{iccid}"]; d != 0 {
			t.Errorf("%d detail requests", d)
		}
	})
}
