package sim

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/connectctl/connectctl/cmd/cmdutil"
	"github.com/connectctl/connectctl/internal/iostreams"
)

func TestParseWithin(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"7d", 7 * 24 * time.Hour, true},
		{"2w", 14 * 24 * time.Hour, true},
		{"36h", 36 * time.Hour, true},
		{" 90m ", 90 * time.Minute, true},
		{"0d", 0, false},
		{"-7d", 0, false},
		{"0s", 0, false},
		{"7 days", 0, false},
		{"3mo", 0, false},
		{"", 0, false},
	}
	for _, tt := range tests {
		got, err := ParseWithin(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseWithin(%q) = %v, %v; want %v ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestUsageKeep(t *testing.T) {
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	in3d, in10d := now.Add(72*time.Hour), now.Add(240*time.Hour)
	u := func(pct float64, exp *time.Time) Usage { return Usage{PercentUsed: pct, NearestExpiry: exp} }
	tests := []struct {
		name    string
		overSet bool
		over    float64
		within  time.Duration
		u       Usage
		want    bool
	}{
		{"no filter", false, 0, 0, u(0, nil), true},
		{"over: above", true, 80, 0, u(80.1, nil), true},
		{"over: equal is not above", true, 80, 0, u(80, nil), false},
		{"over 0 keeps any use", true, 0, 0, u(0.1, nil), true},
		{"over 0 drops unused", true, 0, 0, u(0, nil), false},
		{"expiring: within", false, 0, 7 * 24 * time.Hour, u(0, &in3d), true},
		{"expiring: later", false, 0, 7 * 24 * time.Hour, u(0, &in10d), false},
		{"expiring: no expiry", false, 0, 7 * 24 * time.Hour, u(100, nil), false},
		{"both met", true, 50, 7 * 24 * time.Hour, u(60, &in3d), true},
		{"both: one missed", true, 50, 7 * 24 * time.Hour, u(40, &in3d), false},
	}
	for _, tt := range tests {
		o := &UsageOptions{overSet: tt.overSet, Over: tt.over, within: tt.within}
		if got := o.keep(tt.u, now); got != tt.want {
			t.Errorf("%s: keep = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestReadICCIDFile(t *testing.T) {
	const a, b = "8944478600001000018", "8944478600001000026"
	tests := []struct {
		name, in string
		want     []string
		err      string
	}{
		{"one a line", a + "\n" + b + "\n", []string{a, b}, ""},
		{"header, comments, blanks, duplicates, CRLF", "ICCID\r\n# mine\r\n\r\n" + a + "\r\n" + a + "\r\n" + b, []string{a, b}, ""},
		{"first field of CSV or TSV", a + ",ana@example.com\n" + `"` + b + `"` + "\tx\n", []string{a, b}, ""},
		{"bad line", a + "\nhello\n", nil, "line 2"},
		{"empty", "# none\n\n", nil, "no ICCIDs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, in, _, _ := iostreams.Test()
			in.WriteString(tt.in)
			got, err := readICCIDFile(ios, "-")
			if tt.err != "" {
				if cmdutil.ExitCodeFor(err) != cmdutil.ExitUsage || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err %v, want a usage error with %q", err, tt.err)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}
