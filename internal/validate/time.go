package validate

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/connectctl/connectctl/internal/lazy"
)

var daysRE = lazy.Value[*regexp.Regexp]{New: func() *regexp.Regexp { return regexp.MustCompile(`^(\d+)([dw])$`) }}

// TimeFilterHelp says what TimeFilter accepts, for flag usage texts.
const TimeFilterHelp = "an RFC 3339 time (2024-10-17T09:30:00Z, fractions kept), a date (2024-10-17, midnight local time) or a duration back from now (90s, 48h, 7d, 2w)"

// TimeFilter reads the bound of a time filter (--since, --until): an RFC
// 3339 time with an optional fraction of a second, a plain date (the start
// of that day in loc), or a positive duration back from now: a Go duration
// (90s, 15m, 1h30m, 48h) or whole days and weeks (7d, 2w).
func TimeFilter(s string, now time.Time, loc *time.Location) (time.Time, error) {
	in := strings.TrimSpace(s)
	want := "want an RFC 3339 time such as 2024-10-17T09:30:00Z, a date such as 2024-10-17, or a duration back from now such as 15m, 48h or 7d"
	if in == "" {
		return time.Time{}, newErr(ErrFormat, "time", in, "empty, %s", want)
	}
	if m := daysRE.Get().FindStringSubmatch(in); m != nil {
		n, err := strconv.Atoi(m[1])
		days := map[string]int{"d": 1, "w": 7}[m[2]]
		if err != nil || n <= 0 || n > 100*365/days {
			return time.Time{}, newErr(ErrRange, "time", in, "want a positive duration of at most 100 years")
		}
		return now.AddDate(0, 0, -n*days), nil
	}
	if d, err := time.ParseDuration(in); err == nil {
		if d <= 0 {
			return time.Time{}, newErr(ErrRange, "time", in, "want a positive duration back from now such as 15m")
		}
		return now.Add(-d), nil
	}
	if loc == nil {
		loc = time.Local
	}
	if t, err := time.ParseInLocation(time.DateOnly, in, loc); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, in); err == nil {
		return t, nil
	}
	if in[0] >= '0' && in[0] <= '9' && !strings.Contains(in, "-") {
		// Looks like a duration with a unit Go does not know (15 min, 3mo).
		return time.Time{}, newErr(ErrFormat, "time", in, "not a duration, %s (units: s, m, h, d, w)", want)
	}
	if _, err := time.Parse("2006-01-02T15:04:05", in); err == nil {
		return time.Time{}, newErr(ErrFormat, "time", in, "missing time zone, want an RFC 3339 time such as %sZ", in)
	}
	return time.Time{}, newErr(ErrFormat, "time", in, "%s", want)
}
