package connect

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/url"
	"strconv"
	"strings"
)

// The API pages lists three ways, and the iterator follows whichever the
// answer uses, page by page, fetching the next page only when the consumer
// asks for an item past the current one:
//
//  1. v1: a bare JSON array; ask page+1 while pages come back full
//     (page/size, or page/page_size on /v1/order);
//  2. a bare array with an X-Next-Page header holding the next page's URL;
//  3. the 2024 cursor style: {"_embedded": {"<name>": [...]}, "_links":
//     {"next": {"href": ...}}}.
//
// It stops on an empty page, a short page (style 1), or a missing next link
// (styles 2 and 3). Next links may be absolute or relative; they must point
// at the base URL's scheme and host, so the token never goes elsewhere.

// pageState tracks where a listing is.
type pageState struct {
	pageParam, sizeParam string
	page, size           int
	pageMode             bool // the current URL carries a page number we can increment
	sawHeader            bool // an answer used X-Next-Page: its absence now means the end
}

// list iterates over the raw items of a list endpoint.
func (c *Client) list(ctx context.Context, ep Endpoint, args []string, q url.Values) iter.Seq2[json.RawMessage, error] {
	return func(yield func(json.RawMessage, error) bool) {
		q = cloneValues(q)
		ps := pageState{page: 1, size: DefaultPageSize}
		if ep.List != nil {
			ps.pageParam, ps.sizeParam = ep.List.PageParam, ep.List.SizeParam
			if ps.pageParam != "" && !hasAny(q, "page", "limit", "cursor", ps.sizeParam) {
				if c.style == PageStyleCursor {
					q.Set("limit", strconv.Itoa(DefaultPageSize))
				} else {
					q.Set(ps.pageParam, "1")
					q.Set(ps.sizeParam, strconv.Itoa(DefaultPageSize))
				}
			}
		}
		ps.readQuery(q)
		u, err := c.endpointURL(ep, args, q)
		if err != nil {
			yield(nil, err)
			return
		}
		c.follow(ctx, ep, u, &ps, yield)
	}
}

func (ps *pageState) readQuery(q url.Values) {
	if ps.pageParam == "" {
		ps.pageParam = "page"
	}
	if ps.sizeParam == "" {
		ps.sizeParam = "size"
		if q.Has("page_size") {
			ps.sizeParam = "page_size"
		}
	}
	ps.pageMode = false
	if v := q.Get(ps.pageParam); v != "" {
		if n, err := strconv.Atoi(v); err == nil && n >= 1 {
			ps.page, ps.pageMode = n, true
		}
	}
	for _, k := range []string{ps.sizeParam, "limit"} {
		if v := q.Get(k); v != "" {
			if n, err := strconv.Atoi(v); err == nil && n >= 1 {
				ps.size = n
				break
			}
		}
	}
}

// follow fetches u and the pages after it.
func (c *Client) follow(ctx context.Context, ep Endpoint, u *url.URL, ps *pageState, yield func(json.RawMessage, error) bool) {
	seen := map[string]bool{}
	embedded := ""
	if ep.List != nil {
		embedded = ep.List.Embedded
	}
	for {
		seen[u.String()] = true
		cl, err := c.newCall(ctx, ep, u, nil)
		if err != nil {
			yield(nil, err)
			return
		}
		ans, err := c.exec(ctx, cl)
		if err != nil {
			yield(nil, err)
			return
		}
		pg, err := parsePage(ans.body, embedded)
		if err != nil {
			yield(nil, c.decodeError(cl, ans, err))
			return
		}
		for _, it := range pg.items {
			if !yield(it, nil) {
				return
			}
		}
		if len(pg.items) == 0 || pg.single {
			return
		}
		var next *url.URL
		switch {
		case pg.hal:
			if pg.next == "" {
				return
			}
			if next, err = c.resolveNext(u, pg.next); err != nil {
				yield(nil, err)
				return
			}
		case firstHeader(ans.header, "X-Next-Page") != "":
			ps.sawHeader = true
			if next, err = c.resolveNext(u, firstHeader(ans.header, "X-Next-Page")); err != nil {
				yield(nil, err)
				return
			}
		default:
			if ps.sawHeader || !ps.pageMode || len(pg.items) < ps.size {
				return
			}
			next = cloneURL(u)
			q := next.Query()
			q.Set(ps.pageParam, strconv.Itoa(ps.page+1))
			next.RawQuery = q.Encode()
		}
		if seen[next.String()] {
			return // a server pointing back at a page already read
		}
		ps.readQuery(next.Query())
		u = next
	}
}

// page is one parsed answer of a list endpoint.
type page struct {
	items  []json.RawMessage
	hal    bool
	next   string
	single bool // the answer was one object, not a list
}

