package connect

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"net/http"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/connectctl/connectctl/internal/lazy"
)

// ErrorDetail is one entry of an RFC 7807 "errors" list.
type ErrorDetail struct {
	Code     string `json:"code,omitempty"`
	Detail   string `json:"detail,omitempty"`
	JSONPath string `json:"json_path,omitempty"`
}

// APIError is every failure of a call to the API: an answer outside 2xx, or
// no usable answer at all (Status 0, Cause set).
type APIError struct {
	Op       string       // what was attempted: "get SIM"
	Endpoint EndpointName // table name; empty for raw requests off the table
	Method   string
	Path     string // URL path as sent (escaped), without the query

	Status        int    // HTTP status; 0 when no answer was received
	Type          string // v1 "type" (ACCESS_DENIED, ...)
	Title         string // RFC 7807 "title"
	Codes         []string
	Messages      []string // v1 "messages", RFC 7807 "detail", 429 "message", or a text excerpt
	Details       []ErrorDetail
	CorrelationID string // the API's (body, then header), else the one we sent
	RetryAfter    time.Duration
	// OutcomeUnknown is set when a request that changes state (POST, PATCH)
	// may or may not have taken effect: it was sent and then the connection
	// dropped, timed out, or the server answered 5xx. Never retry such a
	// request blindly.
	OutcomeUnknown bool
	Attempts       int
	Cause          error // transport failure, when Status is 0

	// Body is the raw answer, for the raw API command. Not printed.
	Body []byte `json:"-"`
}

// HTTPStatus is the status behind the error (0: no answer); the CLI maps it
// to an exit code.
func (e *APIError) HTTPStatus() int { return e.Status }

// Unwrap returns the transport failure, if any (context.Canceled, ...).
func (e *APIError) Unwrap() error { return e.Cause }

// Temporary reports whether trying again later may succeed.
func (e *APIError) Temporary() bool {
	return e.Status == 0 || e.Status == 429 || e.Status >= 500
}

// Error renders: what failed, the status, type/codes, messages, correlation
// id; then one line per detail; then a hint of what to do next.
func (e *APIError) Error() string {
	var b strings.Builder
	op := e.Op
	if op == "" {
		op = "request"
	}
	b.WriteString(op)
	if e.Method != "" || e.Path != "" {
		fmt.Fprintf(&b, " (%s %s)", e.Method, e.Path)
	}
	b.WriteString(" failed: ")
	if e.OutcomeUnknown {
		b.WriteString("OUTCOME UNKNOWN: ")
	}
	switch {
	case e.Status == 0 && errors.Is(e.Cause, context.Canceled):
		// Ctrl-C: said so, not in Go's words.
		b.WriteString("interrupted before the answer came")
	case e.Status == 0:
		b.WriteString("no answer")
		if e.Cause != nil {
			fmt.Fprintf(&b, ": %v", e.Cause)
		}
	default:
		fmt.Fprintf(&b, "HTTP %d", e.Status)
		if t := http.StatusText(e.Status); t != "" {
			b.WriteString(" " + t)
		}
	}
	// Text from the answer's body is shown on one line, without control
	// characters (terminal escapes, line breaks), and within errTextBudget
	// bytes in all, however large or hostile the body.
	left := errTextBudget
	show := func(s string) string {
		s = oneLine(s)
		if len(s) > left {
			cut := max(left, 0)
			for cut > 0 && !utf8.RuneStart(s[cut]) {
				cut--
			}
			s = s[:cut] + "…"
		}
		left -= len(s) + 2
		return s
	}
	showList := func(list []string) []string {
		var out []string
		for i, x := range list {
			if left <= 0 {
				out = append(out, fmt.Sprintf("… (%d more)", len(list)-i))
				break
			}
			out = append(out, show(x))
		}
		return out
	}
	var kinds []string
	if e.Type != "" {
		kinds = append(kinds, e.Type)
	}
	kinds = append(kinds, e.Codes...)
	if len(kinds) > 0 {
		fmt.Fprintf(&b, " [%s]", strings.Join(showList(dedupe(kinds)), ", "))
	}
	var msgs []string
	if e.Title != "" && !containsFold(e.Messages, e.Title) {
		msgs = append(msgs, e.Title)
	}
	msgs = append(msgs, e.Messages...)
	if len(msgs) > 0 {
		b.WriteString(": " + strings.Join(showList(msgs), "; "))
	}
	if e.CorrelationID != "" {
		fmt.Fprintf(&b, " (correlation id %s)", oneLine(e.CorrelationID))
	}
	for i, d := range e.Details {
		b.WriteString("\n  - ")
		if left <= 0 {
			fmt.Fprintf(&b, "… (%d more)", len(e.Details)-i)
			break
		}
		if d.JSONPath != "" {
			b.WriteString(show(d.JSONPath) + ": ")
		}
		if d.Code != "" {
			b.WriteString(show(d.Code))
			if d.Detail != "" {
				b.WriteString(": ")
			}
		}
		b.WriteString(show(d.Detail))
	}
	if h := e.hint(); h != "" {
		b.WriteString("\nhint: " + h)
	}
	return b.String()
}

