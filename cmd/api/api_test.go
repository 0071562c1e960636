package api

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/connectctl/connectctl/cmd/cmdutil"
	"github.com/connectctl/connectctl/cmd/factory"
	"github.com/connectctl/connectctl/internal/connect"
	"github.com/connectctl/connectctl/internal/iostreams"
	"github.com/connectctl/connectctl/internal/output"
)

func fakeFiles(files map[string]string) func(string) ([]byte, error) {
	return func(name string) ([]byte, error) {
		if s, ok := files[name]; ok {
			return []byte(s), nil
		}
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
}

// fieldArgs lists raw fields, then typed ones.
func fieldArgs(raw, typed []string) []fieldArg {
	var out []fieldArg
	for _, a := range raw {
		out = append(out, fieldArg{arg: a})
	}
	for _, a := range typed {
		out = append(out, fieldArg{typed: true, arg: a})
	}
	return out
}

func TestParseKey(t *testing.T) {
	tests := []struct {
		key     string
		want    []string
		wantErr string
	}{
		{key: "email", want: []string{"email"}},
		{key: "input[customer][email]", want: []string{"input", "customer", "email"}},
		{key: "ids[]", want: []string{"ids", ""}},
		{key: "input[subscriptions][][product_id]", want: []string{"input", "subscriptions", "", "product_id"}},
		{key: "", wantErr: "empty key"},
		{key: "[a]", wantErr: "starts with a bracket"},
		{key: "a[b", wantErr: "unclosed"},
		{key: "a]b", wantErr: "unexpected"},
		{key: "a[b]c", wantErr: "unexpected"},
		{key: "a[[b]]", wantErr: "nested bracket"},
		{key: "a[][]", wantErr: "arrays of arrays"},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			got, err := parseKey(tt.key)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("parseKey(%q) = %v, %v; want error %q", tt.key, got, err, tt.wantErr)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("parseKey(%q) = %q, %v; want %q", tt.key, got, err, tt.want)
			}
		})
	}
}

