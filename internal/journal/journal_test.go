package journal

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// clock returns a Journal.now that advances by a second on every call.
func clock() func() time.Time {
	var mu sync.Mutex
	now := t0
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		now = now.Add(time.Second)
		return now
	}
}

func openTemp(t *testing.T) *Journal {
	t.Helper()
	j, err := Open(filepath.Join(t.TempDir(), "state", "connectctl", "orders.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = j.Close() })
	j.now = clock()
	return j
}

func at(sec int) time.Time { return t0.Add(time.Duration(sec) * time.Second) }

func TestRoundTrip(t *testing.T) {
	desc := Attempt{
		ID: "a1", Target: "https://connect.example", ClientID: "c", Profile: "prod",
		Batch: "/tmp/orders.csv", Row: 3, Line: 4, RowKey: "k3", Operation: "NEW_ESIM",
		Email: "ana@example.com", Products: []string{"p1", "p2"}, DeviceID: "d", CorrelationID: "corr",
	}
	with := func(f func(a *Attempt)) Attempt {
		a := desc
		a.Started, a.Updated, a.Status = at(1), at(1), Sending
		f(&a)
		return a
	}
	tests := []struct {
		name  string
		write func(j *Journal) error // after Begin (at 1s), each call a second later
		want  Attempt
	}{
		{name: "begin", write: func(*Journal) error { return nil }, want: with(func(*Attempt) {})},
		{name: "accept", write: func(j *Journal) error { return j.Accept("a1", "o1", "ACCEPTED") },
			want: with(func(a *Attempt) { a.Status, a.OrderID, a.OrderStatus, a.Updated = Accepted, "o1", "ACCEPTED", at(2) })},
		{name: "fail", write: func(j *Journal) error { return j.Fail("a1", 422, "bad product", "") },
			want: with(func(a *Attempt) { a.Status, a.HTTPStatus, a.Error, a.Updated = Failed, 422, "bad product", at(2) })},
		{name: "unknown", write: func(j *Journal) error { return j.MarkUnknown("a1", 503, "timeout") },
			want: with(func(a *Attempt) { a.Status, a.HTTPStatus, a.Error, a.Updated = Unknown, 503, "timeout", at(2) })},
		{name: "unknown then resolved", write: func(j *Journal) error {
			if err := j.MarkUnknown("a1", 0, "connection reset"); err != nil {
				return err
			}
			return j.Resolve("a1", "o1", "found in order list")
		}, want: with(func(a *Attempt) {
			a.Status, a.OrderID, a.Error, a.Resolution, a.Updated = Accepted, "o1", "connection reset", "found in order list", at(3)
		})},
		{name: "unknown then proven absent", write: func(j *Journal) error {
			if err := j.MarkUnknown("a1", 502, "bad gateway"); err != nil {
				return err
			}
			return j.Fail("a1", 0, "", "not in order list")
		}, want: with(func(a *Attempt) {
			a.Status, a.HTTPStatus, a.Error, a.Resolution, a.Updated = Failed, 502, "bad gateway", "not in order list", at(3)
		})},
		{name: "progress", write: func(j *Journal) error {
			if err := j.Accept("a1", "o1", "ACCEPTED"); err != nil {
				return err
			}
			if err := j.Progress("a1", Update{OrderStatus: "FULFILLING"}); err != nil {
				return err
			}
			return j.Progress("a1", Update{OrderStatus: "COMPLETED", ICCID: "8944478600000205337", SubscriptionIDs: []string{"s1", "s2"}})
		}, want: with(func(a *Attempt) {
			a.Status, a.OrderID, a.OrderStatus, a.ICCID, a.Updated = Accepted, "o1", "COMPLETED", "8944478600000205337", at(4)
			a.SubscriptionIDs = []string{"s1", "s2"}
		})},
		{name: "progress to FAILED", write: func(j *Journal) error {
			if err := j.Accept("a1", "o1", "ACCEPTED"); err != nil {
				return err
			}
			return j.Progress("a1", Update{OrderStatus: "FAILED", Error: "no stock"})
		}, want: with(func(a *Attempt) {
			a.Status, a.OrderID, a.OrderStatus, a.Error, a.Updated = Accepted, "o1", "FAILED", "no stock", at(3)
		})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j := openTemp(t)
			got, err := j.Begin(desc)
			if err != nil {
				t.Fatal(err)
			}
			if begun := with(func(*Attempt) {}); !reflect.DeepEqual(got, begun) {
				t.Errorf("Begin returned\n%+v\nwant\n%+v", got, begun)
			}
			if err := tt.write(j); err != nil {
				t.Fatal(err)
			}
			all, err := Load(j.Path())
			if err != nil {
				t.Fatal(err)
			}
			if len(all) != 1 || !reflect.DeepEqual(all[0], tt.want) {
				t.Errorf("Load =\n%+v\nwant\n%+v", all, tt.want)
			}
		})
	}
}

func TestRecordFormat(t *testing.T) {
	j := openTemp(t)
	a, err := j.Begin(Attempt{Email: "ana@example.com", Products: []string{"p"}})
	if err != nil {
		t.Fatal(err)
	}
	if a.ID == "" || !a.Started.Equal(at(1)) || a.Status != Sending {
		t.Errorf("Begin filled %+v", a)
	}
	long := "line one\nline two\t" + strings.Repeat("é", 2000) + " LPA:1$rsp.example$SECRET-CODE Bearer eyJtoken"
	if err := j.Fail(a.ID, 400, long, ""); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(j.Path())
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("want 2 lines, got %d:\n%s", len(lines), b)
	}
	var begin map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &begin); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]any{"v": 1.0, "event": "begin", "attempt": a.ID, "at": "2026-03-01T12:00:01Z", "email": "ana@example.com"} {
		if begin[k] != want {
			t.Errorf("begin record %s = %v, want %v: %s", k, begin[k], want, lines[0])
		}
	}
	var fail record
	if err := json.Unmarshal([]byte(lines[1]), &fail); err != nil {
		t.Fatal(err)
	}
	if fail.Event != "fail" || len(fail.Error) > maxText || strings.ContainsAny(fail.Error, "\n\t") ||
		!strings.HasPrefix(fail.Error, "line one line two é") {
		t.Errorf("error text not capped to one line of %d bytes: %d bytes %q", maxText, len(fail.Error), fail.Error[:40])
	}
	if strings.Contains(string(b), "SECRET") || strings.Contains(string(b), "eyJ") {
		t.Errorf("a secret reached the journal: %s", lines[1])
	}
	if got := cleanText("x LPA:1$rsp.example$SECRET-CODE y"); got != "x LPA:1$[redacted] y" {
		t.Errorf("cleanText = %q", got)
	}
}

