package connect

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/connectctl/connectctl/internal/lazy"
)

var sensitiveParam = lazy.Value[*regexp.Regexp]{New: func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)(token|secret|password|assertion|code|authorization|carddata|lpa)`)
}}

// RedactHeader hides the value of headers that carry credentials.
func RedactHeader(name, value string) string {
	switch http.CanonicalHeaderKey(name) {
	case "Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie":
		if i := strings.IndexByte(value, ' '); i > 0 {
			return value[:i] + " REDACTED"
		}
		return "REDACTED"
	}
	if sensitiveParam.Get().MatchString(name) {
		return "REDACTED"
	}
	return value
}

// RedactURL renders u without user info and with the values of sensitive
// query parameters hidden.
func RedactURL(u *url.URL) string {
	if u == nil {
		return ""
	}
	v := *u
	v.User = nil
	if v.RawQuery != "" {
		q, err := url.ParseQuery(v.RawQuery)
		if err != nil {
			v.RawQuery = "REDACTED"
		} else {
			changed := false
			for k := range q {
				if sensitiveParam.Get().MatchString(k) {
					q[k] = []string{"REDACTED"}
					changed = true
				}
			}
			if changed {
				v.RawQuery = q.Encode()
			}
		}
	}
	return v.String()
}

var secretPatterns = lazy.Value[[]*regexp.Regexp]{New: func() []*regexp.Regexp {
	return []*regexp.Regexp{
		regexp.MustCompile(`(?i)(bearer\s+)[A-Za-z0-9\-._~+/]+=*`),
		regexp.MustCompile(`(?i)("?(?:access_token|refresh_token|id_token|client_secret|password)"?\s*[:=]\s*"?)[^"&\s,}]+`),
	}
}}

// RedactString hides bearer tokens and token/secret fields in free text.
func RedactString(s string) string {
	for _, re := range secretPatterns.Get() {
		s = re.ReplaceAllString(s, "${1}REDACTED")
	}
	return s
}
