// Package output is the one printer layer of connectctl: every command hands
// it typed resources and it renders them as the user asked — an aligned table
// on a terminal, tab-separated text in a pipe, JSON, YAML, NDJSON, a jq filter
// or a Go template.
package output

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"sort"
	"strings"
	"text/template"

	"github.com/itchyny/gojq"
	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
	"go.yaml.in/yaml/v3"

	"github.com/connectctl/connectctl/internal/iostreams"
)

// Format is an output format of -o.
type Format string

const (
	Table  Format = "table"
	JSON   Format = "json"
	YAML   Format = "yaml"
	NDJSON Format = "ndjson"
)

// Formats lists the formats -o accepts, for help and completion.
var Formats = []string{string(Table), string(JSON), string(YAML), string(NDJSON)}

// Options are the output flags shared by every command.
type Options struct {
	Format    string
	JQ        string
	Template  string
	Columns   []string
	NoHeaders bool
}

// InputError is a bad output flag; commands report it as a usage error.
type InputError struct{ msg string }

func (e *InputError) Error() string { return e.msg }

func inputErrorf(format string, args ...any) error {
	return &InputError{msg: fmt.Sprintf(format, args...)}
}

// Printer renders resources to the I/O streams.
type Printer struct {
	io        *iostreams.IOStreams
	format    Format
	jq        *gojq.Code
	tmpl      *template.Template
	columns   []string
	noHeaders bool
}

// New checks the output options — format, jq expression, template — before
// any request is sent, so a typo costs nothing.
func New(ios *iostreams.IOStreams, o Options) (*Printer, error) {
	p := &Printer{io: ios, format: Format(strings.ToLower(o.Format)), noHeaders: o.NoHeaders}
	if p.format == "" {
		p.format = Table
	}
	switch p.format {
	case Table, JSON, YAML, NDJSON:
	default:
		return nil, inputErrorf("--output %q: want one of %s", o.Format, strings.Join(Formats, ", "))
	}
	if o.JQ != "" && o.Template != "" {
		return nil, inputErrorf("--jq and --template do not go together: pick one")
	}
	if o.JQ != "" {
		q, err := gojq.Parse(o.JQ)
		if err != nil {
			return nil, inputErrorf("--jq %q: %v", o.JQ, err)
		}
		if p.jq, err = gojq.Compile(q); err != nil {
			return nil, inputErrorf("--jq %q: %v", o.JQ, err)
		}
	}
	if o.Template != "" {
		t, err := template.New("output").Funcs(templateFuncs).Option("missingkey=zero").Parse(o.Template)
		if err != nil {
			return nil, inputErrorf("--template: %v", err)
		}
		p.tmpl = t
	}
	for _, c := range o.Columns {
		if c = strings.ToLower(strings.TrimSpace(c)); c != "" {
			p.columns = append(p.columns, c)
		}
	}
	return p, nil
}

// Structured reports whether stdout carries data for a program (JSON, YAML,
// NDJSON, jq or template output) rather than a table for a person. Commands
// move anything else they show, like a QR code, to stderr then.
func (p *Printer) Structured() bool {
	return p.format != Table || p.jq != nil || p.tmpl != nil
}

// Format is the chosen output format.
func (p *Printer) Format() Format { return p.format }

// Column is one table column of a resource of type T.
type Column[T any] struct {
	Name   string // the --columns key, lower case: "iccid", "used"
	Header string // the header cell: "ICCID"
	Value  func(T) string
	// Wide columns show only when named in --columns (or for a single item).
	Wide bool
}

// CheckColumns refuses --columns names a command does not have, naming the
// ones it has. Commands call it before sending anything.
func CheckColumns[T any](p *Printer, cols []Column[T]) error {
	var unknown []string
	for _, name := range p.columns {
		if !hasColumn(cols, name) {
			unknown = append(unknown, name)
		}
	}
	if len(unknown) > 0 {
		return inputErrorf("--columns: unknown column %s; available: %s",
			strings.Join(quoteAll(unknown), ", "), strings.Join(ColumnNames(cols), ", "))
	}
	return nil
}