func parsePage(body []byte, embedded string) (*page, error) {
	b := bytes.TrimSpace(body)
	if len(b) == 0 || string(b) == "null" {
		return &page{}, nil
	}
	switch b[0] {
	case '[':
		var items []json.RawMessage
		if err := json.Unmarshal(b, &items); err != nil {
			return nil, err
		}
		return &page{items: items}, nil
	case '{':
		var obj struct {
			Embedded json.RawMessage `json:"_embedded"`
			Links    struct {
				Next json.RawMessage `json:"next"`
			} `json:"_links"`
		}
		if err := json.Unmarshal(b, &obj); err != nil {
			return nil, err
		}
		if len(obj.Embedded) == 0 && len(obj.Links.Next) == 0 {
			return &page{items: []json.RawMessage{json.RawMessage(b)}, single: true}, nil
		}
		items, err := embeddedItems(obj.Embedded, embedded)
		if err != nil {
			return nil, err
		}
		return &page{items: items, hal: true, next: linkHref(obj.Links.Next)}, nil
	}
	return nil, fmt.Errorf("a list answer must be a JSON array or object")
}

// embeddedItems returns _embedded[preferred] if it is an array, else the
// first array in _embedded in document order.
func embeddedItems(raw json.RawMessage, preferred string) ([]json.RawMessage, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, fmt.Errorf("_embedded is not an object")
	}
	var first []json.RawMessage
	found := false
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, _ := kt.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		v = bytes.TrimSpace(v)
		if len(v) == 0 || v[0] != '[' {
			continue
		}
		var arr []json.RawMessage
		if err := json.Unmarshal(v, &arr); err != nil {
			return nil, err
		}
		if key == preferred {
			return arr, nil
		}
		if !found {
			first, found = arr, true
		}
	}
	return first, nil
}

// linkHref reads a HAL link: {"href": "..."} or a list of such.
func linkHref(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var l struct {
		Href string `json:"href"`
	}
	if raw[0] == '[' {
		var ls []struct {
			Href string `json:"href"`
		}
		if json.Unmarshal(raw, &ls) == nil && len(ls) > 0 {
			return ls[0].Href
		}
		return ""
	}
	if raw[0] == '"' {
		var s string
		_ = json.Unmarshal(raw, &s)
		return s
	}
	_ = json.Unmarshal(raw, &l)
	return l.Href
}

// resolveNext resolves a next-page link. An absolute URL must be on the base
// URL's scheme and host. A path-absolute link ("/v1/sim?cursor=...") is taken
// relative to the API base, unless it already starts with the base path.
func (c *Client) resolveNext(cur *url.URL, href string) (*url.URL, error) {
	ref, err := url.Parse(strings.TrimSpace(href))
	if err != nil {
		return nil, fmt.Errorf("connect: bad next-page link %q: %v", href, err)
	}
	var next *url.URL
	switch {
	case ref.IsAbs() || ref.Host != "":
		next = cur.ResolveReference(ref)
	case strings.HasPrefix(ref.Path, "/"):
		bp := c.base.EscapedPath()
		esc := ref.EscapedPath()
		if bp != "" && !strings.HasPrefix(esc, bp+"/") && esc != bp {
			if ref.RawPath != "" {
				ref.RawPath = bp + ref.RawPath
			}
			ref.Path = c.base.Path + ref.Path
		}
		next = c.base.ResolveReference(ref)
	default:
		next = cur.ResolveReference(ref)
	}
	if !strings.EqualFold(next.Scheme, c.base.Scheme) || !strings.EqualFold(next.Host, c.base.Host) {
		return nil, fmt.Errorf("connect: refusing to follow a next-page link to %s://%s: it is not the API's host %s (the token must not leave it)",
			next.Scheme, next.Host, c.base.Host)
	}
	next.Fragment = ""
	next.User = nil
	return next, nil
}

func cloneValues(q url.Values) url.Values {
	out := url.Values{}
	for k, v := range q {
		out[k] = append([]string(nil), v...)
	}
	return out
}

func hasAny(q url.Values, keys ...string) bool {
	for _, k := range keys {
		if q.Has(k) {
			return true
		}
	}
	return false
}

// typed decodes each raw item into T.
func typed[T any](seq iter.Seq2[json.RawMessage, error]) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		for raw, err := range seq {
			var v T
			if err != nil {
				yield(v, err)
				return
			}
			if err := json.Unmarshal(raw, &v); err != nil {
				yield(v, fmt.Errorf("connect: decoding a list item: %w", err))
				return
			}
			if !yield(v, nil) {
				return
			}
		}
	}
}

// Collect drains an iterator into a slice, stopping at the first error
// (returned with the items read so far).
func Collect[T any](seq iter.Seq2[T, error]) ([]T, error) {
	var out []T
	for v, err := range seq {
		if err != nil {
			return out, err
		}
		out = append(out, v)
	}
	return out, nil
}
