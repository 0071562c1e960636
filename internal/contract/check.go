package contract

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
)

// Exchange is one request and its answer, as a checker saw them.
type Exchange struct {
	// Request is the request as sent or received; its method, URL (escaped
	// path and query) and headers are checked. Its Body is not read: the
	// body's bytes are RequestBody.
	Request     *http.Request
	RequestBody []byte

	// NoResponse says there was no answer (a transport error, a dropped
	// connection): only the request is checked.
	NoResponse bool
	Status     int
	Header     http.Header
	Body       []byte
}

// Violation is one way an exchange breaks the contract.
type Violation struct {
	Method    string
	Path      string // the request's path as sent (escaped)
	Status    int    // the answer's status; 0 when there was none
	Operation string // "GET /v1/sim/{iccid}", "" when no operation matched
	Side      string // "route", "request" or "response"
	Reason    string
	Body      string // the start of the offending body, for response violations
}

func (v Violation) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "contract: %s %s", v.Method, v.Path)
	if v.Status != 0 {
		fmt.Fprintf(&b, " -> %d", v.Status)
	}
	if v.Operation != "" {
		fmt.Fprintf(&b, " (%s)", v.Operation)
	}
	fmt.Fprintf(&b, ": %s: %s", v.Side, v.Reason)
	if v.Body != "" {
		fmt.Fprintf(&b, "\n\tbody: %s", v.Body)
	}
	return b.String()
}

// Stats counts what a checker saw.
type Stats struct {
	Exchanges  int            // exchanges with API paths (skipped ones excluded)
	Validated  int            // exchanges routed to an operation whose answer was checked
	Violations int            // violations found (reported, or ignored with AllowInvalidRequests)
	Skipped    int            // token endpoint and /_sandbox/ exchanges, not checked
	Operations map[string]int // validated exchanges per "METHOD /path/template"
}

func (s Stats) clone() Stats {
	s.Operations = maps.Clone(s.Operations)
	return s
}

func (s *Stats) merge(d Stats) {
	s.Exchanges += d.Exchanges
	s.Validated += d.Validated
	s.Violations += d.Violations
	s.Skipped += d.Skipped
	for k, v := range d.Operations {
		if s.Operations == nil {
			s.Operations = map[string]int{}
		}
		s.Operations[k] += v
	}
}

// Option tunes a checker.
type Option func(*options)

type options struct {
	allowInvalidRequests bool
	skipPrefixes         []string
}

// AllowInvalidRequests stops reporting request violations (a test that sends
// malformed requests on purpose to see the server's 4xx); the answers are
// still checked.
func AllowInvalidRequests() Option { return func(o *options) { o.allowInvalidRequests = true } }

// SkipPaths skips exchanges whose (decoded) path starts with one of the
// prefixes, besides the token endpoint and /_sandbox/.
func SkipPaths(prefixes ...string) Option {
	return func(o *options) { o.skipPrefixes = append(o.skipPrefixes, prefixes...) }
}

func buildOptions(opts []Option) options {
	var o options
	for _, f := range opts {
		f(&o)
	}
	return o
}

// tokenPathRe matches Keycloak's OpenID Connect endpoints at any base.
var tokenPathRe = regexp.MustCompile(`(^|/)auth/realms/[^/]+/protocol/openid-connect(/|$)`)

// Skipped reports whether a (decoded) path is outside the API: the token
// endpoint and the sandbox's admin endpoints.
func Skipped(path string) bool {
	return tokenPathRe.MatchString(path) || path == "/_sandbox" || strings.Contains(path, "/_sandbox/")
}

func (o *options) skipped(path string) bool {
	if Skipped(path) {
		return true
	}
	for _, p := range o.skipPrefixes {
		if strings.HasPrefix(path, p) {
			return true
		}
	}
	return false
}

// authenticate accepts any request carrying a bearer token: whether the token
// is good is the server's business, its presence is the contract's.
func authenticate(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	h := in.RequestValidationInput.Request.Header.Get("Authorization")
	scheme, token, ok := strings.Cut(strings.TrimSpace(h), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		return errors.New(`no "Authorization: Bearer <token>" header`)
	}
	return nil
}

// Check validates one exchange against the contract and returns its
// violations; skipped is true when the path is outside the API (token
// endpoint, /_sandbox/) and nothing was checked. Nothing is reported or
// counted: the Transport and the Middleware do that.
func (s *Spec) Check(ex *Exchange, opts ...Option) (violations []Violation, skipped bool) {
	o := buildOptions(opts)
	vs, skipped, _ := s.check(ex, &o)
	return vs, skipped
}

