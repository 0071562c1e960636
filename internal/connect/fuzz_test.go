package connect

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"
)

// Seeds from the API documents (/work/shared/seeds) and docs/sandbox.md; the
// same examples are kept as corpus files under testdata/fuzz/.
const (
	seedV1Error  = `{"type":"ACCESS_DENIED","messages":["SIM 894 belongs to another client"]}`
	seedV1Doc    = `{"type": "ERROR_TYPE", "messages": ["error_message_1", "error_message_2", "..."]}`
	seedRFC7807  = `{"title": "Invalid request parameters", "status": 400, "detail": "Invalid request parameters", "errors": [{"code": "MISSING_CONDITIONAL_MANDATORY_FIELD", "detail": "Field(s) [first_name, last_name, email, address] cannot be null when field [id] is equal to [null]", "json_path": "$.subscriber.id"}, {"code": "GENERIC_ERROR", "detail": "must not be empty", "json_path": "$.purchase_location"}], "correlation_id": "daaccc90-dd03-471c-a892-0e8c5ec27026"}`
	seed429      = `{"message": "Rate limit exceeded ! You reach the limit of 10 requests per 1 minutes", "http_status_code": 429}`
	seedHTML502  = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
	seedGW504    = `{"title": "Gateway Timeout", "status": 504, "detail": "the upstream did not answer in time"}`
	seedOAuth    = `{"error": "invalid_grant", "error_description": "Token is not active"}`
	seedHAL      = `{"_embedded": {"sims": [{"iccid": "8944500000000000001"}]}, "_links": {"self": {"href": "https://api.example.test/connect/v1/sim?limit=1"}, "next": {"href": "https://api.example.test/connect/v1/sim?cursor=MTY3NjEzMzkxMS8yNUMxMEYzNkJBODA1NTkwMDAwMDAw&limit=1"}}}`
	seedHALRel   = `{"_embedded": {"orders": [{"id": "a"}]}, "_links": {"next": {"href": "/v1/order?cursor=MTY3&limit=1"}}}`
	seedHALEvil  = `{"_embedded": {"sims": [{"iccid": "1"}]}, "_links": {"next": {"href": "https://example.com/probs?cursor=MTY3NjEzMzkxMS8yNUMxMEYzNkJBODA1NTkwMDAwMDAw&limit=10"}}}`
	seedArray    = `[{"id": "s1"}, {"id": "s2"}]`
	seedNextPage = "https://api.example.test/connect/v1/subscription?page=2&size=40"
)

// errTextMax bounds Error() for any answer, however large its body.
const errTextMax = 4 << 10