// ColumnNames lists the --columns keys, for messages and completion.
func ColumnNames[T any](cols []Column[T]) []string {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Name
	}
	return names
}

func hasColumn[T any](cols []Column[T], name string) bool {
	for _, c := range cols {
		if c.Name == name {
			return true
		}
	}
	return false
}

func quoteAll(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = fmt.Sprintf("%q", v)
	}
	return out
}

// selected returns the columns to show: those named by --columns in that
// order, or the default (non-wide) ones, or all of them when all is set.
func selected[T any](p *Printer, cols []Column[T], all bool) []Column[T] {
	if len(p.columns) > 0 {
		out := make([]Column[T], 0, len(p.columns))
		for _, name := range p.columns {
			for _, c := range cols {
				if c.Name == name {
					out = append(out, c)
				}
			}
		}
		return out
	}
	if all {
		return cols
	}
	out := make([]Column[T], 0, len(cols))
	for _, c := range cols {
		if !c.Wide {
			out = append(out, c)
		}
	}
	return out
}

// Item prints one resource.
func Item[T any](p *Printer, item T, cols []Column[T]) error {
	if p.Structured() {
		data, err := generic(item)
		if err != nil {
			return err
		}
		return p.structured(data)
	}
	sel := selected(p, cols, true)
	w := bufio.NewWriter(p.io.Out)
	if p.io.IsStdoutTTY() {
		// A single resource reads best as fields down the page.
		width := 0
		for _, c := range sel {
			width = max(width, len(c.Header))
		}
		for _, c := range sel {
			fmt.Fprintf(w, "%-*s  %s\n", width+1, c.Header+":", orDash(c.Value(item)))
		}
		return w.Flush()
	}
	if !p.noHeaders {
		writeTSV(w, headers(sel))
	}
	writeTSV(w, row(sel, item))
	return w.Flush()
}

// List prints a list, pulling items from seq as it goes. JSON without jq or
// template, NDJSON and piped tables stream page by page without holding the
// list; the rest need it whole. limit > 0 stops after that many items. It
// returns how many items it printed.
func List[T any](p *Printer, seq iter.Seq2[T, error], cols []Column[T], limit int) (int, error) {
	items := func(yield func(T) bool) error {
		n := 0
		for it, err := range seq {
			if err != nil {
				return err
			}
			if limit > 0 && n >= limit {
				return nil
			}
			n++
			if !yield(it) {
				return nil
			}
		}
		return nil
	}
	switch {
	case p.format == NDJSON:
		return p.streamNDJSON(func(yield func(any) bool) error {
			return items(func(it T) bool { return yield(it) })
		})
	case p.format == JSON && p.jq == nil && p.tmpl == nil:
		return p.streamJSONArray(func(yield func(any) bool) error {
			return items(func(it T) bool { return yield(it) })
		})
	case p.Structured():
		all := []any{}
		var convErr error
		err := items(func(it T) bool {
			g, err := generic(it)
			if err != nil {
				convErr = err
				return false
			}
			all = append(all, g)
			return true
		})
		if err == nil {
			err = convErr
		}
		if err != nil {
			return 0, err
		}
		return len(all), p.structured(all)
	case p.io.IsStdoutTTY():
		sel := selected(p, cols, false)
		var rows [][]string
		err := items(func(it T) bool { rows = append(rows, row(sel, it)); return true })
		if len(rows) == 0 {
			if err == nil {
				fmt.Fprintln(p.io.ErrOut, "No results.")
			}
			return 0, err
		}
		// On a failure, show what arrived before it; the error follows on stderr.
		if werr := p.writeAligned(headers(sel), rows); err == nil {
			err = werr
		}
		return len(rows), err
	default:
		sel := selected(p, cols, false)
		w := bufio.NewWriter(p.io.Out)
		if !p.noHeaders {
			writeTSV(w, headers(sel))
		}
		n := 0
		err := items(func(it T) bool {
			writeTSV(w, row(sel, it))
			n++
			// Flush per page-sized batch so a slow list shows progress in a pipe.
			if n%40 == 0 {
				_ = w.Flush()
			}
			return true
		})
		if ferr := w.Flush(); err == nil {
			err = ferr
		}
		return n, err
	}
}