func TestFieldsBody(t *testing.T) {
	files := fakeFiles(map[string]string{"note.txt": "hello\n"})
	tests := []struct {
		name     string
		raw      []string
		typed    []string
		stdin    string
		want     string // JSON of the body object
		wantErr  string
		errNames string // the message must name this
	}{
		{name: "raw strings stay strings", raw: []string{"n=10", "b=true", "z=null", "at=@note.txt"},
			want: `{"at":"@note.txt","b":"true","n":"10","z":"null"}`},
		{name: "typed literals", typed: []string{"n=10", "f=-1.5e3", "b=true", "c=false", "z=null", "s=007", "w=1.", "t=text"},
			want: `{"b":true,"c":false,"f":-1.5e3,"n":10,"s":"007","t":"text","w":"1.","z":null}`},
		{name: "@file reads a file", typed: []string{"note=@note.txt"}, want: `{"note":"hello\n"}`},
		{name: "@- reads stdin", typed: []string{"note=@-"}, stdin: "from stdin", want: `{"note":"from stdin"}`},
		{name: "value may hold =", raw: []string{"q=a=b"}, want: `{"q":"a=b"}`},
		{name: "empty value", raw: []string{"q="}, want: `{"q":""}`},
		{name: "nested keys", raw: []string{"input[customer][email]=a@b.c", "input[operationType]=NEW_ESIM"},
			typed: []string{"input[device][eid]=null"},
			want:  `{"input":{"customer":{"email":"a@b.c"},"device":{"eid":null},"operationType":"NEW_ESIM"}}`},
		{name: "arrays", raw: []string{"ids[]=a", "ids[]=b"}, want: `{"ids":["a","b"]}`},
		{name: "arrays of objects", raw: []string{"s[][product_id]=p1", "s[][currency]=EUR", "s[][product_id]=p2"},
			typed: []string{"s[][price]=10.99"},
			want:  `{"s":[{"currency":"EUR","product_id":"p1"},{"price":10.99,"product_id":"p2"}]}`},
		{name: "deeper objects in arrays", raw: []string{"s[][dev][id]=1", "s[][dev][type]=ios", "s[][dev][id]=2"},
			want: `{"s":[{"dev":{"id":"1","type":"ios"}},{"dev":{"id":"2"}}]}`},
		{name: "last value wins", raw: []string{"a=1", "a=2"}, want: `{"a":"2"}`},
		{name: "no =", raw: []string{"email"}, wantErr: "want key=value", errNames: `-f "email"`},
		{name: "bad key", typed: []string{"a[b=1"}, wantErr: "unclosed bracket", errNames: `-F "a[b=1"`},
		{name: "missing file", typed: []string{"x=@nope.json"}, wantErr: "cannot read the file", errNames: `-F "x=@nope.json"`},
		{name: "empty @", typed: []string{"x=@"}, wantErr: "want a file name"},
		{name: "stdin twice", typed: []string{"x=@-", "y=@-"}, wantErr: "already read"},
		{name: "value then object", raw: []string{"a=1", "a[b]=2"}, wantErr: "cannot also be an object", errNames: `-f "a[b]=2"`},
		{name: "object then value", raw: []string{"a[b]=2", "a=1"}, wantErr: "cannot also hold a value"},
		{name: "value then array", raw: []string{"a=1", "a[]=2"}, wantErr: "cannot also be an array"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &fieldReader{stdin: strings.NewReader(tt.stdin), readFile: files}
			fields, err := parseFields(fieldArgs(tt.raw, tt.typed), r)
			var obj map[string]any
			if err == nil {
				obj, err = bodyObject(fields)
			}
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), tt.errNames) {
					t.Fatalf("err = %v; want %q naming %q", err, tt.wantErr, tt.errNames)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got, _ := json.Marshal(obj)
			if string(got) != tt.want {
				t.Fatalf("body %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestBuild(t *testing.T) {
	files := fakeFiles(map[string]string{"order.json": `{"input":{}}`})
	tests := []struct {
		name       string
		args       []string
		method     string // -X
		raw, typed []string
		input      string
		stdin      string
		paginate   bool
		include    bool
		headers    []string

		wantMethod string
		wantQuery  string
		wantBody   string // "-" for none
		wantErr    string
	}{
		{name: "GET by default", args: []string{"/v1/products"}, wantMethod: "GET", wantBody: "-"},
		{name: "relative path", args: []string{"v1/products"}, wantMethod: "GET", wantBody: "-"},
		{name: "fields make a POST", args: []string{"/v1/customer"}, raw: []string{"email=a@b.c"},
			wantMethod: "POST", wantBody: `{"email":"a@b.c"}`},
		{name: "input makes a POST", args: []string{"/v1/order"}, input: "order.json",
			wantMethod: "POST", wantBody: `{"input":{}}`},
		{name: "input from stdin", args: []string{"/v1/order"}, input: "-", stdin: `{"x":1}`,
			wantMethod: "POST", wantBody: `{"x":1}`},
		{name: "empty input is an empty body", args: []string{"PUT", "/v1/sim/1"}, input: "-",
			wantMethod: "PUT", wantBody: ``},
		{name: "explicit method, any case", args: []string{"delete", "/v1/sim/8944478600000205337"},
			wantMethod: "DELETE", wantBody: "-"},
		{name: "-X", args: []string{"/v1/sim/8944478600000205337"}, method: "put", typed: []string{"eid=null"},
			wantMethod: "PUT", wantBody: `{"eid":null}`},
		{name: "GET fields are query parameters", args: []string{"GET", "/v1/products"},
			raw: []string{"currency=USD"}, typed: []string{"page=2", "x[]=a", "n=null"},
			wantMethod: "GET", wantQuery: "currency=USD&n=&page=2&x%5B%5D=a", wantBody: "-"},
		{name: "DELETE fields are query parameters", args: []string{"DELETE", "/v1/x"}, raw: []string{"a=1"},
			wantMethod: "DELETE", wantQuery: "a=1", wantBody: "-"},
		{name: "fields with --input go to the query", args: []string{"/v1/order"}, input: "order.json",
			raw: []string{"dry=1"}, wantMethod: "POST", wantQuery: "dry=1", wantBody: `{"input":{}}`},
		{name: "paginate keeps GET with fields", args: []string{"/v1/subscription"}, paginate: true,
			raw: []string{"email=a@b.c"}, wantMethod: "GET", wantQuery: "email=a%40b.c", wantBody: "-"},
		{name: "same-host absolute URL passes the syntax check", args: []string{"http://127.0.0.1:7787/v1/products"},
			wantMethod: "GET", wantBody: "-"},

		{name: "no path", args: nil, wantErr: "PATH is required"},
		{name: "too many args", args: []string{"GET", "/v1", "x"}, wantErr: "too many arguments"},
		{name: "bad method", args: []string{"FETCH", "/v1/products"}, wantErr: `METHOD "FETCH": want one of GET`},
		{name: "bad -X", args: []string{"/v1/products"}, method: "yank", wantErr: `--method "yank"`},
		{name: "-X and METHOD disagree", args: []string{"GET", "/v1/products"}, method: "POST", wantErr: "disagree"},
		{name: "empty path", args: []string{""}, wantErr: "is empty"},
		{name: "root path", args: []string{"/"}, wantErr: "names no resource"},
		{name: "space in path", args: []string{"/v1/prod ucts"}, wantErr: "white space"},
		{name: "dot segments", args: []string{"/v1/../auth/token"}, wantErr: `".." segment`},
		{name: "opaque URL", args: []string{"mailto:a@b.c"}, wantErr: "want an API path"},
		{name: "credentials in URL", args: []string{"https://u:p@api.example.com/v1"}, wantErr: "credentials"},
		{name: "paginate POST", args: []string{"POST", "/v1/sim"}, paginate: true, wantErr: "--paginate with POST"},
		{name: "paginate input", args: []string{"/v1/sim"}, paginate: true, input: "order.json", wantErr: "--paginate with --input"},
		{name: "paginate include", args: []string{"/v1/sim"}, paginate: true, include: true, wantErr: "--paginate with --include"},
		{name: "GET with input", args: []string{"GET", "/v1/sim"}, input: "order.json", wantErr: "a GET has no body"},
		{name: "missing input file", args: []string{"/v1/order"}, input: "nope.json", wantErr: `--input "nope.json": cannot read`},
		{name: "stdin for input and a field", args: []string{"/v1/order"}, input: "-", typed: []string{"x=@-"}, wantErr: "already read by --input -"},
		{name: "bad field", args: []string{"/v1/order"}, raw: []string{"novalue"}, wantErr: `-f "novalue": want key=value`},
		{name: "bad header", args: []string{"/v1/products"}, headers: []string{"NoColon"}, wantErr: `--header "NoColon"`},
		{name: "authorization header", args: []string{"/v1/products"}, headers: []string{"Authorization: Bearer x"}, wantErr: "cannot be replaced"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, in, _, _ := iostreams.Test()
			in.WriteString(tt.stdin)
			o := &Options{IO: ios, ReadFile: files, Args: tt.args, MethodFlag: tt.method, Fields: fieldArgs(tt.raw, tt.typed),
				Input: tt.input, Paginate: tt.paginate, Include: tt.include, Headers: tt.headers}
			r, err := o.build()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v; want %q", err, tt.wantErr)
				}
				if code := cmdutil.ExitCodeFor(err); code != cmdutil.ExitUsage {
					t.Errorf("exit code %d, want 2", code)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if r.method != tt.wantMethod {
				t.Errorf("method %s, want %s", r.method, tt.wantMethod)
			}
			if got := r.query.Encode(); got != tt.wantQuery {
				t.Errorf("query %q, want %q", got, tt.wantQuery)
			}
			switch {
			case tt.wantBody == "-" && r.body != nil:
				t.Errorf("body %q, want none", r.body)
			case tt.wantBody != "-" && (r.body == nil || string(r.body) != tt.wantBody):
				t.Errorf("body %q, want %q", r.body, tt.wantBody)
			}
		})
	}
}

func TestCheckHost(t *testing.T) {
	base, _ := url.Parse("https://services.truphone.com/connect-api")
	tests := []struct {
		path string
		ok   bool
	}{
		{"/v1/products", true},
		{"v1/products", true},
		{"https://services.truphone.com/connect-api/v1/products", true},
		{"HTTPS://SERVICES.truphone.com/connect-api/v1/products", true},
		{"//services.truphone.com/connect-api/v1/products", true},
		{"https://evil.example.com/v1/products", false},
		{"//evil.example.com/v1/products", false},
		{"http://services.truphone.com/connect-api/v1/products", false},
		{"https://services.truphone.com:8443/v1/products", false},
		{"https://services.truphone.com.evil.example/v1", false},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			ios, _, _, _ := iostreams.Test()
			r, err := (&Options{IO: ios, Args: []string{tt.path}, ReadFile: fakeFiles(nil)}).build()
			if err != nil {
				t.Fatal(err)
			}
			err = checkHost(r, base)
			if (err == nil) != tt.ok {
				t.Fatalf("checkHost(%q) = %v, want ok=%v", tt.path, err, tt.ok)
			}
			if err != nil && (cmdutil.ExitCodeFor(err) != cmdutil.ExitUsage || !strings.Contains(err.Error(), tt.path)) {
				t.Errorf("err %v: want exit 2 naming the path", err)
			}
		})
	}
}