func TestLoadDamaged(t *testing.T) {
	good := func(ev, id, extra string) string {
		return fmt.Sprintf(`{"v":1,"at":"2026-03-01T12:00:0%dZ","event":%q,"attempt":%q%s}`, len(id), ev, id, extra)
	}
	tests := []struct {
		name    string
		content string
		want    map[string]Status // attempt id -> status, in order
		order   []string
	}{
		{name: "torn last line", content: good("begin", "a", "") + "\n" + good("accept", "a", `,"order_id":"o"`) + "\n" + `{"v":1,"at":"2026-03-01T12:00:09Z","event":"fai`,
			want: map[string]Status{"a": Accepted}, order: []string{"a"}},
		{name: "garbage middle line", content: good("begin", "a", "") + "\n\x00\x01 not json }\n\n" + good("begin", "bb", "") + "\n" + good("unknown", "bb", "") + "\n",
			want: map[string]Status{"a": Sending, "bb": Unknown}, order: []string{"a", "bb"}},
		{name: "record for an unknown attempt", content: good("accept", "zz", "") + "\n" + good("begin", "a", "") + "\n",
			want: map[string]Status{"a": Sending}, order: []string{"a"}},
		{name: "unknown event and second begin", content: good("begin", "a", "") + "\n" + good("frobnicate", "a", "") + "\n" + good("begin", "a", `,"email":"x@y"`) + "\n",
			want: map[string]Status{"a": Sending}, order: []string{"a"}},
		{name: "no attempt id", content: good("begin", "", "") + "\n",
			want: map[string]Status{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "orders.jsonl")
			if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			all, err := Load(path)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, a := range all {
				ids = append(ids, a.ID)
				if a.Status != tt.want[a.ID] {
					t.Errorf("attempt %s status %s, want %s", a.ID, a.Status, tt.want[a.ID])
				}
				if a.Email != "" {
					t.Errorf("a second begin changed attempt %s: %+v", a.ID, a)
				}
			}
			if !reflect.DeepEqual(ids, tt.order) {
				t.Errorf("attempts %v, want %v", ids, tt.order)
			}
		})
	}
}

func TestOpenAfterTornLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "orders.jsonl")
	torn := `{"v":1,"at":"2026-03-01T12:00:00Z","event":"begin","attempt":"a"}` + "\n" + `{"v":1,"at":"2026-03-01T12:00:01Z","ev`
	if err := os.WriteFile(path, []byte(torn), 0o600); err != nil {
		t.Fatal(err)
	}
	j, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	b, err := j.Begin(Attempt{})
	if err != nil {
		t.Fatal(err)
	}
	all, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 || all[1].ID != b.ID {
		t.Errorf("the record after a torn line was lost: %+v", all)
	}
}

func TestLoadMissingFile(t *testing.T) {
	all, err := Load(filepath.Join(t.TempDir(), "nope", "orders.jsonl"))
	if err != nil || len(all) != 0 {
		t.Errorf("Load of a missing file = %v, %v", all, err)
	}
}

func TestConcurrent(t *testing.T) {
	j := openTemp(t)
	const n = 50
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a, err := j.Begin(Attempt{RowKey: fmt.Sprint(i), Batch: "b", Row: i + 1})
			if err == nil {
				err = j.Accept(a.ID, fmt.Sprintf("order-%d", i), "ACCEPTED")
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	all, err := Load(j.Path())
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, a := range all {
		if a.Status != Accepted || a.OrderID != "order-"+a.RowKey {
			t.Errorf("attempt %+v", a)
		}
		seen[a.RowKey] = true
	}
	if len(all) != n || len(seen) != n {
		t.Errorf("Load found %d attempts (%d rows), want %d", len(all), len(seen), n)
	}
}

func TestPermissions(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix permissions on Windows")
	}
	j := openTemp(t)
	for path, want := range map[string]os.FileMode{j.Path(): 0o600, filepath.Dir(j.Path()): 0o700} {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != want {
			t.Errorf("%s mode %v, want %v", path, got, want)
		}
	}
}