func (p *Printer) streamNDJSON(items func(func(any) bool) error) (int, error) {
	w := bufio.NewWriter(p.io.Out)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	n := 0
	var werr error
	err := items(func(it any) bool {
		if p.jq != nil {
			g, err := generic(it)
			if err == nil {
				err = p.runJQ(w, g)
			}
			werr = err
		} else {
			werr = enc.Encode(it)
		}
		n++
		if n%40 == 0 {
			_ = w.Flush()
		}
		return werr == nil
	})
	if err == nil {
		err = werr
	}
	if ferr := w.Flush(); err == nil {
		err = ferr
	}
	return n, err
}

func (p *Printer) streamJSONArray(items func(func(any) bool) error) (int, error) {
	w := bufio.NewWriter(p.io.Out)
	n := 0
	var werr error
	_, _ = w.WriteString("[")
	err := items(func(it any) bool {
		b, err := marshalIndent(it, "  ")
		if err != nil {
			werr = err
			return false
		}
		if n > 0 {
			_, _ = w.WriteString(",")
		}
		_, _ = w.WriteString("\n  ")
		_, _ = w.Write(b)
		n++
		if n%40 == 0 {
			_ = w.Flush()
		}
		return true
	})
	if err == nil {
		err = werr
	}
	if n > 0 {
		_, _ = w.WriteString("\n")
	}
	// The array is closed even after a failure, so what was printed parses.
	_, _ = w.WriteString("]\n")
	if ferr := w.Flush(); err == nil {
		err = ferr
	}
	return n, err
}

// structured prints generic data as the chosen structured output.
func (p *Printer) structured(data any) error {
	w := bufio.NewWriter(p.io.Out)
	var err error
	switch {
	case p.jq != nil:
		err = p.runJQ(w, data)
	case p.tmpl != nil:
		err = p.tmpl.Execute(w, data)
		if err != nil {
			err = fmt.Errorf("--template: %w", err)
		}
	case p.format == YAML:
		enc := yaml.NewEncoder(w)
		enc.SetIndent(2)
		err = enc.Encode(yamlNumbers(data))
		if cerr := enc.Close(); err == nil {
			err = cerr
		}
	case p.format == NDJSON:
		// A single item is one line; a list is one line per element.
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		if list, ok := data.([]any); ok {
			for _, it := range list {
				if err = enc.Encode(it); err != nil {
					break
				}
			}
		} else {
			err = enc.Encode(data)
		}
	default:
		var b []byte
		if b, err = marshalIndent(data, ""); err == nil {
			_, _ = w.Write(b)
			_, _ = w.WriteString("\n")
		}
	}
	if ferr := w.Flush(); err == nil {
		err = ferr
	}
	return err
}

// runJQ prints each result of the filter: strings raw, like jq -r; other
// values as JSON, indented on a terminal and compact in a pipe.
func (p *Printer) runJQ(w io.Writer, data any) error {
	it := p.jq.Run(data)
	for {
		v, ok := it.Next()
		if !ok {
			return nil
		}
		if err, ok := v.(error); ok {
			var halt *gojq.HaltError
			if errors.As(err, &halt) && halt.Value() == nil {
				return nil
			}
			return fmt.Errorf("--jq: %w", err)
		}
		if s, ok := v.(string); ok {
			fmt.Fprintln(w, s)
			continue
		}
		var b []byte
		var err error
		if p.io.IsStdoutTTY() {
			b, err = marshalIndent(v, "")
		} else {
			b, err = marshalCompact(v)
		}
		if err != nil {
			return fmt.Errorf("--jq: %w", err)
		}
		_, _ = w.Write(b)
		_, _ = io.WriteString(w, "\n")
	}
}

