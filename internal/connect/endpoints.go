package connect

import (
	"fmt"
	"net/http"
	"strings"
)

// EndpointName names one endpoint of the API. It keys the path table, the
// pacing state (the API limits each endpoint separately) and debug output.
type EndpointName string

// The endpoints of the Connect API.
const (
	EPProductsList           EndpointName = "products.list"
	EPProductsGet            EndpointName = "products.get"
	EPOrderCreate            EndpointName = "order.create"
	EPOrderList              EndpointName = "order.list"
	EPOrderGet               EndpointName = "order.get"
	EPSIMList                EndpointName = "sim.list"
	EPSIMGet                 EndpointName = "sim.get"
	EPSIMChangeEID           EndpointName = "sim.change_eid"
	EPSIMDelete              EndpointName = "sim.delete"
	EPSIMSubscriptions       EndpointName = "sim.subscriptions"
	EPSIMPreferences         EndpointName = "sim.preferences"
	EPNotificationRegister   EndpointName = "sim.notification.register"
	EPNotificationUnregister EndpointName = "sim.notification.unregister"
	EPSubscriptionList       EndpointName = "subscription.list"
	EPSubscriptionGet        EndpointName = "subscription.get"
	EPSubscriptionActivate   EndpointName = "subscription.activate"
	EPCustomerCreate         EndpointName = "customer.create"
	EPCustomerFind           EndpointName = "customer.find"
	EPCustomerGet            EndpointName = "customer.get"
	EPCustomerUpdate         EndpointName = "customer.update"
)

// ListSpec describes how a list endpoint pages.
type ListSpec struct {
	PageParam string // 1-based page number, v1 style
	SizeParam string // page size, v1 style ("size", or "page_size" on /v1/order)
	Embedded  string // the HAL _embedded key of the 2024 cursor style
}

// Endpoint is one row of the path table.
type Endpoint struct {
	Name   EndpointName
	Method string
	// Path is relative to the base URL; {name} marks one path segment filled
	// by BuildPath, in order.
	Path string
	// Op says what the call does, for error messages ("get SIM").
	Op   string
	List *ListSpec
}

var (
	simList    = &ListSpec{PageParam: "page", SizeParam: "size", Embedded: "sims"}
	subsList   = &ListSpec{PageParam: "page", SizeParam: "size", Embedded: "subscriptions"}
	ordersList = &ListSpec{PageParam: "page", SizeParam: "page_size", Embedded: "orders"}
	// The catalogue is asked for whole (no page parameters); a server that
	// pages it anyway is followed through X-Next-Page or _links.next.
	productsList = &ListSpec{Embedded: "products"}
	endpointTab  = []Endpoint{
		{EPProductsList, http.MethodGet, "/v1/products", "list products", productsList},
		{EPProductsGet, http.MethodGet, "/v1/products/{product_id}", "get product", nil},
		{EPOrderCreate, http.MethodPost, "/v1/order", "place order", nil},
		{EPOrderList, http.MethodGet, "/v1/order", "list orders", ordersList},
		{EPOrderGet, http.MethodGet, "/v1/order/{order_id}", "get order", nil},
		{EPSIMList, http.MethodGet, "/v1/sim", "list SIMs", simList},
		{EPSIMGet, http.MethodGet, "/v1/sim/{iccid}", "get SIM", nil},
		{EPSIMChangeEID, http.MethodPut, "/v1/sim/{iccid}", "change SIM EID", nil},
		{EPSIMDelete, http.MethodDelete, "/v1/sim/{iccid}", "delete SIM", nil},
		{EPSIMSubscriptions, http.MethodGet, "/v1/sim/{iccid}/subscriptions", "list SIM subscriptions", subsList},
		{EPSIMPreferences, http.MethodGet, "/v1/sim/{iccid}/preferences", "get SIM preferences", nil},
		{EPNotificationRegister, http.MethodPost, "/v1/sim/{iccid}/preferences/notifications/{type}", "register notification", nil},
		{EPNotificationUnregister, http.MethodDelete, "/v1/sim/{iccid}/preferences/notifications/{type}", "unregister notification", nil},
		{EPSubscriptionList, http.MethodGet, "/v1/subscription", "list subscriptions", subsList},
		{EPSubscriptionGet, http.MethodGet, "/v1/subscription/{subscription_id}", "get subscription", nil},
		{EPSubscriptionActivate, http.MethodPost, "/v1/subscription/{subscription_id}/activate", "activate subscription", nil},
		{EPCustomerCreate, http.MethodPost, "/v1/customer", "create customer", nil},
		{EPCustomerFind, http.MethodGet, "/v1/customer", "find customer", nil},
		{EPCustomerGet, http.MethodGet, "/v1/customer/{customer_id}", "get customer", nil},
		{EPCustomerUpdate, http.MethodPatch, "/v1/customer/{customer_id}", "update customer", nil},
	}
	endpoints = func() map[EndpointName]Endpoint {
		m := make(map[EndpointName]Endpoint, len(endpointTab))
		for _, e := range endpointTab {
			if _, dup := m[e.Name]; dup {
				panic("connect: duplicate endpoint " + e.Name)
			}
			m[e.Name] = e
		}
		return m
	}()
)

