package output

import (
	"strconv"
	"strings"
	"time"
)

// ColumnKind says what a column holds, so that a table on a terminal can
// show it for a person: statuses in colour, times relative to now. Pipes,
// CSV and JSON always get the value as the column gives it (RFC 3339 for
// times).
type ColumnKind int

const (
	KindText   ColumnKind = iota // shown as given
	KindStatus                   // a status word: coloured by StatusColor when colour is on
	KindTime                     // an RFC 3339 time: shown as RelativeTime on a terminal
)

// SGR colours of statuses.
const (
	sgrGreen  = "\x1b[32m"
	sgrRed    = "\x1b[31m"
	sgrYellow = "\x1b[33m"
	sgrGrey   = "\x1b[90m"
	sgrReset  = "\x1b[0m"
)

// StatusColor is the SGR sequence of a status, in any case: green for a good
// state (COMPLETED, ACTIVE, Released, Installed, ordered, ...), red for a
// failure (FAILED, ERROR, refused, ...), yellow for one still pending
// (ACCEPTED, FULFILLING, PENDING, unknown, ...), grey for one that is over
// (EXPIRED, DEPLETED). "" for a status it does not know.
func StatusColor(status string) string {
	switch strings.ToUpper(strings.TrimSpace(status)) {
	case "COMPLETED", "ACTIVE", "RELEASED", "DOWNLOADED", "INSTALLED", "ENABLED",
		"OK", "SUCCESS", "SUCCEEDED", "ORDERED", "RECOVERED", "SKIPPED", "VALID":
		return sgrGreen
	case "FAILED", "ERROR", "REFUSED", "INVALID", "UNAVAILABLE", "REJECTED", "DISABLED":
		return sgrRed
	case "ACCEPTED", "FULFILLING", "FULFILING", "PENDING", "SENDING", "UNKNOWN",
		"IN_PROGRESS", "QUEUED", "WAITING":
		return sgrYellow
	case "EXPIRED", "DEPLETED", "CANCELLED", "CANCELED", "DELETED":
		return sgrGrey
	}
	return ""
}

// Colorize wraps s in the colour of its status; s as is when the status has
// none.
func Colorize(s string) string {
	if c := StatusColor(s); c != "" && s != "" {
		return c + s + sgrReset
	}
	return s
}

// RelativeTime says when t is from now, for a person: "just now",
// "3 minutes ago", "about 1 hour ago", "in 29 days", "2 years ago".
func RelativeTime(t, now time.Time) string {
	d := now.Sub(t)
	future := d < 0
	if future {
		d = -d
	}
	var s string
	switch {
	case d < time.Minute:
		if future {
			return "in less than a minute"
		}
		return "just now"
	case d < time.Hour:
		s = count(int(d/time.Minute), "minute")
	case d < 24*time.Hour:
		s = count(int(d/time.Hour), "hour")
	case d < 30*24*time.Hour:
		s = count(int(d/(24*time.Hour)), "day")
	case d < 365*24*time.Hour:
		s = count(int(d/(30*24*time.Hour)), "month")
	default:
		s = count(int(d/(365*24*time.Hour)), "year")
	}
	if future {
		return "in " + s
	}
	return s + " ago"
}

func count(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return strconv.Itoa(n) + " " + unit + "s"
}

// humanCell is a table cell on a terminal: a time column's RFC 3339 value
// relative to now, a status column's value in colour when color is on.
// Anything that is not such a value stays as it is.
func humanCell(kind ColumnKind, v string, now time.Time, color bool) string {
	switch kind {
	case KindTime:
		if t, err := time.Parse(time.RFC3339, v); err == nil {
			return RelativeTime(t, now)
		}
	case KindStatus:
		if color {
			return Colorize(v)
		}
	}
	return v
}

// ttyRow is row for a table on a terminal: the cells of time and status
// columns made for a person (see humanCell).
func ttyRow[T any](p *Printer, cols []Column[T], item T) []string {
	out := row(cols, item)
	color := p.io.ColorEnabled()
	var now time.Time
	for i, c := range cols {
		if c.Kind == KindText {
			continue
		}
		if now.IsZero() {
			now = p.now()
		}
		out[i] = humanCell(c.Kind, out[i], now, color)
	}
	return out
}

// SetClock replaces the clock relative times are measured from (tests).
func (p *Printer) SetClock(now func() time.Time) { p.clock = now }

func (p *Printer) now() time.Time {
	if p.clock != nil {
		return p.clock()
	}
	return time.Now()
}

// visibleWidth is the width of s on a terminal without its SGR colour
// sequences.
func visibleWidth(s string) int {
	if !strings.Contains(s, "\x1b[") {
		return displayWidth(s)
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == 0x1b && i+1 < len(s) && s[i+1] == '[' {
			j := i + 2
			for j < len(s) && s[j] != 'm' {
				j++
			}
			i = j
			continue
		}
		b.WriteByte(s[i])
	}
	return displayWidth(b.String())
}