// RunJQ filters raw JSON with a jq expression for commands that print raw API
// bodies (connectctl api). It returns false when no filter is set.
func (p *Printer) RunJQ(body []byte) (bool, error) {
	if p.jq == nil {
		return false, nil
	}
	data, err := decodeGeneric(body)
	if err != nil {
		return true, fmt.Errorf("--jq: the answer is not JSON: %w", err)
	}
	w := bufio.NewWriter(p.io.Out)
	err = p.runJQ(w, data)
	if ferr := w.Flush(); err == nil {
		err = ferr
	}
	return true, err
}

func headers[T any](cols []Column[T]) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = c.Header
	}
	return out
}

func row[T any](cols []Column[T], item T) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = orDash(c.Value(item))
	}
	return out
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// writeTSV writes one tab-separated line; tabs and newlines inside a value
// would break the columns, so they become spaces.
func writeTSV(w *bufio.Writer, cells []string) {
	for i, c := range cells {
		if i > 0 {
			_ = w.WriteByte('\t')
		}
		_, _ = w.WriteString(strings.NewReplacer("\t", " ", "\n", " ", "\r", " ").Replace(c))
	}
	_ = w.WriteByte('\n')
}

// generic turns a typed resource into the JSON data model (maps, slices,
// json.Number) through its canonical JSON, so jq, templates and YAML see
// exactly the fields -o json shows.
func generic(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return decodeGeneric(b)
}

func decodeGeneric(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var out any
	if err := dec.Decode(&out); err != nil {
		return nil, err
	}
	return out, nil
}

func marshalIndent(v any, prefix string) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent(prefix, "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

func marshalCompact(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

var templateFuncs = template.FuncMap{
	"join":  func(sep string, v []any) string { return joinAny(v, sep) },
	"upper": strings.ToUpper,
	"lower": strings.ToLower,
	"json": func(v any) (string, error) {
		b, err := marshalCompact(v)
		return string(b), err
	},
	"keys": func(m map[string]any) []string {
		ks := make([]string, 0, len(m))
		for k := range m {
			ks = append(ks, k)
		}
		sort.Strings(ks)
		return ks
	},
}

func joinAny(v []any, sep string) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = fmt.Sprint(x)
	}
	return strings.Join(s, sep)
}

// writeAligned renders an aligned table with no borders, like kubectl.
func (p *Printer) writeAligned(header []string, rows [][]string) error {
	var buf bytes.Buffer
	table := tablewriter.NewTable(&buf,
		tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{
			Borders:  tw.BorderNone,
			Symbols:  tw.NewSymbols(tw.StyleNone),
			Settings: tw.Settings{Separators: tw.SeparatorsNone, Lines: tw.LinesNone},
		})),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithHeaderAlignment(tw.AlignLeft),
		tablewriter.WithRowAlignment(tw.AlignLeft),
		tablewriter.WithTrimSpace(tw.Off),
		tablewriter.WithPadding(tw.Padding{Left: "", Right: "   "}),
	)
	if !p.noHeaders {
		table.Header(anySlice(header)...)
	}
	for _, r := range rows {
		if err := table.Append(r); err != nil {
			return err
		}
	}
	if err := table.Render(); err != nil {
		return err
	}
	// tablewriter pads the last column; trailing blanks only get in the way.
	lines := strings.Split(strings.TrimRight(buf.String(), "\n"), "\n")
	w := bufio.NewWriter(p.io.Out)
	for _, l := range lines {
		_, _ = w.WriteString(strings.TrimRight(l, " "))
		_ = w.WriteByte('\n')
	}
	return w.Flush()
}

func anySlice(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

// yamlNumbers turns json.Number into Go numbers, which YAML writes as
// numbers rather than quoted strings.
func yamlNumbers(v any) any {
	switch x := v.(type) {
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i
		}
		if f, err := x.Float64(); err == nil {
			return f
		}
		return string(x)
	case []any:
		for i := range x {
			x[i] = yamlNumbers(x[i])
		}
	case map[string]any:
		for k := range x {
			x[k] = yamlNumbers(x[k])
		}
	}
	return v
}
