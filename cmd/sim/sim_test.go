package sim

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"iter"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/connectctl/connectctl/cmd/cmdutil"
	"github.com/connectctl/connectctl/internal/connect"
	"github.com/connectctl/connectctl/internal/iostreams"
)

const gb = int64(1) << 30

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestSumUsage(t *testing.T) {
	sub := func(status string, initial, spent int64, expires string) connect.Subscription {
		s := connect.Subscription{Status: status, InitialBalance: initial, SpentBalance: spent}
		if expires != "" {
			s.ExpirationDate = ts(expires)
		}
		return s
	}
	tests := []struct {
		name         string
		subs         []connect.Subscription
		want         Usage
		wantExpiry   string
		wantPending  int
		wantNoExpiry bool
	}{
		{name: "none", subs: nil, want: Usage{}, wantNoExpiry: true},
		{
			name:       "one active",
			subs:       []connect.Subscription{sub("ACTIVE", gb, gb/4, "2030-01-02T00:00:00Z")},
			want:       Usage{Subscriptions: 1, InitialBytes: gb, SpentBytes: gb / 4, LeftBytes: gb * 3 / 4, PercentUsed: 25, Counted: "ACTIVE"},
			wantExpiry: "2030-01-02T00:00:00Z",
		},
		{
			name: "only ACTIVE counted; PENDING, DEPLETED, EXPIRED left out",
			subs: []connect.Subscription{
				sub("ACTIVE", gb, 0, "2030-03-01T00:00:00Z"),
				sub("PENDING", 5*gb, 0, "2029-01-01T00:00:00Z"),
				sub("DEPLETED", gb, gb, "2029-02-01T00:00:00Z"),
				sub("EXPIRED", 2*gb, gb, "2020-01-01T00:00:00Z"),
				sub("ACTIVE", 3*gb, gb, "2030-02-01T00:00:00Z"),
			},
			want:        Usage{Subscriptions: 2, InitialBytes: 4 * gb, SpentBytes: gb, LeftBytes: 3 * gb, PercentUsed: 25},
			wantExpiry:  "2030-02-01T00:00:00Z",
			wantPending: 1,
		},
		{
			name: "no ACTIVE plan: DEPLETED ones count as 100 % used",
			subs: []connect.Subscription{
				sub("DEPLETED", gb, gb, "2030-01-01T00:00:00Z"),
				sub("EXPIRED", 2*gb, gb, "2020-01-01T00:00:00Z"),
				sub("DEPLETED", 4*gb, 4*gb-1, "2030-01-01T00:00:00Z"),
			},
			want:         Usage{InitialBytes: 5 * gb, SpentBytes: 5 * gb, PercentUsed: 100, Counted: "DEPLETED"},
			wantNoExpiry: true,
		},
		{
			name:         "only pending: nothing to count",
			subs:         []connect.Subscription{sub("PENDING", gb, 0, "2030-01-01T00:00:00Z")},
			want:         Usage{},
			wantPending:  1,
			wantNoExpiry: true,
		},
		{
			name: "percent rounded to one decimal",
			subs: []connect.Subscription{sub("ACTIVE", 3*gb, gb, "")},
			want: Usage{Subscriptions: 1, InitialBytes: 3 * gb, SpentBytes: gb, LeftBytes: 2 * gb, PercentUsed: 33.3},
			// An active subscription without an expiry gives none.
			wantNoExpiry: true,
		},
		{
			name:       "overspent subscription leaves 0, not less",
			subs:       []connect.Subscription{sub("ACTIVE", gb, gb+100, "2030-01-01T00:00:00Z"), sub("ACTIVE", gb, 0, "2031-01-01T00:00:00Z")},
			want:       Usage{Subscriptions: 2, InitialBytes: 2 * gb, SpentBytes: gb + 100, LeftBytes: gb, PercentUsed: 50},
			wantExpiry: "2030-01-01T00:00:00Z",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := SumUsage("8944478600000205337", tt.subs)
			tt.want.ICCID = "8944478600000205337"
			if got.ICCID != tt.want.ICCID || got.Subscriptions != tt.want.Subscriptions || got.InitialBytes != tt.want.InitialBytes ||
				got.SpentBytes != tt.want.SpentBytes || got.LeftBytes != tt.want.LeftBytes || got.PercentUsed != tt.want.PercentUsed ||
				(tt.want.Counted != "" && got.Counted != tt.want.Counted) {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
			if got.pending != tt.wantPending {
				t.Errorf("pending = %d, want %d", got.pending, tt.wantPending)
			}
			switch {
			case tt.wantNoExpiry && got.NearestExpiry != nil:
				t.Errorf("nearest expiry %v, want none", got.NearestExpiry)
			case !tt.wantNoExpiry && (got.NearestExpiry == nil || !got.NearestExpiry.Equal(ts(tt.wantExpiry))):
				t.Errorf("nearest expiry %v, want %s", got.NearestExpiry, tt.wantExpiry)
			}
		})
	}
}

