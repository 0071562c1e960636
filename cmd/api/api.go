// Package api implements `connectctl api`: any request to the Connect API
// with the profile's credentials, like `gh api`.
package api

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strings"
	"unicode"

	"github.com/spf13/cobra"

	"github.com/connectctl/connectctl/cmd/cmdutil"
	"github.com/connectctl/connectctl/cmd/factory"
	"github.com/connectctl/connectctl/internal/connect"
	"github.com/connectctl/connectctl/internal/iostreams"
	"github.com/connectctl/connectctl/internal/output"
)

// Options are the inputs of `connectctl api`.
type Options struct {
	IO      *iostreams.IOStreams
	Client  func() (*connect.Client, error)
	Printer func() (*output.Printer, error)
	// Output are the global output flags: --jq, --template and -o yaml or
	// ndjson render the answer; -o json and table print it as received.
	Output *output.Options
	// ReadFile reads -F key=@file and --input FILE; tests replace it.
	ReadFile func(string) ([]byte, error)

	Args       []string   // [METHOD] PATH
	MethodFlag string     // -X
	Fields     []fieldArg // -f and -F, in order
	Headers    []string   // -H
	Input      string     // --input FILE|-
	Paginate   bool
	Include    bool
}

// request is what the command will send, fully checked.
type request struct {
	method   string
	path     string
	ref      *url.URL // the parsed PATH
	query    url.Values
	body     []byte // nil: no body
	headers  http.Header
	paginate bool
}

// Short is `connectctl api`'s summary; the root's help lists it without
// building the command (issue 13).
const Short = "Send any request to the Connect API"

