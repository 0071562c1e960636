package contract

import (
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"
)

// route is one path template of the document, split in segments. A segment
// "{name}" is a variable matching exactly one non-empty path segment.
type route struct {
	template string
	segs     []string
	vars     []string // per segment: the variable's name, or "" for a literal
	literals int
	item     *openapi3.PathItem
}

func (s *Spec) buildRoutes() error {
	for _, p := range s.Doc.Paths.InMatchingOrder() {
		r := &route{template: p, item: s.Doc.Paths.Value(p)}
		if !strings.HasPrefix(p, "/") {
			return fmt.Errorf("path %q does not start with /", p)
		}
		r.segs = strings.Split(p[1:], "/")
		r.vars = make([]string, len(r.segs))
		for i, seg := range r.segs {
			if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") && len(seg) > 2 {
				r.vars[i] = seg[1 : len(seg)-1]
			} else if strings.ContainsAny(seg, "{}") {
				return fmt.Errorf("path %q: only whole-segment variables are supported", p)
			} else {
				r.literals++
			}
		}
		s.routes = append(s.routes, r)
	}
	// Most literal segments first: /v1/sim/{iccid}/subscriptions before a
	// hypothetical /v1/sim/{iccid}/{x}.
	sort.SliceStable(s.routes, func(i, j int) bool { return s.routes[i].literals > s.routes[j].literals })
	return nil
}

// apiPath strips whatever base path precedes the API's /v1 (the prod base
// /connect-api, the preprod one, none for the sandbox) from an escaped path.
func apiPath(escaped string) string {
	if i := strings.Index(escaped, "/v1/"); i > 0 {
		return escaped[i:]
	}
	if strings.HasSuffix(escaped, "/v1") {
		return "/v1"
	}
	return escaped
}

// findRoute maps a method and an escaped request path to the document's
// operation and the decoded path parameters. It works on the escaped path so
// that a parameter holding an escaped "/" (%2F, as base64 product ids do)
// stays one segment.
func (s *Spec) findRoute(method, escapedPath string) (*routers.Route, map[string]string, error) {
	p := apiPath(escapedPath)
	if !strings.HasPrefix(p, "/") {
		return nil, nil, fmt.Errorf("path %q is not absolute", escapedPath)
	}
	raw := strings.Split(p[1:], "/")
	segs := make([]string, len(raw))
	for i, seg := range raw {
		dec, err := url.PathUnescape(seg)
		if err != nil {
			return nil, nil, fmt.Errorf("path segment %q: %v", seg, err)
		}
		segs[i] = dec
	}
	for _, r := range s.routes {
		if len(r.segs) != len(segs) {
			continue
		}
		params := map[string]string{}
		ok := true
		for i, seg := range segs {
			if name := r.vars[i]; name != "" {
				if seg == "" {
					ok = false
					break
				}
				params[name] = seg
			} else if seg != r.segs[i] {
				ok = false
				break
			}
		}
		if !ok {
			continue
		}
		op := r.item.GetOperation(method)
		if op == nil {
			return nil, nil, fmt.Errorf("method %s is not declared for %s", method, r.template)
		}
		return &routers.Route{
			Spec:      s.Doc,
			Path:      r.template,
			PathItem:  r.item,
			Method:    method,
			Operation: op,
		}, params, nil
	}
	return nil, nil, fmt.Errorf("no operation of the contract matches %s %s", method, p)
}

func sortStrings(s []string) { sort.Strings(s) }
