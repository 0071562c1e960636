package sandbox

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// paging is how a list was asked for: v1 pages (page + size) or the 2024
// edition's cursor (limit + cursor, answered as HAL).
type paging struct {
	hal    bool
	page   int
	size   int
	limit  int
	dir    byte // 'a' after seq, 'b' before seq, 0 from the start
	cursor int64
}

// parsePaging reads the paging parameters; sizeParam is "size" or
// "page_size". A non-empty error is the INVALID_REQUEST_PARAMS message.
func parsePaging(q url.Values, sizeParam string) (paging, string) {
	p := paging{page: 1, size: maxPageSize, limit: maxPageSize}
	intParam := func(name string, lo, hi int) (int, string) {
		v, err := strconv.Atoi(q.Get(name))
		if err != nil || v < lo || (hi > 0 && v > hi) {
			if hi > 0 {
				return 0, fmt.Sprintf("%s %q: want an integer from %d to %d", name, q.Get(name), lo, hi)
			}
			return 0, fmt.Sprintf("%s %q: want an integer of at least %d", name, q.Get(name), lo)
		}
		return v, ""
	}
	var msg string
	if !q.Has("page") && (q.Has("limit") || q.Has("cursor")) {
		p.hal = true
		if q.Has("limit") {
			if p.limit, msg = intParam("limit", 1, maxPageSize); msg != "" {
				return p, msg
			}
		}
		if c := q.Get("cursor"); c != "" {
			raw, err := base64.RawURLEncoding.DecodeString(c)
			dir, seq, ok := strings.Cut(string(raw), ":")
			n, err2 := strconv.ParseInt(seq, 10, 64)
			if err != nil || !ok || err2 != nil || (dir != "a" && dir != "b") {
				return p, fmt.Sprintf("cursor %q is not one this server gave", c)
			}
			p.dir, p.cursor = dir[0], n
		}
		return p, ""
	}
	if q.Has("page") {
		if p.page, msg = intParam("page", 1, 0); msg != "" {
			return p, msg
		}
	}
	if q.Has(sizeParam) {
		if p.size, msg = intParam(sizeParam, 1, maxPageSize); msg != "" {
			return p, msg
		}
	}
	return p, ""
}

func encodeCursor(dir byte, seq int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(fmt.Sprintf("%c:%d", dir, seq)))
}

// pageOf is the v1 page of items; hasNext tells whether items follow it.
func pageOf[T any](items []T, p paging) (page []T, hasNext bool) {
	start := (p.page - 1) * p.size
	if start >= len(items) || start < 0 {
		return items[:0:0], false
	}
	end := min(len(items), start+p.size)
	return items[start:end], end < len(items)
}

// halPage is the cursor page of items (ordered by seq) with its links.
func halPage[T any](r *http.Request, items []T, seqOf func(T) int64, p paging, name string, render func(T) any) map[string]any {
	start, end := 0, min(len(items), p.limit)
	switch p.dir {
	case 'a':
		start = sort.Search(len(items), func(i int) bool { return seqOf(items[i]) > p.cursor })
		end = min(len(items), start+p.limit)
	case 'b':
		end = sort.Search(len(items), func(i int) bool { return seqOf(items[i]) >= p.cursor })
		start = max(0, end-p.limit)
	}
	page := items[start:end]

	link := func(cursor string) map[string]string {
		q := r.URL.Query()
		q.Del("page")
		q.Set("limit", strconv.Itoa(p.limit))
		if cursor == "" {
			q.Del("cursor")
		} else {
			q.Set("cursor", cursor)
		}
		return map[string]string{"href": baseURL(r) + r.URL.EscapedPath() + "?" + q.Encode()}
	}
	links := map[string]any{"self": link(r.URL.Query().Get("cursor"))}
	if end < len(items) && len(page) > 0 {
		links["next"] = link(encodeCursor('a', seqOf(page[len(page)-1])))
	}
	if start > 0 && start < len(items) {
		links["prev"] = link(encodeCursor('b', seqOf(items[start])))
	} else if start > 0 {
		links["prev"] = link(encodeCursor('b', seqOf(items[start-1])+1))
	}
	out := make([]any, 0, len(page))
	for _, it := range page {
		out = append(out, render(it))
	}
	return map[string]any{
		"_embedded": map[string]any{name: out},
		"_links":    links,
	}
}

// pageURL is the absolute URL of page n of the current v1 list.
func pageURL(r *http.Request, n int) string {
	q := r.URL.Query()
	q.Set("page", strconv.Itoa(n))
	return baseURL(r) + r.URL.EscapedPath() + "?" + q.Encode()
}

// listBody renders a list in the style it was asked for. With headers it
// also sets X-Next-Page / X-Previous-Page on v1 pages.
func listBody[T any](c *call, items []T, seqOf func(T) int64, p paging, name string, headers bool, render func(T) any) any {
	if p.hal {
		return halPage(c.r, items, seqOf, p, name, render)
	}
	page, hasNext := pageOf(items, p)
	if headers {
		if hasNext {
			c.w.Header().Set("X-Next-Page", pageURL(c.r, p.page+1))
		}
		if p.page > 1 {
			c.w.Header().Set("X-Previous-Page", pageURL(c.r, p.page-1))
		}
	}
	out := make([]any, 0, len(page))
	for _, it := range page {
		out = append(out, render(it))
	}
	return out
}