// NewCmdAPI returns `connectctl api`; runF replaces the run function in tests.
func NewCmdAPI(f *factory.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{IO: f.IOStreams, Client: f.Client, Printer: f.Printer, Output: &f.Globals.Output, ReadFile: os.ReadFile}
	cmd := &cobra.Command{
		Use:   "api [METHOD] PATH",
		Short: Short,
		Long: "Send an authenticated request to the Connect API and print the answer.\n\n" +
			"PATH is relative to the profile's base URL (/v1/products or v1/products). An\n" +
			"absolute URL is refused unless it is on the API's host: the token never leaves it.\n\n" +
			"METHOD defaults to GET, or POST when fields or --input are given. With GET, HEAD\n" +
			"and DELETE the fields become query parameters; otherwise a JSON object body.\n" +
			"-f key=value adds a string; -F key=value a typed value: true, false, null and\n" +
			"numbers become JSON literals, @FILE reads a file and @- standard input. Keys nest\n" +
			"like gh's: input[customer][email]=a@b.c, input[subscriptions][][product_id]=ID.\n" +
			"--input FILE (or -) sends a file as the body; fields then go to the query.\n\n" +
			"--paginate follows whichever pagination the answer uses (page and size,\n" +
			"X-Next-Page, HAL _links.next) and prints one JSON array of every item.\n\n" +
			"The answer prints as received, pretty-printed on a terminal; --jq filters it.\n" +
			"A non-2xx answer prints its body too, and the exit code follows the status:\n" +
			"3 for 401/403, 4 for 404, 5 for other 4xx, 6 for 5xx.",
		Example: cmdutil.Examples(
			"List the product names", "connectctl api /v1/products --jq '.[].name'",
			"Count every SIM, following every page", "connectctl api /v1/sim --paginate --jq 'length'",
			"Show the status line and headers of an error answer", "connectctl api -i v1/products/SANDBOX-FAIL",
			"Register a usage webhook, the field as a string", "connectctl api POST /v1/sim/8944478600001000018/preferences/notifications/USAGE_THRESHOLD \\\n    -f webhook_url=https://hooks.example.com/esim",
		),
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Args = args
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return Run(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.MethodFlag, "method", "X", "", "HTTP `METHOD` (the same as the METHOD argument)")
	fl.VarP(&fieldFlag{list: &opts.Fields}, "raw-field", "f", "Add a string parameter key=value (repeatable)")
	fl.VarP(&fieldFlag{list: &opts.Fields, typed: true}, "field", "F", "Add a typed parameter key=value: true, false, null, numbers, @FILE, @- (repeatable)")
	fl.StringArrayVarP(&opts.Headers, "header", "H", nil, "Add the request header `NAME:VALUE` (repeatable)")
	fl.StringVar(&opts.Input, "input", "", "Send the body from `FILE` (- for standard input)")
	fl.BoolVar(&opts.Paginate, "paginate", false, "Follow every page and print one JSON array of all items")
	fl.BoolVarP(&opts.Include, "include", "i", false, "Print the status line and headers before the body")
	return cmd
}

var methods = []string{"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}

func knownMethod(m string) bool {
	for _, k := range methods {
		if m == k {
			return true
		}
	}
	return false
}

// build checks every input and builds the request; nothing is sent.
func (o *Options) build() (*request, error) {
	var method, path string
	switch len(o.Args) {
	case 0:
		return nil, cmdutil.FlagErrorf("PATH is required: connectctl api [METHOD] PATH, e.g. connectctl api /v1/products")
	case 1:
		path = o.Args[0]
	case 2:
		method, path = o.Args[0], o.Args[1]
		if !knownMethod(strings.ToUpper(method)) {
			return nil, cmdutil.FlagErrorf("METHOD %q: want one of %s", method, strings.Join(methods, ", "))
		}
		method = strings.ToUpper(method)
	default:
		return nil, cmdutil.FlagErrorf("too many arguments %q: want [METHOD] PATH, e.g. connectctl api GET /v1/products", o.Args)
	}
	if o.MethodFlag != "" {
		m := strings.ToUpper(strings.TrimSpace(o.MethodFlag))
		if !knownMethod(m) {
			return nil, cmdutil.FlagErrorf("--method %q: want one of %s", o.MethodFlag, strings.Join(methods, ", "))
		}
		if method != "" && method != m {
			return nil, cmdutil.FlagErrorf("--method %s and the METHOD argument %s disagree: give one", m, method)
		}
		method = m
	}
	ref, err := checkPath(path)
	if err != nil {
		return nil, err
	}
	r := &request{method: method, path: path, ref: ref, paginate: o.Paginate}

	if r.headers, err = parseHeaders(o.Headers); err != nil {
		return nil, err
	}
	fr := &fieldReader{stdin: o.IO.In, readFile: o.ReadFile}
	if o.Input == "-" {
		fr.stdinUsed = "--input -"
	}
	fields, err := parseFields(o.Fields, fr)
	if err != nil {
		return nil, cmdutil.FlagErrorf("%v", err)
	}
	if o.Input != "" {
		if o.Input == "-" {
			if r.body, err = io.ReadAll(o.IO.In); err != nil {
				return nil, cmdutil.FlagErrorf("--input -: reading standard input: %v", err)
			}
		} else if r.body, err = o.ReadFile(o.Input); err != nil {
			return nil, cmdutil.FlagErrorf("--input %q: cannot read the file: %v", o.Input, err)
		}
		if r.body == nil {
			r.body = []byte{}
		}
	}

	if r.method == "" {
		r.method = http.MethodGet
		if !o.Paginate && (len(fields) > 0 || o.Input != "") {
			r.method = http.MethodPost
		}
	}
	if o.Paginate {
		switch {
		case r.method != http.MethodGet:
			return nil, cmdutil.FlagErrorf("--paginate with %s: pagination follows lists, which are read with GET", r.method)
		case o.Input != "":
			return nil, cmdutil.FlagErrorf("--paginate with --input %q: a paginated GET has no body", o.Input)
		case o.Include:
			return nil, cmdutil.FlagErrorf("--paginate with --include: the pages' headers are not shown; drop one of the two")
		}
	}
	if o.Input != "" && (r.method == http.MethodGet || r.method == http.MethodHead) {
		return nil, cmdutil.FlagErrorf("--input %q with %s: a %s has no body; use POST, PUT or PATCH", o.Input, r.method, r.method)
	}

	switch {
	case len(fields) == 0:
	case o.Input != "" || r.method == http.MethodGet || r.method == http.MethodHead || r.method == http.MethodDelete:
		r.query = queryValues(fields)
	default:
		obj, err := bodyObject(fields)
		if err != nil {
			return nil, cmdutil.FlagErrorf("%v", err)
		}
		if r.body, err = json.Marshal(obj); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// checkPath checks PATH before anything is sent. An absolute URL is kept for
// the host check against the base URL once the profile is known.
func checkPath(p string) (*url.URL, error) {
	const want = "want an API path such as /v1/products"
	if strings.TrimSpace(p) == "" {
		return nil, cmdutil.FlagErrorf("PATH %q is empty: %s", p, want)
	}
	if strings.ContainsFunc(p, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) {
		return nil, cmdutil.FlagErrorf("PATH %q contains white space or control characters: %s (escape them, e.g. %%20)", p, want)
	}
	ref, err := url.Parse(p)
	if err != nil {
		return nil, cmdutil.FlagErrorf("PATH %q is not a valid URL path (%v): %s", p, unwrapURLError(err), want)
	}
	if ref.Opaque != "" || (ref.Scheme != "" && ref.Host == "") {
		return nil, cmdutil.FlagErrorf("PATH %q: %s", p, want)
	}
	if ref.User != nil {
		return nil, cmdutil.FlagErrorf("PATH %q carries credentials: %s", p, want)
	}
	for _, seg := range strings.Split(ref.Path, "/") {
		if seg == "." || seg == ".." {
			return nil, cmdutil.FlagErrorf("PATH %q has a %q segment: %s, without dot segments", p, seg, want)
		}
	}
	if strings.Trim(ref.Path, "/") == "" && ref.Host == "" {
		return nil, cmdutil.FlagErrorf("PATH %q names no resource: %s", p, want)
	}
	return ref, nil
}

func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// checkHost refuses an absolute URL off the API's host: the token must never
// go anywhere else.
func checkHost(r *request, base *url.URL) error {
	if r.ref.Host == "" {
		return nil
	}
	scheme := r.ref.Scheme
	if scheme == "" {
		scheme = base.Scheme
	}
	if !strings.EqualFold(scheme, base.Scheme) || !strings.EqualFold(r.ref.Host, base.Host) {
		return cmdutil.FlagErrorf("PATH %q is not on the API's host %s://%s: want a path relative to the profile's base URL, such as /v1/products (the token never leaves the API's host)",
			r.path, base.Scheme, base.Host)
	}
	return nil
}

func parseHeaders(hs []string) (http.Header, error) {
	if len(hs) == 0 {
		return nil, nil
	}
	out := http.Header{}
	for _, h := range hs {
		name, val, ok := strings.Cut(h, ":")
		name = strings.TrimSpace(name)
		if !ok || name == "" || strings.ContainsFunc(name, func(r rune) bool { return r <= ' ' || r >= 0x7f }) {
			return nil, cmdutil.FlagErrorf("--header %q: want 'Name: value', e.g. --header 'Accept-Language: en'", h)
		}
		if strings.ContainsAny(val, "\r\n") {
			return nil, cmdutil.FlagErrorf("--header %q: a value cannot hold a line break", h)
		}
		switch http.CanonicalHeaderKey(name) {
		case "Authorization", "Host", "Content-Length":
			return nil, cmdutil.FlagErrorf("--header %q: %s is set by connectctl and cannot be replaced", h, http.CanonicalHeaderKey(name))
		}
		out.Add(name, strings.TrimSpace(val))
	}
	return out, nil
}

// Run sends the request and prints the answer.
func Run(ctx context.Context, o *Options) error {
	r, err := o.build()
	if err != nil {
		return err
	}
	p, err := o.Printer()
	if err != nil {
		return err
	}
	client, err := o.Client()
	if err != nil {
		return err
	}
	if err := checkHost(r, client.BaseURL()); err != nil {
		return err
	}
	if r.paginate {
		return o.runPaginate(ctx, client, p, r)
	}
	resp, err := client.Do(ctx, connect.RawRequest{Method: r.method, Path: r.path, Query: r.query, Body: r.body, Headers: r.headers})
	if resp == nil {
		return err
	}
	w := bufio.NewWriter(o.IO.Out)
	if o.Include {
		writeHead(w, resp)
	}
	var apiErr *connect.APIError
	if err != nil && !errors.As(err, &apiErr) {
		_ = w.Flush()
		return err
	}
	perr := o.printBody(w, p, resp.Body, resp.Status >= 400)
	if ferr := w.Flush(); perr == nil {
		perr = ferr
	}
	if apiErr != nil {
		return statusError(apiErr)
	}
	if resp.Status >= 400 { // should not happen: the client reports every non-2xx
		return &cmdutil.ExitError{Code: cmdutil.ExitCodeForStatus(resp.Status),
			Err: fmt.Errorf("%s %s: HTTP %d %s", r.method, r.path, resp.Status, http.StatusText(resp.Status))}
	}
	return perr
}

// writeHead writes the status line and the headers, sorted, then a blank line.
func writeHead(w io.Writer, resp *connect.RawResponse) {
	fmt.Fprintf(w, "HTTP %d %s\n", resp.Status, http.StatusText(resp.Status))
	names := make([]string, 0, len(resp.Header))
	for k := range resp.Header {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		for _, v := range resp.Header[k] {
			fmt.Fprintf(w, "%s: %s\n", k, v)
		}
	}
	fmt.Fprintln(w)
}

// printBody prints an answer's body: filtered by --jq, or rendered by
// --template or -o yaml/ndjson when it is JSON, else as received and
// pretty-printed on a terminal. An error answer always prints as received.
func (o *Options) printBody(w *bufio.Writer, p *output.Printer, body []byte, isError bool) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	if !isError && o.rendered(p) {
		if err := w.Flush(); err != nil {
			return err
		}
		if applied, err := p.RunJQ(body); applied {
			return err
		}
		if !json.Valid(body) {
			return fmt.Errorf("the answer is not JSON, so it cannot be rendered with --output %s or --template; drop them to see it", p.Format())
		}
		return output.Item(p, json.RawMessage(body), nil)
	}
	if o.IO.IsStdoutTTY() && json.Valid(body) {
		var buf bytes.Buffer
		if json.Indent(&buf, bytes.TrimSpace(body), "", "  ") == nil {
			buf.WriteByte('\n')
			_, err := w.Write(buf.Bytes())
			return err
		}
	}
	_, err := w.Write(body)
	if err == nil && o.IO.IsStdoutTTY() && !bytes.HasSuffix(body, []byte("\n")) {
		err = w.WriteByte('\n')
	}
	return err
}

func (o *Options) hasJQ() bool       { return o.Output != nil && o.Output.JQ != "" }
func (o *Options) hasTemplate() bool { return o.Output != nil && o.Output.Template != "" }

// rendered reports whether the output options ask for more than the body as
// received (-o table and -o json both print it as is).
func (o *Options) rendered(p *output.Printer) bool {
	return o.hasJQ() || o.hasTemplate() || p.Format() == output.YAML || p.Format() == output.NDJSON || p.Format() == output.CSV
}

// runPaginate prints every item of every page as one JSON array, streamed:
// "[", the items, "]". -o ndjson streams one item a line. With --jq,
// --template or -o yaml the array is built whole first, since those see the
// whole document.
func (o *Options) runPaginate(ctx context.Context, client *connect.Client, p *output.Printer, r *request) error {
	seq := client.Paginate(ctx, r.path, r.query)
	whole := o.hasJQ() || o.hasTemplate() || p.Format() == output.YAML || p.Format() == output.CSV
	ndjson := !whole && p.Format() == output.NDJSON
	tty := o.IO.IsStdoutTTY()

	w := bufio.NewWriter(o.IO.Out)
	var all bytes.Buffer // the joined array when whole
	n := 0
	var iterErr error
	for item, err := range seq {
		if err != nil {
			iterErr = err
			break
		}
		switch {
		case whole:
			if n == 0 {
				all.WriteByte('[')
			} else {
				all.WriteByte(',')
			}
			all.Write(item)
		case ndjson:
			var buf bytes.Buffer
			if err := json.Compact(&buf, item); err != nil {
				_ = w.Flush()
				return fmt.Errorf("item %d of the list is not JSON: %w", n+1, err)
			}
			buf.WriteByte('\n')
			_, _ = w.Write(buf.Bytes())
		default:
			var buf bytes.Buffer
			var err error
			if tty {
				buf.WriteString("  ")
				err = json.Indent(&buf, item, "  ", "  ")
			} else {
				err = json.Compact(&buf, item)
			}
			if err != nil {
				if n > 0 {
					_, _ = w.WriteString("\n]\n")
				}
				_ = w.Flush()
				return fmt.Errorf("item %d of the list is not JSON: %w", n+1, err)
			}
			if n == 0 {
				_, _ = w.WriteString("[\n")
			} else {
				_, _ = w.WriteString(",\n")
			}
			_, _ = w.Write(buf.Bytes())
		}
		n++
		if n%40 == 0 {
			_ = w.Flush()
		}
	}
	var apiErr *connect.APIError
	isAPIErr := errors.As(iterErr, &apiErr) && apiErr.Status != 0
	if iterErr != nil && n == 0 && isAPIErr {
		// Nothing printed yet: show the error answer as a plain call would.
		perr := o.printBody(w, p, apiErr.Body, true)
		if ferr := w.Flush(); perr == nil {
			perr = ferr
		}
		if perr != nil {
			return perr
		}
		return statusError(apiErr)
	}
	switch {
	case whole:
		if iterErr == nil {
			if n == 0 {
				all.WriteByte('[')
			}
			all.WriteByte(']')
			if applied, err := p.RunJQ(all.Bytes()); applied {
				return err
			}
			return output.Item(p, json.RawMessage(all.Bytes()), nil)
		}
	case ndjson:
	case n == 0:
		if iterErr == nil {
			_, _ = w.WriteString("[]\n")
		}
	default:
		// Closed even after a failure, so what was printed parses.
		_, _ = w.WriteString("\n]\n")
	}
	ferr := w.Flush()
	switch {
	case iterErr != nil && isAPIErr:
		return statusError(apiErr)
	case iterErr != nil:
		return iterErr
	}
	return ferr
}

// apiStatusError is a non-2xx answer of `connectctl api`: one line with the
// status and correlation id (the body was printed on stdout), the exit code
// of the status, and the *connect.APIError behind it for callers that want
// the details.
type apiStatusError struct {
	line string
	err  *connect.APIError
}

func (e *apiStatusError) Error() string { return e.line }
func (e *apiStatusError) Unwrap() error { return e.err }

func statusError(e *connect.APIError) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: HTTP %d", e.Method, e.Path, e.Status)
	if t := http.StatusText(e.Status); t != "" {
		b.WriteString(" " + t)
	}
	var kinds []string
	if e.Type != "" {
		kinds = append(kinds, e.Type)
	}
	for _, c := range e.Codes {
		if c != e.Type {
			kinds = append(kinds, c)
		}
	}
	if len(kinds) > 0 {
		fmt.Fprintf(&b, " [%s]", strings.Join(kinds, ", "))
	}
	msgs := append([]string(nil), e.Messages...)
	if e.Title != "" {
		msgs = append([]string{e.Title}, msgs...)
	}
	if len(msgs) > 0 {
		m := strings.Join(msgs, "; ")
		if r := []rune(m); len(r) > 200 {
			m = string(r[:200]) + "…"
		}
		b.WriteString(": " + strings.NewReplacer("\n", " ", "\r", " ").Replace(m))
	}
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " after %d attempts", e.Attempts)
	}
	if e.CorrelationID != "" {
		fmt.Fprintf(&b, " (correlation id %s)", e.CorrelationID)
	}
	if e.OutcomeUnknown {
		b.WriteString("; the request may or may not have taken effect: check before sending it again")
	}
	return &cmdutil.ExitError{Code: cmdutil.ExitCodeForStatus(e.Status), Err: &apiStatusError{line: b.String(), err: e}}
}
