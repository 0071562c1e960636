package testenv

import (
	"regexp"
	"strconv"
	"strings"
)

// InitRecord is one line of GODEBUG=inittrace=1: the package-level
// initialisation of one package before main.
type InitRecord struct {
	Package string
	ClockMS float64
	Bytes   int64
	Allocs  int64
}

var initLine = regexp.MustCompile(`^init (\S+) @\S+ ms, ([0-9.]+) ms clock, ([0-9]+) bytes, ([0-9]+) allocs$`)

// ParseInitTrace reads the init lines of a run under GODEBUG=inittrace=1
// from its stderr; other lines are ignored.
func ParseInitTrace(stderr string) []InitRecord {
	var recs []InitRecord
	for _, line := range strings.Split(stderr, "\n") {
		m := initLine.FindStringSubmatch(strings.TrimSpace(line))
		if m == nil {
			continue
		}
		clock, _ := strconv.ParseFloat(m[2], 64)
		b, _ := strconv.ParseInt(m[3], 10, 64)
		a, _ := strconv.ParseInt(m[4], 10, 64)
		recs = append(recs, InitRecord{Package: m[1], ClockMS: clock, Bytes: b, Allocs: a})
	}
	return recs
}

// IsStdlib reports whether an import path is the standard library's (its
// first element has no dot; vendor/golang.org/x/... is the standard
// library's vendored code).
func IsStdlib(pkg string) bool {
	first, _, _ := strings.Cut(pkg, "/")
	return !strings.Contains(first, ".") || first == "vendor"
}