// Endpoints returns the path table, in a stable order.
func Endpoints() []Endpoint { return append([]Endpoint(nil), endpointTab...) }

// LookupEndpoint returns the table row of name.
func LookupEndpoint(name EndpointName) (Endpoint, bool) {
	e, ok := endpoints[name]
	return e, ok
}

// BuildPath fills the {placeholders} of template with args, in order, each
// escaped as exactly one path segment. It returns the decoded path (for
// url.URL.Path) and the escaped one (for url.URL.RawPath): an id holding "/"
// travels as %2F and never adds a segment. Empty arguments, and the dot
// segments "." and ".." (which a server would resolve), are refused or
// escaped so an id can never change which resource is addressed.
func BuildPath(template string, args ...string) (path, rawPath string, err error) {
	var p, raw strings.Builder
	n := 0
	rest := template
	for {
		i := strings.IndexByte(rest, '{')
		if i < 0 {
			p.WriteString(rest)
			raw.WriteString(rest)
			break
		}
		j := strings.IndexByte(rest[i:], '}')
		if j < 0 {
			return "", "", fmt.Errorf("connect: bad path template %q", template)
		}
		p.WriteString(rest[:i])
		raw.WriteString(rest[:i])
		name := rest[i+1 : i+j]
		if n >= len(args) {
			return "", "", fmt.Errorf("connect: path %q needs a value for {%s}", template, name)
		}
		a := args[n]
		if a == "" {
			return "", "", fmt.Errorf("connect: empty {%s} in %q", name, template)
		}
		p.WriteString(a)
		raw.WriteString(EscapeSegment(a))
		n++
		rest = rest[i+j+1:]
	}
	if n != len(args) {
		return "", "", fmt.Errorf("connect: path %q takes %d values, got %d", template, n, len(args))
	}
	return p.String(), raw.String(), nil
}

// EscapeSegment percent-encodes s as one path segment: every byte but the
// RFC 3986 unreserved ones (A-Z a-z 0-9 - . _ ~) is encoded, so "/" is %2F,
// "+" is %2B (some servers read a bare + as a space), "=" is %3D, "*" is %2A.
// The segments "." and ".." are encoded entirely.
func EscapeSegment(s string) string {
	if s == "." || s == ".." {
		return strings.Repeat("%2E", len(s))
	}
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// matchEndpoint finds the table row whose method and template match an
// escaped path (relative to the base URL). Raw requests use it so that they
// share pacing state with typed calls.
func matchEndpoint(method, escapedPath string) (Endpoint, bool) {
	segs := strings.Split(strings.Trim(escapedPath, "/"), "/")
	for _, e := range endpointTab {
		if e.Method != method {
			continue
		}
		ts := strings.Split(strings.Trim(e.Path, "/"), "/")
		if len(ts) != len(segs) {
			continue
		}
		ok := true
		for i, t := range ts {
			if strings.HasPrefix(t, "{") {
				if segs[i] == "" {
					ok = false
				}
				continue
			}
			if t != segs[i] {
				ok = false
				break
			}
		}
		if ok {
			return e, true
		}
	}
	return Endpoint{}, false
}
