package order

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/connectctl/connectctl/cmd/cmdutil"
	"github.com/connectctl/connectctl/cmd/factory"
	"github.com/connectctl/connectctl/internal/iostreams"
	"github.com/connectctl/connectctl/internal/journal"
	"github.com/connectctl/connectctl/internal/output"
)

// writeHistory writes a journal of five attempts started at base minus 5h,
// 3h, 2h, 1h and 30m, each written just now, and returns its path:
//
//	a1 accepted (single order)  a2 failed (bulk row, line 3)  a3 unknown
//	a4 sending (never finished) a5 unknown, then resolved: accepted
func writeHistory(t *testing.T, base time.Time) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "orders.jsonl")
	j, err := journal.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	begin := func(id string, ago time.Duration, a journal.Attempt) {
		t.Helper()
		a.ID, a.Started, a.Operation = id, base.Add(-ago), "NEW_ESIM"
		if _, err := j.Begin(a); err != nil {
			t.Fatal(err)
		}
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	begin("a1", 5*time.Hour, journal.Attempt{Email: "ana@example.com", Products: []string{"p1", "p2"},
		Profile: "prod", Target: "https://api.example", CorrelationID: "corr-1", DeviceID: "dev-1"})
	must(j.Accept("a1", "o1", "ACCEPTED"))
	must(j.Progress("a1", journal.Update{OrderStatus: "COMPLETED", ICCID: goodICCID, SubscriptionIDs: []string{"s1", "s2"}}))
	begin("a2", 3*time.Hour, journal.Attempt{Email: "bo@example.com", Products: []string{"p1"},
		Batch: "file:/home/ops/very/long/path/to/the/orders.csv", Row: 2, Line: 3, RowKey: "k2"})
	must(j.Fail("a2", 422, "product not found", "refused"))
	begin("a3", 2*time.Hour, journal.Attempt{Email: "cy@example.com", Products: []string{"p1"}})
	must(j.MarkUnknown("a3", 503, "timeout\nafter 30s"))
	begin("a4", time.Hour, journal.Attempt{Email: "di@example.com", Products: []string{"p1"}, Batch: "batch:nightly", Line: 7})
	begin("a5", 30*time.Minute, journal.Attempt{Email: "ed@example.com", Products: []string{"p1"}})
	must(j.MarkUnknown("a5", 0, "connection reset"))
	must(j.Resolve("a5", "o5", "found by order list"))
	return path
}

type historyRun struct {
	out, errOut string
	err         error
}

func runHistoryCmd(t *testing.T, path string, now time.Time, tty bool, oo output.Options, args ...string) historyRun {
	t.Helper()
	ios, _, out, errOut := iostreams.Test()
	ios.SetTTY(false, tty, false)
	f := &factory.Factory{IOStreams: ios}
	f.Globals.Output = oo
	opts := &HistoryOptions{IO: ios, Printer: f.Printer, Now: func() time.Time { return now },
		JournalPath: func() (string, error) { return path, nil }}
	err := execute(t, newCmdHistory(f, opts, nil), args...)
	return historyRun{out: out.String(), errOut: errOut.String(), err: err}
}

func attemptIDs(t *testing.T, out string) string {
	t.Helper()
	var got []journal.Attempt
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("not a JSON array of attempts: %v\n%s", err, out)
	}
	ids := make([]string, len(got))
	for i, a := range got {
		ids[i] = a.ID
	}
	return strings.Join(ids, ",")
}