// check is Check that also returns the operation when the answer was checked
// against one ("" otherwise).
func (s *Spec) check(ex *Exchange, o *options) (vs []Violation, skipped bool, validatedOp string) {
	req := ex.Request
	if o.skipped(req.URL.Path) {
		return nil, true, ""
	}
	base := Violation{Method: req.Method, Path: req.URL.EscapedPath()}
	if !ex.NoResponse {
		base.Status = ex.Status
	}
	add := func(side, reason, body string) {
		v := base
		v.Side, v.Reason, v.Body = side, reason, body
		vs = append(vs, v)
	}

	route, params, err := s.findRoute(req.Method, req.URL.EscapedPath())
	if err != nil {
		add("route", err.Error(), "")
		return vs, false, ""
	}
	base.Operation = route.Method + " " + route.Path

	fopts := &openapi3filter.Options{
		AuthenticationFunc:    authenticate,
		MultiError:            true,
		IncludeResponseStatus: true,
		SkipSettingDefaults:   true,
		SchemaValidationOptions: append(s.Doc.GetSchemaValidationOptions(),
			openapi3.DisableSchemaErrorDetails()),
	}
	vreq := req.Clone(context.Background())
	vreq.Body = io.NopCloser(bytes.NewReader(ex.RequestBody))
	vreq.ContentLength = int64(len(ex.RequestBody))
	in := &openapi3filter.RequestValidationInput{
		Request:    vreq,
		PathParams: params,
		Route:      route,
		Options:    fopts,
	}
	if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil && !o.allowInvalidRequests {
		for _, r := range reasons(err) {
			add("request", r, "")
		}
	}
	if ex.NoResponse {
		return vs, false, ""
	}

	if ex.Status < 400 && route.Operation.Responses.Status(ex.Status) == nil {
		add("response", fmt.Sprintf("status %d is not declared (declared: %s)",
			ex.Status, strings.Join(declared(route.Operation), ", ")), "")
		return vs, false, base.Operation
	}
	header := ex.Header
	if header == nil {
		header = http.Header{}
	}
	rin := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 ex.Status,
		Header:                 header,
		Body:                   io.NopCloser(bytes.NewReader(ex.Body)),
		Options:                fopts,
	}
	if err := openapi3filter.ValidateResponse(context.Background(), rin); err != nil {
		for _, r := range reasons(err) {
			add("response", r, snippet(header, ex.Body))
		}
	}
	return vs, false, base.Operation
}

func declared(op *openapi3.Operation) []string {
	var codes []string
	for code := range op.Responses.Map() {
		codes = append(codes, code)
	}
	slices.Sort(codes)
	return codes
}

// reasons flattens kin-openapi's errors into one line each.
func reasons(err error) []string {
	var out []string
	switch e := err.(type) {
	case openapi3.MultiError:
		for _, sub := range e {
			out = append(out, reasons(sub)...)
		}
		return out
	case *openapi3filter.RequestError:
		prefix := ""
		switch {
		case e.Parameter != nil:
			prefix = fmt.Sprintf("%s parameter %q", e.Parameter.In, e.Parameter.Name)
		case e.RequestBody != nil:
			prefix = "body"
		}
		return prefixed(prefix, e.Reason, e.Err)
	case *openapi3filter.ResponseError:
		return prefixed("", e.Reason, e.Err)
	case *openapi3filter.SecurityRequirementsError:
		var subs []string
		for _, sub := range e.Errors {
			subs = append(subs, reasons(sub)...)
		}
		return []string{"security requirements failed: " + strings.Join(uniq(subs), "; ")}
	case *openapi3.SchemaError:
		return []string{oneLine(e.Error())}
	}
	return []string{oneLine(err.Error())}
}

func prefixed(prefix, reason string, err error) []string {
	head := strings.TrimSpace(strings.Join(nonEmpty(prefix, reason), ": "))
	if err == nil {
		return []string{head}
	}
	var out []string
	for _, r := range reasons(err) {
		out = append(out, strings.Join(nonEmpty(head, r), ": "))
	}
	return out
}

func nonEmpty(s ...string) []string {
	var out []string
	for _, x := range s {
		if x != "" {
			out = append(out, x)
		}
	}
	return out
}

func uniq(s []string) []string {
	var out []string
	for _, x := range s {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// snippet is the start of a body, to show with a response violation.
func snippet(h http.Header, body []byte) string {
	const max = 400
	ct := h.Get("Content-Type")
	s := string(body)
	if len(s) > max {
		s = s[:max] + "...(" + strconv.Itoa(len(body)) + " bytes)"
	}
	if s == "" {
		s = "(empty)"
	}
	if ct != "" {
		s = "[" + ct + "] " + s
	}
	return oneLine(s)
}