func TestStatusError(t *testing.T) {
	e := &connect.APIError{Method: "GET", Path: "/v1/sim/1", Status: 404, Type: "NOT_FOUND",
		Messages: []string{"no such\nSIM"}, CorrelationID: "cid-1", Attempts: 1}
	err := statusError(e)
	if got := cmdutil.ExitCodeFor(err); got != cmdutil.ExitNotFound {
		t.Errorf("exit %d", got)
	}
	msg := err.Error()
	if strings.Contains(msg, "\n") || !strings.Contains(msg, "HTTP 404") || !strings.Contains(msg, "cid-1") || !strings.Contains(msg, "NOT_FOUND") {
		t.Errorf("message %q", msg)
	}
	var ae *connect.APIError
	if !errors.As(err, &ae) || ae != e {
		t.Error("the APIError is not reachable with errors.As")
	}
	for status, want := range map[int]int{401: 3, 403: 3, 400: 5, 429: 5, 500: 6, 503: 6} {
		if got := cmdutil.ExitCodeFor(statusError(&connect.APIError{Status: status})); got != want {
			t.Errorf("status %d: exit %d, want %d", status, got, want)
		}
	}
}

// -f and -F keep their command-line order, so one array element can mix them.
func TestFlagsKeepOrder(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	var got *Options
	cmd := NewCmdAPI(&factory.Factory{IOStreams: ios}, func(_ context.Context, o *Options) error { got = o; return nil })
	cmd.SetArgs([]string{"/v1/order", "-f", "s[][product_id]=p1", "-F", "s[][price]=9.99", "--raw-field", "s[][currency]=EUR",
		"--field", "s[][product_id]=p2"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	r, err := got.build()
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"s":[{"currency":"EUR","price":9.99,"product_id":"p1"},{"product_id":"p2"}]}`; r.method != "POST" || string(r.body) != want {
		t.Fatalf("%s %s, want POST %s", r.method, r.body, want)
	}
}

func TestPrintBody(t *testing.T) {
	tests := []struct {
		name    string
		tty     bool
		opts    output.Options
		body    string
		isError bool
		want    string
	}{
		{name: "pipe: as received", body: `{"a":1,"b":[1,2]}`, want: `{"a":1,"b":[1,2]}`},
		{name: "terminal: pretty", tty: true, body: `{"a":1,"b":[1,2]}`, want: "{\n  \"a\": 1,\n  \"b\": [\n    1,\n    2\n  ]\n}\n"},
		{name: "terminal: not JSON as is, with a newline", tty: true, body: `<html>bad gateway</html>`, want: "<html>bad gateway</html>\n"},
		{name: "empty body prints nothing", tty: true, body: "", want: ""},
		{name: "-o json is the body", opts: output.Options{Format: "json"}, body: `{"a": 1}`, want: `{"a": 1}`},
		{name: "--jq", opts: output.Options{JQ: ".a"}, body: `{"a":"x"}`, want: "x\n"},
		{name: "-o yaml", opts: output.Options{Format: "yaml"}, body: `{"a":123,"b":"x"}`, want: "a: 123\nb: x\n"},
		{name: "-o csv", opts: output.Options{Format: "csv"}, body: `[{"a":1,"b":"x,y"},{"a":2,"b":"z"}]`, want: "a,b\n1,\"x,y\"\n2,z\n"},
		{name: "error bodies skip --jq", opts: output.Options{JQ: ".a"}, body: `{"type":"NOT_FOUND"}`, isError: true, want: `{"type":"NOT_FOUND"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, _, out, _ := iostreams.Test()
			ios.SetTTY(false, tt.tty, false)
			p, err := output.New(ios, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			o := &Options{IO: ios, Output: &tt.opts}
			w := bufio.NewWriter(ios.Out)
			err = o.printBody(w, p, []byte(tt.body), tt.isError)
			if ferr := w.Flush(); err == nil {
				err = ferr
			}
			if err != nil {
				t.Fatal(err)
			}
			if out.String() != tt.want {
				t.Errorf("printed %q, want %q", out.String(), tt.want)
			}
		})
	}
}

func TestWriteHead(t *testing.T) {
	var b strings.Builder
	writeHead(&b, &connect.RawResponse{Status: 201, Header: http.Header{"X-Rate-Limit-Limit": {"1000"}, "Location": {"/v1/order/1"}}})
	if want := "HTTP 201 Created\nLocation: /v1/order/1\nX-Rate-Limit-Limit: 1000\n\n"; b.String() != want {
		t.Errorf("%q, want %q", b.String(), want)
	}
}