func (e *APIError) hint() string {
	if e.OutcomeUnknown {
		what := "the request may or may not have taken effect"
		check := "check the resource's state before trying again"
		if e.Endpoint == EPOrderCreate {
			what = "the order may or may not have been placed"
			check = "the attempt is in the order journal (`connectctl order history --status unknown`); check with `connectctl order list --since 15m` before ordering again (a duplicate order is charged)"
		}
		id := ""
		if e.CorrelationID != "" {
			id = " (correlation id " + oneLine(e.CorrelationID) + ")"
		}
		return what + id + "; do not retry blindly: " + check
	}
	switch {
	case e.Status == 0:
		if isCanceled(e.Cause) {
			return ""
		}
		return "check the network connection and the profile's base URL; the call is safe to retry if it only reads"
	case e.Status == 400:
		return "fix the request as the messages say, then retry"
	case e.Status == 401:
		return "the credentials were refused: check the profile's client id and secret"
	case e.Status == 403:
		return "the resource belongs to another client, or the client's role (RESELLER, ACCOUNT_MANAGER) does not allow this call"
	case e.Status == 404:
		return "nothing found: check the id (and the profile: prod and preprod hold different data)"
	case e.Status == 429:
		s := "rate limited (the API allows a quota of requests per minute per endpoint)"
		if e.RetryAfter > 0 {
			s += fmt.Sprintf("; retry after %s", e.RetryAfter.Round(time.Second))
		} else {
			s += "; retry in a minute"
		}
		return s
	case e.Status >= 500:
		s := "the API is in trouble; retry later"
		if e.CorrelationID != "" {
			s += ", and if it persists report correlation id " + oneLine(e.CorrelationID) + " to 1GLOBAL"
		}
		return s
	case e.Status >= 400:
		return "the API refused the request; fix it and retry"
	}
	return ""
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(strings.TrimSpace(x), strings.TrimSpace(s)) {
			return true
		}
	}
	return false
}

func dedupe(s []string) []string {
	seen := map[string]bool{}
	out := s[:0:0]
	for _, x := range s {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// wireError holds every error shape the API uses.
type wireError struct {
	// v1
	Type     string          `json:"type"`
	Messages json.RawMessage `json:"messages"`
	// RFC 7807
	Title         string          `json:"title"`
	Status        json.RawMessage `json:"status"`
	Detail        string          `json:"detail"`
	Errors        []wireDetail    `json:"errors"`
	CorrelationID string          `json:"correlation_id"`
	CorrelationId string          `json:"correlationId"` //nolint:revive // wire spelling
	// 429
	Message        string `json:"message"`
	HTTPStatusCode int    `json:"http_status_code"`
	// OAuth2-style, should a gateway answer that way
	OAuthError       string `json:"error"`
	ErrorDescription string `json:"error_description"`
}

type wireDetail struct {
	Code     string `json:"code"`
	Detail   string `json:"detail"`
	Message  string `json:"message"`
	JSONPath string `json:"json_path"`
	Field    string `json:"field"`
}

// decodeErrorBody fills e's Type, Title, Codes, Messages, Details and
// (body) CorrelationID from an error answer of any model.
func decodeErrorBody(e *APIError, contentType string, body []byte) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		e.Messages = append(e.Messages, "empty body")
		return
	}
	var w wireError
	if trimmed[0] == '{' && json.Unmarshal(trimmed, &w) == nil {
		e.Type = w.Type
		e.Title = w.Title
		e.Messages = append(e.Messages, stringOrList(w.Messages)...)
		if w.Detail != "" {
			e.Messages = append(e.Messages, w.Detail)
		}
		if w.Message != "" {
			e.Messages = append(e.Messages, w.Message)
		}
		if w.OAuthError != "" {
			e.Codes = append(e.Codes, w.OAuthError)
		}
		if w.ErrorDescription != "" {
			e.Messages = append(e.Messages, w.ErrorDescription)
		}
		for _, d := range w.Errors {
			det := ErrorDetail{Code: d.Code, Detail: d.Detail, JSONPath: d.JSONPath}
			if det.Detail == "" {
				det.Detail = d.Message
			}
			if det.JSONPath == "" {
				det.JSONPath = d.Field
			}
			e.Details = append(e.Details, det)
			if d.Code != "" {
				e.Codes = append(e.Codes, d.Code)
			}
		}
		e.Codes = dedupe(e.Codes)
		if e.Title != "" && containsFold(e.Messages, e.Title) {
			// RFC 7807 examples repeat the title as the detail.
			e.Title = ""
		}
		switch {
		case w.CorrelationID != "":
			e.CorrelationID = w.CorrelationID
		case w.CorrelationId != "":
			e.CorrelationID = w.CorrelationId
		}
		if len(e.Messages) == 0 && e.Type == "" && e.Title == "" && len(e.Details) == 0 {
			e.Messages = append(e.Messages, excerpt(string(trimmed)))
		}
		return
	}
	e.Messages = append(e.Messages, textExcerpt(contentType, trimmed))
}