func FuzzDecodeError(f *testing.F) {
	f.Add(403, "application/json", []byte(seedV1Error))
	f.Add(400, "application/json", []byte(seedV1Doc))
	f.Add(400, "application/problem+json", []byte(seedRFC7807))
	f.Add(429, "application/json", []byte(seed429))
	f.Add(502, "text/html", []byte(seedHTML502))
	f.Add(503, "", []byte(""))
	f.Add(504, "application/problem+json", []byte(seedGW504))
	f.Add(400, "application/json", []byte(seedOAuth))
	f.Add(500, "text/plain", []byte("upstream \x1b[31mred\x1b[0m\nsecond line"))
	f.Add(418, "application/json", []byte(`{"type":"X","messages":"one\u0007two"}`))

	c, err := New(Options{BaseURL: "https://api.example.test/connect", DisablePacing: true,
		Now: func() time.Time { return time.Unix(1_700_000_000, 0) }})
	if err != nil {
		f.Fatal(err)
	}
	u, _ := url.Parse("https://api.example.test/connect/v1/sim/8944500000000000001")
	cl := &call{ep: Endpoint{Name: "sim.get", Op: "get SIM"}, method: http.MethodGet, u: u, corrID: "our-corr"}

	f.Fuzz(func(t *testing.T, status int, contentType string, body []byte) {
		h := http.Header{}
		if contentType != "" {
			h.Set("Content-Type", contentType)
		}
		e := c.statusError(cl, &answer{status: status, header: h, body: body}, 1)
		if e.Status != status || e.HTTPStatus() != status {
			t.Fatalf("status %d became %d", status, e.Status)
		}
		msg := e.Error()
		if msg == "" {
			t.Fatal("empty Error()")
		}
		if len(msg) > errTextMax {
			t.Fatalf("Error() is %d bytes long (max %d)", len(msg), errTextMax)
		}
		if !utf8.ValidString(msg) {
			t.Fatalf("Error() is not UTF-8: %q", msg)
		}
		// The format's own line breaks start "\n  - " (a detail) or
		// "\nhint: "; nothing from the body may break a line or carry a
		// control character (terminal escapes).
		for i, line := range strings.Split(msg, "\n") {
			if i > 0 && !strings.HasPrefix(line, "  - ") && !strings.HasPrefix(line, "hint: ") {
				t.Fatalf("line %d of Error() does not come from the format: %q\nfull: %q", i, line, msg)
			}
			if j := strings.IndexFunc(line, isBadErrRune); j >= 0 {
				t.Fatalf("control character %q in Error(): %q", line[j:j+1], msg)
			}
		}
		if n := strings.Count(msg, "\n"); n > len(e.Details)+1 {
			t.Fatalf("%d line breaks for %d details: %q", n, len(e.Details), msg)
		}

		// A v1 body round-trips its type and messages.
		var v1 struct {
			Type     string   `json:"type"`
			Messages []string `json:"messages"`
		}
		trimmed := bytes.TrimSpace(body)
		if len(trimmed) > 0 && trimmed[0] == '{' && json.Unmarshal(trimmed, &v1) == nil &&
			json.Unmarshal(trimmed, new(wireError)) == nil {
			if e.Type != v1.Type {
				t.Fatalf("type %q decoded as %q", v1.Type, e.Type)
			}
			if len(v1.Messages) > 0 && !slices.Equal(e.Messages[:min(len(v1.Messages), len(e.Messages))], v1.Messages) {
				t.Fatalf("messages %q decoded as %q", v1.Messages, e.Messages)
			}
			// Short, printable ones are shown as they are.
			if e.Type != "" && isPlainErrText(e.Type) && len(e.Type) < 64 && !strings.Contains(msg, e.Type) {
				t.Fatalf("type %q missing from %q", e.Type, msg)
			}
			if len(v1.Messages) == 1 && isPlainErrText(v1.Messages[0]) && len(v1.Messages[0]) < 64 &&
				!strings.Contains(msg, v1.Messages[0]) {
				t.Fatalf("message %q missing from %q", v1.Messages[0], msg)
			}
		}
	})
}

func isBadErrRune(r rune) bool {
	return unicode.IsControl(r) || r == '\u2028' || r == '\u2029'
}

func isPlainErrText(s string) bool {
	return s == strings.TrimSpace(s) && !strings.Contains(s, "  ") &&
		!strings.ContainsFunc(s, func(r rune) bool { return isBadErrRune(r) || !unicode.IsPrint(r) })
}

