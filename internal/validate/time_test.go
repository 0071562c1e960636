package validate

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestTimeFilter(t *testing.T) {
	now := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	lisbon := time.FixedZone("WET+1", 3600)
	tests := []struct {
		in      string
		loc     *time.Location
		want    time.Time
		wantErr error
		errText string
	}{
		{in: "15m", want: now.Add(-15 * time.Minute)},
		{in: "1h30m", want: now.Add(-90 * time.Minute)},
		{in: "48h", want: now.Add(-48 * time.Hour)},
		{in: "7d", want: now.AddDate(0, 0, -7)},
		{in: "2w", want: now.AddDate(0, 0, -14)},
		{in: " 2026-02-01T10:00:00Z ", want: time.Date(2026, 2, 1, 10, 0, 0, 0, time.UTC)},
		{in: "2026-02-01T10:00:00+02:00", want: time.Date(2026, 2, 1, 8, 0, 0, 0, time.UTC)},
		{in: "2026-02-01T10:00:00.123456789Z", want: time.Date(2026, 2, 1, 10, 0, 0, 123456789, time.UTC)},
		{in: "2026-12-05", loc: time.UTC, want: time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC)},
		{in: "2026-12-05", loc: lisbon, want: time.Date(2026, 12, 4, 23, 0, 0, 0, time.UTC)},
		{in: "2026-02-30", wantErr: ErrFormat},
		{in: "2026-02-01T10:00:00", wantErr: ErrFormat, errText: "missing time zone"},
		{in: "-5m", wantErr: ErrRange},
		{in: "0s", wantErr: ErrRange},
		{in: "0d", wantErr: ErrRange},
		{in: "99999w", wantErr: ErrRange},
		{in: "15 min", wantErr: ErrFormat, errText: "not a duration"},
		{in: "3mo", wantErr: ErrFormat, errText: "not a duration"},
		{in: "yesterday", wantErr: ErrFormat, errText: "RFC 3339"},
		{in: "", wantErr: ErrFormat, errText: "empty"},
	}
	for _, tt := range tests {
		got, err := TimeFilter(tt.in, now, tt.loc)
		if tt.wantErr != nil {
			if !errors.Is(err, tt.wantErr) || !strings.Contains(err.Error(), tt.errText) {
				t.Errorf("TimeFilter(%q) error %v, want %v with %q", tt.in, err, tt.wantErr, tt.errText)
			}
			continue
		}
		if err != nil || !got.Equal(tt.want) {
			t.Errorf("TimeFilter(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}