func stringOrList(raw json.RawMessage) []string {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var list []string
	if json.Unmarshal(raw, &list) == nil {
		return list
	}
	var one string
	if json.Unmarshal(raw, &one) == nil && one != "" {
		return []string{one}
	}
	var anyList []any
	if json.Unmarshal(raw, &anyList) == nil {
		out := make([]string, 0, len(anyList))
		for _, a := range anyList {
			out = append(out, fmt.Sprint(a))
		}
		return out
	}
	return []string{string(raw)}
}

var (
	reScriptStyle = lazy.Value[*regexp.Regexp]{New: func() *regexp.Regexp { return regexp.MustCompile(`(?is)<(script|style)\b.*?</(script|style)\s*>`) }}
	reComment     = lazy.Value[*regexp.Regexp]{New: func() *regexp.Regexp { return regexp.MustCompile(`(?s)<!--.*?-->`) }}
	reTag         = lazy.Value[*regexp.Regexp]{New: func() *regexp.Regexp { return regexp.MustCompile(`(?s)<[^>]*>`) }}
	reSpace       = lazy.Value[*regexp.Regexp]{New: func() *regexp.Regexp { return regexp.MustCompile(`\s+`) }}
)

const excerptLen = 200

// textExcerpt makes a short, readable message of a non-JSON answer (an HTML
// page from a proxy, plain text).
func textExcerpt(contentType string, body []byte) string {
	s := string(body)
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "?")
	}
	if strings.Contains(strings.ToLower(contentType), "html") || looksHTML(s) {
		s = reScriptStyle.Get().ReplaceAllString(s, " ")
		s = reComment.Get().ReplaceAllString(s, " ")
		s = reTag.Get().ReplaceAllString(s, " ")
		s = html.UnescapeString(s)
	}
	s = excerpt(s)
	if s == "" {
		return "empty body"
	}
	return s
}

func looksHTML(s string) bool {
	l := strings.ToLower(strings.TrimSpace(s))
	return strings.HasPrefix(l, "<!doctype html") || strings.HasPrefix(l, "<html") || strings.Contains(l, "</body>")
}

// errTextBudget bounds, in bytes, the body text that Error() shows.
const errTextBudget = 2048

// oneLine makes text from an answer printable on one line: control
// characters (terminal escapes, line breaks) become spaces, runs of white
// space collapse, and it is cut to excerptLen runes.
func oneLine(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(s, "?"))
	return excerpt(s)
}

func excerpt(s string) string {
	s = strings.TrimSpace(reSpace.Get().ReplaceAllString(s, " "))
	if utf8.RuneCountInString(s) > excerptLen {
		r := []rune(s)
		s = string(r[:excerptLen]) + "…"
	}
	return s
}

// NotFoundError reports a lookup that found nothing although the API
// answered 2xx (FindCustomerByEmail with no match).
type NotFoundError struct{ What string }

func (e *NotFoundError) Error() string { return e.What + " not found" }

// HTTPStatus maps to the CLI's not-found exit code.
func (e *NotFoundError) HTTPStatus() int { return http.StatusNotFound }

// IsNotFound reports whether err says the thing asked for is not there: a
// 404, or a NotFoundError (a SIM deleted meanwhile, another account's).
func IsNotFound(err error) bool {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Status == 404
	}
	var nf *NotFoundError
	return errors.As(err, &nf)
}