func TestHistoryFilters(t *testing.T) {
	base := time.Now().UTC().Truncate(time.Second)
	path := writeHistory(t, base)
	fresh := base.Add(10 * time.Second) // a4's run may still be going
	later := base.Add(5 * time.Minute)  // a4's run is gone
	tests := []struct {
		name     string
		now      time.Time
		args     []string
		want     string // attempt ids, newest first
		wantNote string // on stderr
	}{
		{name: "all, newest first", now: fresh, want: "a5,a4,a3,a2,a1"},
		{name: "accepted", now: fresh, args: []string{"--status", "accepted"}, want: "a5,a1"},
		{name: "failed, any case", now: fresh, args: []string{"--status", " FAILED "}, want: "a2"},
		{name: "sending", now: fresh, args: []string{"--status", "sending"}, want: "a4"},
		{name: "sending even when stale", now: later, args: []string{"--status", "sending"}, want: "a4"},
		{name: "unknown, sending still fresh", now: fresh, args: []string{"--status", "unknown"}, want: "a3"},
		{name: "unknown takes stale sending", now: later, args: []string{"--status", "unknown"}, want: "a4,a3"},
		{name: "since duration", now: fresh, args: []string{"--since", "90m"}, want: "a5,a4"},
		{name: "since time", now: fresh, args: []string{"--since", base.Add(-3 * time.Hour).Format(time.RFC3339)}, want: "a5,a4,a3,a2"},
		{name: "since and status", now: fresh, args: []string{"--since", "1d", "--status", "accepted"}, want: "a5,a1"},
		{name: "limit", now: fresh, args: []string{"--limit", "2"}, want: "a5,a4",
			wantNote: "Showing the first 2 attempts; there are more"},
		{name: "limit not reached", now: fresh, args: []string{"-L", "5"}, want: "a5,a4,a3,a2,a1"},
		{name: "all flag", now: fresh, args: []string{"--all"}, want: "a5,a4,a3,a2,a1"},
		{name: "nothing matches", now: fresh, args: []string{"--since", "1m"}, want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runHistoryCmd(t, path, tt.now, false, output.Options{Format: "json"}, tt.args...)
			if r.err != nil {
				t.Fatal(r.err)
			}
			if got := attemptIDs(t, r.out); got != tt.want {
				t.Errorf("attempts %q, want %q", got, tt.want)
			}
			if tt.wantNote != "" && !strings.Contains(r.errOut, tt.wantNote) || tt.wantNote == "" && r.errOut != "" {
				t.Errorf("stderr %q, want %q", r.errOut, tt.wantNote)
			}
		})
	}
}

