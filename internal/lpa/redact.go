package lpa

import (
	"regexp"
	"strings"

	"github.com/connectctl/connectctl/internal/lazy"
)

// Patterns whose last group is a matching id to mask.
var redactPatterns = lazy.Value[[]*regexp.Regexp]{New: func() []*regexp.Regexp {
	return []*regexp.Regexp{
		// 1$host$id, also with the '%' artefact, inside any text.
		regexp.MustCompile(`(1\$%?[^$\s"'<>]*\$%?)([^$\s"'<>&]+)`),
		// The same, query-escaped (carddata= of an iOS install link): $ is %24,
		// : is %3A and % is %25.
		regexp.MustCompile(`(?i)(1%24(?:%25)?[A-Za-z0-9.\-]*(?:%3A[0-9]*)?%24(?:%25)?)([A-Za-z0-9\-…]+)`),
		// JSON fields of the API: "matchingId": "...", "matching_id": "...".
		regexp.MustCompile(`("(?:matchingId|matching_id)"\s*:\s*")([^"]+)`),
	}
}}

// Redact masks every matching id it finds in s (activation codes in any
// spelling, query-escaped ones inside install links, and the API's JSON
// matchingId / matching_id fields), so s can be logged:
//
//	LPA:1$rsp.truphone.com$5C-M1OIY-QHWKD1 -> LPA:1$rsp.truphone.com$5C-M…D1
//
// Everything else is left as is. Redact is idempotent.
func Redact(s string) string {
	for _, re := range redactPatterns.Get() {
		s = re.ReplaceAllStringFunc(s, func(m string) string {
			sub := re.FindStringSubmatch(m)
			return sub[1] + RedactMatchingID(sub[2])
		})
	}
	return s
}

// RedactMatchingID masks a matching id for logs, keeping a few characters to
// tell codes apart: 14 or more characters keep the first 4 and last 2
// ("5C-M…D1"), 8 to 13 keep 2 and 1, shorter ones are masked entirely. An
// already masked value (containing "…") is returned unchanged.
func RedactMatchingID(id string) string {
	if strings.Contains(id, "…") {
		return id
	}
	r := []rune(id)
	switch n := len(r); {
	case n >= 14:
		return string(r[:4]) + "…" + string(r[n-2:])
	case n >= 8:
		return string(r[:2]) + "…" + string(r[n-1:])
	default:
		return "…"
	}
}
