package e2e

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/connectctl/connectctl/internal/testenv"
)

// Issue 14 item 2: sim usage --all / --iccid-file, concurrent under the
// pacer, streamed, filtered.
func TestSIMUsageMany(t *testing.T) {
	sb := testenv.StartSandbox(t, bin, "--order-delay", "0")
	env := sandboxEnv(sb)
	// Three SIMs with a 7-day 1 GB plan, one of them 90 % used, and five bare ones.
	ordered := []string{simOrder(t, env), simOrder(t, env), simOrder(t, env)}
	simOK(t, env, "sandbox", "usage", ordered[0], "--percent", "90")
	bare := strings.Fields(simOK(t, env, "sandbox", "sims", "--count", "5", "--no-headers").Stdout)
	if len(bare) != 5 {
		t.Fatalf("bare SIMs %q", bare)
	}
	all := append(append([]string{}, ordered...), bare...)

	t.Run("--all: one row a SIM, table and JSON", func(t *testing.T) {
		rows := simTSV(simOK(t, env, "sim", "usage", "--all").Stdout)
		if len(rows) != 9 || rows[0][0] != "ICCID" || rows[0][5] != "PERCENT_USED" {
			t.Fatalf("%q", rows)
		}
		var got []string
		for _, r := range rows[1:] {
			got = append(got, r[0])
		}
		if !sameSet(got, all) {
			t.Fatalf("rows for %q, want %q", got, all)
		}
		var list []simJSONUsage
		decodeJSON(t, simOK(t, env, "sim", "usage", "--all", "-o", "json").Stdout, &list)
		if len(list) != 8 {
			t.Fatalf("%+v", list)
		}
		lines := strings.Split(strings.TrimSpace(simOK(t, env, "sim", "usage", "--all", "-o", "ndjson").Stdout), "\n")
		if len(lines) != 8 || !strings.HasPrefix(lines[0], `{"iccid":`) {
			t.Fatalf("ndjson %q", lines)
		}
	})

	t.Run("--over and --expiring filter", func(t *testing.T) {
		res := simOK(t, env, "sim", "usage", "--all", "--over", "80", "-o", "json")
		var list []simJSONUsage
		decodeJSON(t, res.Stdout, &list)
		if len(list) != 1 || list[0].ICCID != ordered[0] || list[0].PercentUsed != 90 || !strings.Contains(res.Stderr, "1 SIM shown of 8 SIMs read") {
			t.Fatalf("%+v\n%s", list, res.Stderr)
		}
		got := strings.Fields(simOK(t, env, "sim", "usage", "--all", "--expiring", "8d", "-o", "ndjson", "--jq", ".iccid").Stdout)
		if !sameSet(got, ordered) {
			t.Fatalf("--expiring 8d: %q, want %q", got, ordered)
		}
		if out := simOK(t, env, "sim", "usage", "--all", "--expiring", "1d", "-o", "json").Stdout; strings.TrimSpace(out) != "[]" {
			t.Fatalf("--expiring 1d: %q, want []", out)
		}
		got = strings.Fields(simOK(t, env, "sim", "usage", "--all", "--expiring", "2w", "--over", "50", "--columns", "iccid", "--no-headers").Stdout)
		if len(got) != 1 || got[0] != ordered[0] {
			t.Fatalf("both filters: %q", got)
		}
	})

	t.Run("--iccid-file and stdin", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "sims.txt")
		body := "iccid\n# the ones we care about\n" + ordered[1] + "\n\n" + ordered[2] + ",extra column\n" + ordered[1] + "\n"
		if err := os.WriteFile(file, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		got := strings.Fields(simOK(t, env, "sim", "usage", "--iccid-file", file, "--columns", "iccid", "--no-headers").Stdout)
		if !sameSet(got, ordered[1:]) {
			t.Fatalf("file: %q", got)
		}
		// The README's pipe: sim list into sim usage.
		list := simOK(t, env, "sim", "list", "--all", "--columns", "iccid", "--no-headers").Stdout
		res := runIn(t, list, env, "sim", "usage", "--iccid-file", "-", "--over", "80", "-o", "ndjson", "--jq", ".iccid")
		if res.ExitCode != 0 || strings.TrimSpace(res.Stdout) != ordered[0] {
			t.Fatalf("stdin: exit %d %q %s", res.ExitCode, res.Stdout, res.Stderr)
		}
	})

	t.Run("bad input is refused before anything is sent", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "bad.txt")
		if err := os.WriteFile(file, []byte(ordered[0]+"\n"+ordered[1]+"\n12345\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		empty := filepath.Join(t.TempDir(), "empty.txt")
		if err := os.WriteFile(empty, []byte("# nothing\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		before := sb.Stats(t).APIRequests()
		for _, tc := range []struct {
			want string
			args []string
		}{
			{"line 3", []string{"sim", "usage", "--iccid-file", file}},
			{"no ICCIDs", []string{"sim", "usage", "--iccid-file", empty}},
			{"no such file", []string{"sim", "usage", "--iccid-file", filepath.Join(t.TempDir(), "missing")}},
			{"--over 100", []string{"sim", "usage", "--all", "--over", "100"}},
			{"--expiring \"soon\"", []string{"sim", "usage", "--all", "--expiring", "soon"}},
			{"--expiring \"-7d\"", []string{"sim", "usage", "--all", "--expiring", "-7d"}},
			{"--concurrency 0", []string{"sim", "usage", "--all", "--concurrency", "0"}},
			{"do not go together", []string{"sim", "usage", "--all", "--iccid-file", file}},
			{"takes no arguments", []string{"sim", "usage", "--all", ordered[0]}},
			{"--over goes with --all", []string{"sim", "usage", ordered[0], "--over", "80"}},
			{"missing ICCID", []string{"sim", "usage"}},
		} {
			simExit(t, env, 2, tc.want, tc.args...)
		}
		if after := sb.Stats(t).APIRequests(); after != before {
			t.Fatalf("refused commands sent %d requests", after-before)
		}
	})

	t.Run("a SIM that fails is reported, the others shown", func(t *testing.T) {
		simOK(t, env, "sandbox", "fault", "add", "--path", "/v1/sim/"+bare[2]+"/subscriptions", "--status", "400")
		res := testenv.Run(t, bin, env, "sim", "usage", "--all", "--columns", "iccid", "--no-headers")
		got := strings.Fields(res.Stdout)
		if res.ExitCode != 5 || len(got) != 7 || !strings.Contains(res.Stderr, "SIM "+bare[2]) || !strings.Contains(res.Stderr, "1 of 8 SIMs could not be read") {
			t.Fatalf("exit %d\nstdout %s\nstderr %s", res.ExitCode, res.Stdout, res.Stderr)
		}
	})

	t.Run("rows stream as answers arrive", func(t *testing.T) {
		// The slowest SIM's answer comes 3 s late; the others are printed
		// long before the command ends.
		simOK(t, env, "sandbox", "fault", "add", "--path", "/v1/sim/"+ordered[0]+"/subscriptions", "--delay", "3s")
		cmd := exec.Command(bin, "sim", "usage", "--all", "-o", "ndjson")
		cmd.Env = append(testenv.CleanEnv(t), env...)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(out)
		var firstAt time.Duration
		var order []string
		for sc.Scan() {
			if firstAt == 0 {
				firstAt = time.Since(start)
			}
			var u simJSONUsage
			if err := json.Unmarshal(sc.Bytes(), &u); err != nil {
				t.Fatalf("%v: %s", err, sc.Text())
			}
			order = append(order, u.ICCID)
		}
		if err := cmd.Wait(); err != nil {
			t.Fatal(err)
		}
		total := time.Since(start)
		if len(order) != 8 || order[7] != ordered[0] || total < 3*time.Second || firstAt > 2*time.Second {
			t.Fatalf("first row after %v, all after %v, order %q: want rows before the delayed one, which comes last", firstAt, total, order)
		}
	})
}

// The pacer holds many SIMs' requests under a small quota: no 429 is met.
func TestSIMUsageAllPaced(t *testing.T) {
	sb := testenv.StartSandbox(t, bin, "--order-delay", "0", "--rate-limit", "6", "--rate-window", "1s")
	env := sandboxEnv(sb)
	simOK(t, env, "sandbox", "sims", "--count", "20")
	start := time.Now()
	got := strings.Fields(simOK(t, env, "sim", "usage", "--all", "--concurrency", "8", "--columns", "iccid", "--no-headers").Stdout)
	if len(got) != 20 {
		t.Fatalf("%d rows", len(got))
	}
	if d := time.Since(start); d < 2*time.Second {
		t.Errorf("20 requests at 6 a second took %v: not paced", d)
	}
	if n := strings.Count(sb.Stderr(), " 429 "); n != 0 {
		t.Fatalf("the sandbox answered %d 429s:\n%s", n, sb.Stderr())
	}
	if st := sb.Stats(t); st.Requests["GET /v1/sim/{iccid}/subscriptions"] != 20 {
		t.Fatalf("requests %v", st.Requests)
	}
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	a, b = append([]string{}, a...), append([]string{}, b...)
	sort.Strings(a)
	sort.Strings(b)
	return strings.Join(a, ",") == strings.Join(b, ",")
}