func TestHistoryFormats(t *testing.T) {
	base := time.Now().UTC().Truncate(time.Second)
	path := writeHistory(t, base)
	empty := filepath.Join(t.TempDir(), "none", "orders.jsonl")
	now := base.Add(10 * time.Second)
	a1Started := base.Add(-5 * time.Hour).Format(time.RFC3339)
	tests := []struct {
		name     string
		path     string
		tty      bool
		oo       output.Options
		args     []string
		want     []string // substrings of stdout
		wantNot  []string
		wantOut  string // all of stdout, when set
		wantErr  string // substring of stderr
		wantExit int
	}{
		{name: "piped table", path: path, args: []string{"--status", "failed"},
			wantOut: "STARTED\tSTATUS\tORDER_ID\tBATCH\tEMAIL\tPRODUCTS\tERROR\n" +
				base.Add(-3*time.Hour).Format(time.RFC3339) + "\tfailed\t-\torders.csv:3\tbo@example.com\tp1\tproduct not found\n"},
		{name: "terminal table", path: path, tty: true,
			// On a terminal times read relative and statuses in colour.
			want: []string{"STARTED", "ORDER_ID", "BATCH", "5 hours ago", "\x1b[33maccepted\x1b[0m", "\x1b[31mfailed\x1b[0m",
				"o1", "p1,p2", "orders.csv:3", "nightly:7", "timeout after 30s"},
			wantNot: []string{"ATTEMPT", "RESOLUTION", "/home/ops", "corr-1", a1Started}},
		{name: "wide columns", path: path, oo: output.Options{Columns: []string{"attempt", "order_status", "device", "correlation", "profile", "target", "resolution"}},
			args: []string{"--status", "accepted"},
			wantOut: "ATTEMPT\tORDER_STATUS\tDEVICE_ID\tCORRELATION_ID\tPROFILE\tTARGET\tRESOLUTION\n" +
				"a5\t-\t-\t-\t-\t-\tfound by order list\n" +
				"a1\tCOMPLETED\tdev-1\tcorr-1\tprod\thttps://api.example\t-\n"},
		{name: "bad column", path: path, oo: output.Options{Columns: []string{"sim"}}, wantExit: cmdutil.ExitUsage,
			wantErr: "unknown column"},
		{name: "json fields", path: path, oo: output.Options{Format: "json"}, args: []string{"--status", "accepted", "-L", "1"},
			want: []string{`"attempt": "a5"`, `"status": "accepted"`, `"order_id": "o5"`, `"resolution": "found by order list"`,
				`"error": "connection reset"`, `"started": "`}},
		{name: "ndjson", path: path, oo: output.Options{Format: "ndjson"}, args: []string{"--status", "unknown"},
			want: []string{`{"attempt":"a3",`, `"http_status":503`}},
		{name: "yaml", path: path, oo: output.Options{Format: "yaml"}, args: []string{"--status", "failed"},
			want: []string{"- attempt: a2\n", "  batch: file:/home/ops/very/long/path/to/the/orders.csv\n", "  line: 3\n"}},
		{name: "jq", path: path, oo: output.Options{JQ: ".[].order_id"}, args: []string{"--status", "accepted"},
			wantOut: "o5\no1\n"},
		{name: "empty journal", path: empty, wantOut: "", wantErr: "No order attempts in the journal (" + empty + ")."},
		{name: "empty journal on a terminal", path: empty, tty: true, wantOut: "",
			wantErr: "No order attempts in the journal (" + empty + ")."},
		{name: "empty journal json", path: empty, oo: output.Options{Format: "json"}, wantOut: "[]\n"},
		{name: "empty journal ndjson", path: empty, oo: output.Options{Format: "ndjson"}, wantOut: ""},
		{name: "no match in a table", path: path, args: []string{"--since", "1m"}, wantOut: "",
			wantErr: "No order attempts match in the journal (" + path + "): 5 in all."},
		{name: "bad status", path: path, args: []string{"--status", "done"}, wantExit: cmdutil.ExitUsage,
			wantErr: `--status "done": want one of sending, accepted, failed, unknown`},
		{name: "bad since", path: path, args: []string{"--since", "tomorrow"}, wantExit: cmdutil.ExitUsage, wantErr: "--since"},
		{name: "limit and all", path: path, args: []string{"--limit", "3", "--all"}, wantExit: cmdutil.ExitUsage,
			wantErr: "--limit 3 and --all"},
		{name: "argument", path: path, args: []string{"a1"}, wantExit: cmdutil.ExitUsage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runHistoryCmd(t, tt.path, now, tt.tty, tt.oo, tt.args...)
			if code := cmdutil.ExitCodeFor(r.err); code != tt.wantExit {
				t.Fatalf("exit %d (%v), want %d", code, r.err, tt.wantExit)
			}
			stderr := r.errOut
			if r.err != nil {
				stderr += r.err.Error()
			}
			if !strings.Contains(stderr, tt.wantErr) {
				t.Errorf("stderr %q, want %q", stderr, tt.wantErr)
			}
			if tt.wantExit != 0 {
				return
			}
			if (tt.wantOut != "" || tt.want == nil) && r.out != tt.wantOut {
				t.Errorf("stdout\n%s\nwant\n%s", r.out, tt.wantOut)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.out, w) {
					t.Errorf("stdout lacks %q:\n%s", w, r.out)
				}
			}
			for _, w := range tt.wantNot {
				if strings.Contains(r.out, w) {
					t.Errorf("stdout has %q:\n%s", w, r.out)
				}
			}
		})
	}
}

func TestHistoryJournalPathError(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	f := &factory.Factory{IOStreams: ios}
	opts := &HistoryOptions{IO: ios, Printer: f.Printer, Now: time.Now,
		JournalPath: func() (string, error) { return "", context.DeadlineExceeded }}
	if err := execute(t, newCmdHistory(f, opts, nil)); err == nil || cmdutil.ExitCodeFor(err) != cmdutil.ExitUnexpected {
		t.Errorf("error %v, want exit 1", err)
	}
}

func TestBatchCell(t *testing.T) {
	tests := []struct {
		a    journal.Attempt
		want string
	}{
		{journal.Attempt{}, ""},
		{journal.Attempt{Batch: "file:/home/ops/orders.csv", Row: 2, Line: 3}, "orders.csv:3"},
		{journal.Attempt{Batch: `file:C:\Users\ops\orders.csv`, Line: 3}, "orders.csv:3"},
		{journal.Attempt{Batch: "file:/home/ops/orders.csv", Row: 2}, "orders.csv:2"},
		{journal.Attempt{Batch: "batch:ci/nightly", Line: 9}, "batch:ci/nightly:9"},
		{journal.Attempt{Batch: "stdin:0123abcd", Line: 1}, "stdin:0123abcd:1"},
	}
	for _, tt := range tests {
		if got := batchCell(tt.a); got != tt.want {
			t.Errorf("batchCell(%q line %d row %d) = %q, want %q", tt.a.Batch, tt.a.Line, tt.a.Row, got, tt.want)
		}
	}
}