func TestConfirm(t *testing.T) {
	tests := []struct {
		name     string
		yes      bool
		tty      bool
		input    string
		wantCode int // -1: go ahead
		wantOut  string
	}{
		{name: "--yes goes ahead without asking", yes: true, wantCode: -1},
		{name: "--yes on a terminal does not ask either", yes: true, tty: true, wantCode: -1},
		{name: "no terminal, no --yes: refused with exit 2", wantCode: cmdutil.ExitUsage, wantOut: "add --yes"},
		{name: "terminal, y", tty: true, input: "y\n", wantCode: -1, wantOut: "[y/N]"},
		{name: "terminal, YES", tty: true, input: " YES \n", wantCode: -1},
		{name: "terminal, n", tty: true, input: "n\n", wantCode: cmdutil.ExitUsage, wantOut: "Cancelled"},
		{name: "terminal, empty answer is no", tty: true, input: "\n", wantCode: cmdutil.ExitUsage},
		{name: "terminal, EOF is no", tty: true, input: "", wantCode: cmdutil.ExitUsage},
		{name: "terminal, anything else is no", tty: true, input: "sure\n", wantCode: cmdutil.ExitUsage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, in, _, errOut := iostreams.Test()
			ios.SetTTY(tt.tty, tt.tty, tt.tty)
			in.WriteString(tt.input)
			err := Confirm(ios, tt.yes, "Delete SIM X?", "SIM X was not deleted")
			if tt.wantCode == -1 {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
			} else if code := cmdutil.ExitCodeFor(err); code != tt.wantCode {
				t.Fatalf("exit code %d (%v), want %d", code, err, tt.wantCode)
			}
			msg := errOut.String()
			if err != nil {
				msg += err.Error()
			}
			if !strings.Contains(msg, tt.wantOut) {
				t.Errorf("output %q does not mention %q", msg, tt.wantOut)
			}
			if !tt.tty && strings.Contains(errOut.String(), "[y/N]") {
				t.Errorf("asked without a terminal: %q", errOut.String())
			}
		})
	}
}

func refsOf(ids []string, failAt int) iter.Seq2[connect.SIMRef, error] {
	return func(yield func(connect.SIMRef, error) bool) {
		for i, id := range ids {
			if i == failAt {
				yield(connect.SIMRef{}, errors.New("page failed"))
				return
			}
			if !yield(connect.SIMRef{ID: id}, nil) {
				return
			}
		}
	}
}