func TestBeginIsOnDiskBeforeReturning(t *testing.T) {
	j := openTemp(t)
	a, err := j.Begin(Attempt{Email: "ana@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	// Another handle, as another process would read it; Begin's file stays open.
	all, err := Load(j.Path())
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 1 || all[0].ID != a.ID || all[0].Status != Sending {
		t.Errorf("after Begin the file holds %+v", all)
	}
}

func TestClosed(t *testing.T) {
	j := openTemp(t)
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := j.Begin(Attempt{}); !errors.Is(err, os.ErrClosed) {
		t.Errorf("Begin after Close: %v", err)
	}
	if err := j.Accept("", "o", ""); err == nil {
		t.Error("Accept with no attempt id succeeded")
	}
}

func TestDefaultPath(t *testing.T) {
	home := t.TempDir()
	state := filepath.Join(t.TempDir(), "state")
	tests := []struct {
		name              string
		journal, xdg, hom string
		want              string
	}{
		{name: "CONNECTCTL_JOURNAL wins", journal: "/elsewhere/j.jsonl", xdg: state, hom: home, want: "/elsewhere/j.jsonl"},
		{name: "XDG_STATE_HOME", xdg: state, hom: home, want: filepath.Join(state, "connectctl", "orders.jsonl")},
		{name: "relative XDG_STATE_HOME ignored", xdg: "rel/state", hom: home, want: filepath.Join(home, ".local", "state", "connectctl", "orders.jsonl")},
		{name: "HOME", hom: home, want: filepath.Join(home, ".local", "state", "connectctl", "orders.jsonl")},
	}
	if runtime.GOOS == "windows" {
		tests = tests[:2] // the home fallback is %LocalAppData% there
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("CONNECTCTL_JOURNAL", tt.journal)
			t.Setenv("XDG_STATE_HOME", tt.xdg)
			t.Setenv("HOME", tt.hom)
			got, err := DefaultPath()
			if err != nil || got != tt.want {
				t.Errorf("DefaultPath() = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
	if runtime.GOOS != "windows" {
		t.Run("no home", func(t *testing.T) {
			t.Setenv("CONNECTCTL_JOURNAL", "")
			t.Setenv("XDG_STATE_HOME", "")
			t.Setenv("HOME", "")
			if _, err := DefaultPath(); err == nil || !strings.Contains(err.Error(), "CONNECTCTL_JOURNAL") {
				t.Errorf("DefaultPath() with no HOME: %v", err)
			}
		})
	}
}

func TestLockBatch(t *testing.T) {
	j1 := openTemp(t)
	j2, err := Open(j1.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer j2.Close()

	unlock, err := j1.LockBatch("/data/orders.csv")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		j       *Journal
		batch   string
		wantErr error
	}{
		{name: "same batch, second journal", j: j2, batch: "/data/orders.csv", wantErr: ErrBusy},
		{name: "same batch, same journal", j: j1, batch: "/data/orders.csv", wantErr: ErrBusy},
		{name: "another batch", j: j2, batch: "/data/other.csv"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := tt.j.LockBatch(tt.batch)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("LockBatch(%q) = %v, want %v", tt.batch, err, tt.wantErr)
			}
			if err != nil {
				if !strings.Contains(err.Error(), tt.batch) {
					t.Errorf("error does not name the batch: %v", err)
				}
				return
			}
			if err := u(); err != nil {
				t.Fatal(err)
			}
		})
	}
	if err := unlock(); err != nil {
		t.Fatal(err)
	}
	if err := unlock(); err != nil {
		t.Errorf("second unlock: %v", err)
	}
	u, err := j2.LockBatch("/data/orders.csv")
	if err != nil {
		t.Fatalf("after unlock: %v", err)
	}
	defer u()
	locks, _ := filepath.Glob(filepath.Join(filepath.Dir(j1.Path()), "locks", "*.lock"))
	if len(locks) != 2 || len(filepath.Base(locks[0])) != len("0123456789abcdef.lock") {
		t.Errorf("lock files %v", locks)
	}
}

// A bulk top-up attempt keeps what tells it from a new order (its
// operation and the SIM it tops up) through every later record, and its own
// row key, so a re-run of a top-up file judges it alone.
func TestTopUpAttemptRoundTrip(t *testing.T) {
	j := openTemp(t)
	const iccid = "8944478600000205337"
	top, err := j.Begin(Attempt{Target: "https://connect.example", ClientID: "c", Batch: "file:/tmp/sims.csv", Row: 1, Line: 2,
		RowKey: "topup-key#1", Operation: "TOPUP", ICCID: iccid, Products: []string{"p1", "p2"}, CorrelationID: "corr"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := j.Begin(Attempt{Target: "https://connect.example", ClientID: "c", Batch: "file:/tmp/new.csv", Row: 1, Line: 2,
		RowKey: "new-key#1", Operation: "NEW_ESIM", Email: "ana@example.com", DeviceID: "d"}); err != nil {
		t.Fatal(err)
	}
	if err := j.MarkUnknown(top.ID, 504, "timeout"); err != nil {
		t.Fatal(err)
	}
	if err := j.Resolve(top.ID, "o1", "found: TOPUP order o1"); err != nil {
		t.Fatal(err)
	}
	// The finished order's progress names the same SIM, and its plans.
	if err := j.Progress(top.ID, Update{OrderStatus: "COMPLETED", ICCID: iccid, SubscriptionIDs: []string{"s1", "s2"}}); err != nil {
		t.Fatal(err)
	}
	all, err := Load(j.Path())
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 {
		t.Fatalf("%d attempts, want 2", len(all))
	}
	a, n := all[0], all[1]
	if a.Operation != "TOPUP" || a.ICCID != iccid || a.Email != "" || a.DeviceID != "" || a.RowKey != "topup-key#1" ||
		a.Status != Accepted || a.OrderID != "o1" || a.OrderStatus != "COMPLETED" || len(a.SubscriptionIDs) != 2 ||
		!reflect.DeepEqual(a.Products, []string{"p1", "p2"}) {
		t.Errorf("top-up attempt: %+v", a)
	}
	if n.Operation != "NEW_ESIM" || n.ICCID != "" || n.Status != Sending {
		t.Errorf("new-order attempt: %+v", n)
	}
}
