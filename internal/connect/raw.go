package connect

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strings"
)

// RawRequest is a request to any path of the API (the `connectctl api`
// command). Path is relative to the base URL ("/v1/sim/8944..."), already
// escaped as it should travel; it may carry a query, merged with Query. An
// absolute URL is accepted only on the base URL's host.
type RawRequest struct {
	Method  string
	Path    string
	Query   url.Values
	Body    []byte // sent as is; Content-Type defaults to application/json
	Headers http.Header
}

// RawResponse is what the API answered.
type RawResponse struct {
	Status int
	Header http.Header
	Body   []byte
}

// Do sends a raw request with the client's authentication, headers, pacing
// and retries. A non-2xx answer is returned both as the response and as an
// *APIError; a call without an answer returns only the error.
func (c *Client) Do(ctx context.Context, r RawRequest) (*RawResponse, error) {
	method := strings.ToUpper(strings.TrimSpace(r.Method))
	if method == "" {
		method = http.MethodGet
		if r.Body != nil {
			method = http.MethodPost
		}
	}
	u, err := c.rawURL(r.Path, r.Query)
	if err != nil {
		return nil, err
	}
	cl := c.rawCall(ctx, method, u)
	cl.header = r.Headers
	if r.Body != nil {
		cl.body, cl.hasBody = r.Body, true
	}
	ans, err := c.exec(ctx, cl)
	if ans == nil {
		return nil, err
	}
	return &RawResponse{Status: ans.status, Header: ans.header, Body: ans.body}, err
}

// Paginate lists any path, following whichever pagination style each answer
// uses, and yields each item as raw JSON. A path of the table's list
// endpoints gets page/size (or limit) added when the query has none; any
// other path is paged by page+1 only when the query carries a page number.
// An answer that is a single object is yielded as one item.
func (c *Client) Paginate(ctx context.Context, path string, query url.Values) iter.Seq2[json.RawMessage, error] {
	return func(yield func(json.RawMessage, error) bool) {
		u, err := c.rawURL(path, query)
		if err != nil {
			yield(nil, err)
			return
		}
		cl := c.rawCall(ctx, http.MethodGet, u)
		ps := pageState{page: 1, size: DefaultPageSize}
		q := u.Query()
		if ls := cl.ep.List; ls != nil {
			ps.pageParam, ps.sizeParam = ls.PageParam, ls.SizeParam
			if !hasAny(q, "page", "limit", "cursor", ls.SizeParam) {
				if c.style == PageStyleCursor {
					q.Set("limit", fmt.Sprint(DefaultPageSize))
				} else {
					q.Set(ls.PageParam, "1")
					q.Set(ls.SizeParam, fmt.Sprint(DefaultPageSize))
				}
				u.RawQuery = q.Encode()
			}
		}
		ps.readQuery(q)
		c.follow(ctx, cl.ep, u, &ps, yield)
	}
}

// rawCall builds a call for a raw path, naming its endpoint when the path
// matches the table (so it shares that endpoint's pacing).
func (c *Client) rawCall(ctx context.Context, method string, u *url.URL) *call {
	rel := strings.TrimPrefix(u.EscapedPath(), c.base.EscapedPath())
	ep, ok := matchEndpoint(method, rel)
	if !ok {
		ep = Endpoint{Method: method, Path: rel, Op: method + " " + rel}
	}
	return &call{ep: ep, method: method, u: u, corrID: c.correlationID(ctx), paceKey: method + " " + ep.Path}
}

// rawURL resolves a raw path against the base URL.
func (c *Client) rawURL(path string, query url.Values) (*url.URL, error) {
	path = strings.TrimSpace(path)
	if path == "" {
		return nil, fmt.Errorf("connect: empty path")
	}
	ref, err := url.Parse(path)
	if err != nil {
		return nil, fmt.Errorf("connect: bad path %q: %v", path, err)
	}
	var u *url.URL
	if ref.IsAbs() || ref.Host != "" {
		u = c.base.ResolveReference(ref)
		if !strings.EqualFold(u.Scheme, c.base.Scheme) || !strings.EqualFold(u.Host, c.base.Host) {
			return nil, fmt.Errorf("connect: %s is not on the API's host %s; refusing to send the token there", path, c.base.Host)
		}
	} else {
		if !strings.HasPrefix(ref.Path, "/") {
			ref.Path = "/" + ref.Path
			if ref.RawPath != "" {
				ref.RawPath = "/" + ref.RawPath
			}
		}
		u = cloneURL(c.base)
		u.Path = c.base.Path + ref.Path
		u.RawPath = ""
		if ref.RawPath != "" {
			u.RawPath = c.base.EscapedPath() + ref.RawPath
		}
		u.RawQuery = ref.RawQuery
	}
	u.Fragment = ""
	if len(query) > 0 {
		q := u.Query()
		for k, vs := range query {
			for _, v := range vs {
				q.Add(k, v)
			}
		}
		u.RawQuery = q.Encode()
	}
	return u, nil
}