func TestWithDetails(t *testing.T) {
	ids := make([]string, 25)
	for i := range ids {
		ids[i] = fmt.Sprintf("89%017d", i)
	}
	var inFlight, peak atomic.Int32
	get := func(missing string, failOn string) func(context.Context, string) (*connect.SIM, error) {
		return func(ctx context.Context, iccid string) (*connect.SIM, error) {
			n := inFlight.Add(1)
			defer inFlight.Add(-1)
			for {
				p := peak.Load()
				if n <= p || peak.CompareAndSwap(p, n) {
					break
				}
			}
			// Later items answer sooner: order must still hold.
			last := int(iccid[len(iccid)-1] - '0')
			select {
			case <-time.After(time.Duration(10-last) * time.Millisecond):
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			switch iccid {
			case missing:
				return nil, &connect.APIError{Status: 404}
			case failOn:
				return nil, &connect.APIError{Status: 500}
			}
			return &connect.SIM{ICCID: iccid, Status: "Released"}, nil
		}
	}
	t.Run("order kept, bounded, 404 skipped with a warning", func(t *testing.T) {
		peak.Store(0)
		var warn bytes.Buffer
		var got []string
		for s, err := range withDetails(context.Background(), refsOf(ids, -1), 4, get(ids[3], ""), &warn) {
			if err != nil {
				t.Fatal(err)
			}
			if s.Status != "Released" {
				t.Fatalf("details not fetched: %+v", s)
			}
			got = append(got, s.ICCID)
		}
		want := append(append([]string{}, ids[:3]...), ids[4:]...)
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Fatalf("got %v\nwant %v", got, want)
		}
		if p := peak.Load(); p > 4 || p < 2 {
			t.Errorf("peak in flight %d, want 2..4", p)
		}
		if !strings.Contains(warn.String(), ids[3]) {
			t.Errorf("no warning for the vanished SIM: %q", warn.String())
		}
	})
	t.Run("a failure ends the list after the SIMs before it", func(t *testing.T) {
		var got []string
		var gotErr error
		for s, err := range withDetails(context.Background(), refsOf(ids, -1), 4, get("", ids[6]), &bytes.Buffer{}) {
			if err != nil {
				gotErr = err
				break
			}
			got = append(got, s.ICCID)
		}
		if len(got) != 6 || gotErr == nil {
			t.Fatalf("got %d items, err %v", len(got), gotErr)
		}
	})
	t.Run("a page failure comes after the items fetched before it", func(t *testing.T) {
		var got []string
		var gotErr error
		for s, err := range withDetails(context.Background(), refsOf(ids, 10), 4, get("", ""), &bytes.Buffer{}) {
			if err != nil {
				gotErr = err
				break
			}
			got = append(got, s.ICCID)
		}
		if len(got) != 10 || gotErr == nil || gotErr.Error() != "page failed" {
			t.Fatalf("got %d items, err %v", len(got), gotErr)
		}
	})
	t.Run("stopping early leaves nothing running", func(t *testing.T) {
		var mu sync.Mutex
		calls := 0
		counting := func(ctx context.Context, iccid string) (*connect.SIM, error) {
			mu.Lock()
			calls++
			mu.Unlock()
			return get("", "")(ctx, iccid)
		}
		n := 0
		for range withDetails(context.Background(), refsOf(ids, -1), 4, counting, &bytes.Buffer{}) {
			n++
			if n == 2 {
				break
			}
		}
		if inFlight.Load() != 0 {
			t.Errorf("%d fetches still running", inFlight.Load())
		}
		if calls > 2+4 {
			t.Errorf("%d fetches for 2 items", calls)
		}
	})
}

func TestOnlyICCID(t *testing.T) {
	tests := []struct {
		cols []string
		want bool
	}{
		{nil, false},
		{[]string{"iccid"}, true},
		{[]string{" ICCID "}, true},
		{[]string{"iccid", "state"}, false},
		{[]string{"eid"}, false},
		{[]string{""}, false},
	}
	for _, tt := range tests {
		if got := onlyICCID(tt.cols); got != tt.want {
			t.Errorf("onlyICCID(%q) = %v, want %v", tt.cols, got, tt.want)
		}
	}
}