func FuzzPageLinks(f *testing.F) {
	f.Add([]byte(seedHAL), "")
	f.Add([]byte(seedHALRel), "")
	f.Add([]byte(seedHALEvil), "")
	f.Add([]byte(seedArray), seedNextPage)
	f.Add([]byte(seedArray), "/v1/subscription?page=2&size=40")
	f.Add([]byte(seedArray), "https://evil.example/connect/v1/subscription?page=2")
	f.Add([]byte(seedArray), "https://user:pass@api.example.test/connect/v1/subscription?page=2")
	f.Add([]byte(seedArray), "//evil.example/v1/sim")
	f.Add([]byte(seedArray), "http://api.example.test/connect/v1/sim?page=2")
	f.Add([]byte(`{"_embedded":{"things":[{"id":"a"}],"sims":[{"id":"b"}]},"_links":{"next":[{"href":"/n"}]}}`), "")
	f.Add([]byte(`{"_embedded":{"sims":[1]},"_links":{"next":"page2"}}`), "")
	f.Add([]byte(`{"id":"single"}`), "")
	f.Add([]byte(""), "")

	c, err := New(Options{BaseURL: "https://api.example.test/connect", DisablePacing: true})
	if err != nil {
		f.Fatal(err)
	}
	cur, _ := url.Parse("https://api.example.test/connect/v1/sim?limit=1")

	f.Fuzz(func(t *testing.T, body []byte, nextHeader string) {
		pg, err := parsePage(body, "sims")
		var hrefs []string
		if err == nil {
			if pg.single && (len(pg.items) != 1 || pg.hal) {
				t.Fatalf("single page %+v", pg)
			}
			if pg.hal {
				hrefs = append(hrefs, pg.next)
			}
		}
		h := http.Header{}
		h.Set("X-Next-Page", nextHeader)
		if v := firstHeader(h, "X-Next-Page"); v != "" {
			hrefs = append(hrefs, v)
		}
		for _, href := range hrefs {
			next, err := c.resolveNext(cur, href)
			if err != nil {
				continue
			}
			checkNext(t, c, href, next)
		}
	})
}

// checkNext asserts that a next link we would follow stays on the API's
// scheme and host, carries no user info, and that a relative link lands
// under the base URL.
func checkNext(t *testing.T, c *Client, href string, next *url.URL) {
	t.Helper()
	if next.Scheme != "https" || !strings.EqualFold(next.Host, "api.example.test") {
		t.Fatalf("next link %q followed to %s://%s", href, next.Scheme, next.Host)
	}
	if next.User != nil || next.Opaque != "" || next.Fragment != "" {
		t.Fatalf("next link %q followed as %#v", href, next)
	}
	// What is sent is the URL's string form: it must read back the same way.
	back, err := url.Parse(next.String())
	if err != nil || back.Scheme != "https" || !strings.EqualFold(back.Host, "api.example.test") || back.User != nil {
		t.Fatalf("next link %q → %q reads back as %#v (%v)", href, next.String(), back, err)
	}
	ref, err := url.Parse(strings.TrimSpace(href))
	if err != nil {
		t.Fatalf("resolveNext accepted unparsable %q", href)
	}
	if ref.Scheme == "" && ref.Host == "" && !strings.Contains(ref.Path, "..") && !strings.HasPrefix(next.Path, c.base.Path+"/") {
		t.Fatalf("relative next link %q resolved outside the base URL: %s", href, next)
	}
}

// TestDecodeErrorHugeBodies checks the bound of FuzzDecodeError on bodies
// larger than the fuzzer makes: 1 MiB of HTML, of one JSON message, of many
// messages and of many details.
func TestDecodeErrorHugeBodies(t *testing.T) {
	big := strings.Repeat("x\x1b[2J ", 1<<18)
	many := `"` + strings.Repeat(`m", "`, 1<<16) + `m"`
	det := strings.Repeat(`{"code":"C","detail":"d\nd","json_path":"$.x"},`, 1<<14)
	for name, body := range map[string]string{
		"html":         "<html><body><h1>502</h1>" + strings.Repeat("<p>bad gateway</p>\n", 1<<16) + "</body></html>",
		"one message":  `{"type":"X","messages":["` + strings.ReplaceAll(big, "\x1b", `\u001b`) + `"]}`,
		"many":         `{"type":"X","messages":[` + many + `]}`,
		"many details": `{"title":"T","errors":[` + strings.TrimSuffix(det, ",") + `],"correlation_id":"c\u001b"}`,
	} {
		e := &APIError{Op: "get SIM", Method: "GET", Path: "/v1/sim/1", Status: 502}
		decodeErrorBody(e, "application/json", []byte(body))
		msg := e.Error()
		if len(msg) > errTextMax || strings.ContainsFunc(msg, func(r rune) bool { return r != '\n' && unicode.IsControl(r) }) {
			t.Errorf("%s: %d bytes: %.300q", name, len(msg), msg)
		}
		if n := strings.Count(msg, "\n"); n > 2+512 {
			t.Errorf("%s: %d lines", name, n)
		}
	}
}
