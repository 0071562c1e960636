// Package output is the one printer layer of connectctl: every command hands
// it typed resources and it renders them as the user asked — an aligned table
// on a terminal, tab-separated text in a pipe, JSON, YAML, NDJSON, CSV, a jq
// filter or a Go template.
package output

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"sort"
	"strings"
	"sync"
	"text/template"
	"time"
	"unicode/utf8"

	"github.com/connectctl/connectctl/internal/thirdparty/gojq"
	"github.com/connectctl/connectctl/internal/thirdparty/tablewriter"
	"github.com/connectctl/connectctl/internal/thirdparty/yaml"

	"github.com/connectctl/connectctl/internal/iostreams"
)

// Format is an output format of -o.
type Format string

const (
	Table  Format = "table"
	JSON   Format = "json"
	YAML   Format = "yaml"
	NDJSON Format = "ndjson"
	CSV    Format = "csv"
)

// Formats lists the formats -o accepts, for help and completion.
var Formats = []string{string(Table), string(JSON), string(YAML), string(NDJSON), string(CSV)}

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
	clock     func() time.Time // relative times on a terminal; nil: time.Now
}

// New checks the output options — format, jq expression, template — before
// any request is sent, so a typo costs nothing.
func New(ios *iostreams.IOStreams, o Options) (*Printer, error) {
	p := &Printer{io: ios, format: Format(strings.ToLower(o.Format)), noHeaders: o.NoHeaders}
	if p.format == "" {
		p.format = Table
	}
	switch p.format {
	case Table, JSON, YAML, NDJSON, CSV:
	default:
		return nil, inputErrorf("--output %q: want one of %s", o.Format, strings.Join(Formats, ", "))
	}
	if o.JQ != "" && o.Template != "" {
		return nil, inputErrorf("--jq and --template do not go together: pick one")
	}
	if p.format == CSV && (o.JQ != "" || o.Template != "") {
		return nil, inputErrorf("--jq/--template produce their own output: drop -o csv")
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
// NDJSON, CSV, jq or template output) rather than a table for a person. Commands
// move anything else they show, like a QR code, to stderr then.
func (p *Printer) Structured() bool {
	return p.format != Table || p.jq != nil || p.tmpl != nil
}

// Format is the chosen output format.
func (p *Printer) Format() Format { return p.format }

// Column is one table column of a resource of type T. Its header is its
// name, a JSON key of the resource as -o json prints it, upper-cased (see
// HeaderFor): the column STATUS is the key status, so --columns, --jq and
// --template all use one vocabulary.
type Column[T any] struct {
	// Name is the --columns key: the JSON key of the field the column shows
	// ("iccid", "last_modified", "matchingId"); for a nested field, its last
	// key (ICCID of an order is output.iccid).
	Name string
	// Aliases are older --columns names still accepted ("state").
	Aliases []string
	// Derived marks a column computed from several fields, which has no
	// JSON key of its own (LEFT = initial - spent).
	Derived bool
	Value   func(T) string
	// Wide columns show only when named in --columns (or for a single item).
	Wide bool
	// Width is the least width of the column in a Stream's aligned table on
	// a terminal, where widths are fixed before the first row; 0 means the
	// header's width. Longer values are not cut: they push the line.
	Width int
	// Kind marks a status or a time column, which a table on a terminal
	// shows for a person (humanize.go); the zero value is plain text.
	Kind ColumnKind
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
		if c.matches(name) {
			return true
		}
	}
	return false
}

// Header is the column's header cell and detail-view label.
func (c Column[T]) Header() string { return HeaderFor(c.Name) }

// matches reports whether a --columns name picks c: its name, an alias or
// its header, in any case.
func (c Column[T]) matches(name string) bool {
	if strings.EqualFold(c.Name, name) || strings.EqualFold(c.Header(), name) {
		return true
	}
	for _, a := range c.Aliases {
		if strings.EqualFold(a, name) {
			return true
		}
	}
	return false
}

// HeaderFor turns a JSON key into its header: camelCase words split with
// "_" and upper-cased (matchingId: MATCHING_ID, last_modified:
// LAST_MODIFIED, iccid: ICCID).
func HeaderFor(key string) string {
	var b strings.Builder
	for i, r := range key {
		switch {
		case r == '-' || r == ' ':
			b.WriteByte('_')
		case r >= 'A' && r <= 'Z':
			if i > 0 && key[i-1] >= 'a' && key[i-1] <= 'z' {
				b.WriteByte('_')
			}
			b.WriteRune(r)
		default:
			b.WriteString(strings.ToUpper(string(r)))
		}
	}
	return b.String()
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
				if c.matches(name) {
					out = append(out, c)
					break
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

// Item prints one resource. With -o csv it prints the columns a piped table
// shows (every column, or those of --columns), or without columns the item's
// JSON data (see writeCSVJSON).
func Item[T any](p *Printer, item T, cols []Column[T]) error {
	if p.format == CSV {
		if len(cols) == 0 {
			b, err := marshalCompact(item)
			if err != nil {
				return err
			}
			return p.writeCSVJSON(b)
		}
		sel := selected(p, cols, true)
		cw := csv.NewWriter(p.io.Out)
		if !p.noHeaders {
			_ = cw.Write(ColumnNames(sel))
		}
		_ = cw.Write(plainRow(sel, item))
		cw.Flush()
		return cw.Error()
	}
	if p.Structured() {
		data, err := generic(item)
		if err != nil {
			return err
		}
		return p.structured(data)
	}
	return Details(p, fieldsOf(p, cols, item))
}

func fieldsOf[T any](p *Printer, cols []Column[T], item T) []Field {
	out := []Field{}
	for _, c := range selected(p, cols, true) {
		out = append(out, Field{Label: c.Header(), Value: c.Value(item)})
	}
	return out
}

// Field is one line of a detail view.
type Field struct{ Label, Value string }

// Details prints a single resource's fields down the page, on a terminal
// and in a pipe alike: "LABEL:" padded to the longest label, then the value
// ("-" when empty). With --no-headers only the values, one a line. This is
// the one layout of every detail view (order get, sim get, auth status...).
func Details(p *Printer, fields []Field) error {
	w := bufio.NewWriter(p.io.Out)
	width := 0
	for _, f := range fields {
		width = max(width, len(f.Label))
	}
	for _, f := range fields {
		v := strings.NewReplacer("\n", " ", "\t", " ").Replace(orDash(f.Value))
		if p.noHeaders {
			fmt.Fprintln(w, v)
			continue
		}
		fmt.Fprintf(w, "%-*s  %s\n", width+1, f.Label+":", v)
	}
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
	case p.format == CSV && len(cols) > 0:
		sel := selected(p, cols, false)
		cw := csv.NewWriter(p.io.Out)
		if !p.noHeaders {
			_ = cw.Write(ColumnNames(sel))
		}
		n := 0
		err := items(func(it T) bool {
			_ = cw.Write(plainRow(sel, it))
			n++
			if n%40 == 0 {
				cw.Flush()
			}
			return cw.Error() == nil
		})
		cw.Flush()
		if err == nil {
			err = cw.Error()
		}
		return n, err
	case p.format == CSV:
		// No columns: the items' JSON data, whole, so the header can hold
		// every key.
		var all bytes.Buffer
		all.WriteByte('[')
		n := 0
		var convErr error
		err := items(func(it T) bool {
			b, err := marshalCompact(it)
			if err != nil {
				convErr = err
				return false
			}
			if n > 0 {
				all.WriteByte(',')
			}
			all.Write(b)
			n++
			return true
		})
		if err == nil {
			err = convErr
		}
		if err != nil {
			return 0, err
		}
		all.WriteByte(']')
		return n, p.writeCSVJSON(all.Bytes())
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
		err := items(func(it T) bool { rows = append(rows, ttyRow(p, sel, it)); return true })
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
	case p.format == CSV:
		// Generic data has lost its key order: maps encode with their keys
		// sorted, so the columns are in alphabetical order here.
		var b []byte
		if b, err = marshalCompact(data); err == nil {
			if err = w.Flush(); err == nil {
				err = p.writeCSVJSON(b)
			}
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
		out[i] = c.Header()
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

// plainRow is row without the "-" for empty values, for CSV.
func plainRow[T any](cols []Column[T], item T) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = c.Value(item)
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
	table := tablewriter.NewWriter(&buf)
	table.SetAutoWrapText(false)
	table.SetAutoFormatHeaders(false)
	table.SetHeaderAlignment(tablewriter.ALIGN_LEFT)
	table.SetAlignment(tablewriter.ALIGN_LEFT)
	table.SetBorder(false)
	table.SetHeaderLine(false)
	table.SetCenterSeparator("")
	table.SetColumnSeparator("")
	table.SetRowSeparator("")
	table.SetNoWhiteSpace(true)
	table.SetTablePadding("   ")
	if !p.noHeaders {
		table.SetHeader(header)
	}
	table.AppendBulk(rows)
	table.Render()
	// tablewriter pads the last column; trailing blanks only get in the way.
	lines := strings.Split(strings.TrimRight(buf.String(), "\n"), "\n")
	// A table longer than the terminal goes through the pager, if one is set.
	if p.io.ShouldPage(len(lines)) {
		if err := p.io.StartPager(); err != nil {
			fmt.Fprintln(p.io.ErrOut, "warning:", err)
		}
		defer p.io.StopPager()
	}
	w := bufio.NewWriter(p.io.Out)
	for _, l := range lines {
		_, _ = w.WriteString(strings.TrimRight(l, " "))
		_ = w.WriteByte('\n')
	}
	return w.Flush()
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

// ---- CSV of JSON data ----

// writeCSVJSON prints a JSON document as CSV, for data that has no columns
// (Item without columns, connectctl api): an array of objects is a header of
// their keys — the first object's in the document's order, then keys first
// seen in later objects — and one record per object, a key an object lacks
// left empty; an object is a header and one record; anything else (a scalar,
// an array of non-objects) is one single-cell record per value. Strings are
// written unquoted, null as an empty cell, numbers and booleans as in the
// JSON, nested objects and arrays as compact JSON.
func (p *Printer) writeCSVJSON(doc []byte) error {
	doc = bytes.TrimSpace(doc)
	cw := csv.NewWriter(p.io.Out)
	table := func(objs []json.RawMessage) error {
		var keys []string
		rows := make([]map[string]json.RawMessage, len(objs))
		seen := map[string]bool{}
		for i, o := range objs {
			ks, vals, err := jsonObject(o)
			if err != nil {
				return err
			}
			rows[i] = vals
			for _, k := range ks {
				if !seen[k] {
					seen[k] = true
					keys = append(keys, k)
				}
			}
		}
		if !p.noHeaders {
			_ = cw.Write(keys)
		}
		for _, vals := range rows {
			rec := make([]string, len(keys))
			for i, k := range keys {
				if v, ok := vals[k]; ok {
					rec[i] = jsonCell(v)
				}
			}
			_ = cw.Write(rec)
		}
		return nil
	}
	var err error
	switch jsonKind(doc) {
	case '{':
		err = table([]json.RawMessage{doc})
	case '[':
		var elems []json.RawMessage
		if elems, err = jsonArray(doc); err != nil {
			break
		}
		objects := len(elems) > 0
		for _, e := range elems {
			objects = objects && jsonKind(e) == '{'
		}
		if objects {
			err = table(elems)
			break
		}
		for _, e := range elems {
			_ = cw.Write([]string{jsonCell(e)})
		}
	default:
		if !json.Valid(doc) {
			return errors.New("-o csv: the data is not JSON")
		}
		_ = cw.Write([]string{jsonCell(doc)})
	}
	if err != nil {
		return fmt.Errorf("-o csv: %w", err)
	}
	cw.Flush()
	return cw.Error()
}

// jsonKind is the first byte of a JSON value: '{', '[', '"', 'n', ...
func jsonKind(v []byte) byte {
	v = bytes.TrimLeft(v, " \t\r\n")
	if len(v) == 0 {
		return 0
	}
	return v[0]
}

// jsonObject reads an object's keys in the document's order and its values.
func jsonObject(doc []byte) ([]string, map[string]json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, nil, fmt.Errorf("not a JSON object: %v", err)
	}
	var keys []string
	vals := map[string]json.RawMessage{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, err
		}
		k, _ := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, nil, err
		}
		if _, dup := vals[k]; !dup {
			keys = append(keys, k)
		}
		vals[k] = v
	}
	return keys, vals, nil
}

// jsonArray splits an array into its elements.
func jsonArray(doc []byte) ([]json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
		return nil, fmt.Errorf("not a JSON array: %v", err)
	}
	var out []json.RawMessage
	for dec.More() {
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// jsonCell is one JSON value as a CSV cell.
func jsonCell(v json.RawMessage) string {
	v = bytes.TrimSpace(v)
	switch jsonKind(v) {
	case '"':
		var s string
		if json.Unmarshal(v, &s) == nil {
			return s
		}
	case 'n':
		return ""
	case '{', '[':
		var buf bytes.Buffer
		if json.Compact(&buf, v) == nil {
			return buf.String()
		}
	}
	return string(v)
}

// ---- streams ----

// Stream prints items one at a time as they arrive, each written and flushed
// at once so nothing is lost if the process is killed:
//
//   - ndjson: one line each;
//   - json: one array, opened on the first Write or at Close and closed by
//     Close (`[]` when empty);
//   - yaml: each item its own document, separated by `---`;
//   - csv: a header (unless --no-headers) and one record each, with the
//     columns a piped table shows; without columns the keys of the first
//     item's JSON object;
//   - table in a pipe: tab-separated with a header, like List;
//   - table on a terminal: aligned columns of fixed widths, the widest of the
//     header and Column.Width (values longer than that push the line);
//   - --jq: the filter's results for each item, as with ndjson;
//   - --template: the template run on each item, plus a newline when its
//     output does not end with one.
//
// The header of csv and of a piped table comes with the first item, or at
// Close when there was none. Write and Close are safe for concurrent use.
type Stream[T any] struct {
	p      *Printer
	cols   []Column[T]
	widths []int // aligned table on a terminal

	mu     sync.Mutex
	n      int
	closed bool
	keys   []string // csv without columns: the first item's keys
}

// NewStream starts a stream of items shown with cols (the non-wide ones, or
// those of --columns).
func NewStream[T any](p *Printer, cols []Column[T]) *Stream[T] {
	s := &Stream[T]{p: p, cols: selected(p, cols, false)}
	if s.mode() == streamAligned {
		s.widths = make([]int, len(s.cols))
		for i, c := range s.cols {
			s.widths[i] = max(displayWidth(c.Header()), c.Width)
		}
	}
	return s
}

type streamMode int

const (
	streamJQ streamMode = iota
	streamTemplate
	streamNDJSON
	streamJSON
	streamYAML
	streamCSV
	streamTSV
	streamAligned
)

func (s *Stream[T]) mode() streamMode {
	p := s.p
	switch {
	case p.jq != nil:
		return streamJQ
	case p.tmpl != nil:
		return streamTemplate
	case p.format == NDJSON:
		return streamNDJSON
	case p.format == JSON:
		return streamJSON
	case p.format == YAML:
		return streamYAML
	case p.format == CSV:
		return streamCSV
	case len(s.cols) == 0:
		// A table with no columns has nothing to show but the data.
		return streamNDJSON
	case p.io.IsStdoutTTY():
		return streamAligned
	default:
		return streamTSV
	}
}

// Write prints one item.
func (s *Stream[T]) Write(item T) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errors.New("output: Write on a closed Stream")
	}
	var buf bytes.Buffer
	err := s.render(&buf, item)
	if buf.Len() == 0 {
		return err
	}
	// What a failing jq filter or template printed before failing shows.
	s.n++
	_, werr := s.p.io.Out.Write(buf.Bytes())
	if err == nil {
		err = werr
	}
	return err
}

// Close ends the stream: it closes a JSON array, or prints the header of an
// empty csv or piped table. Later calls do nothing.
func (s *Stream[T]) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	var out string
	switch s.mode() {
	case streamJSON:
		out = "\n]\n"
		if s.n == 0 {
			out = "[]\n"
		}
	case streamCSV, streamTSV:
		if s.n == 0 && !s.p.noHeaders && len(s.cols) > 0 {
			var buf bytes.Buffer
			s.header(&buf)
			out = buf.String()
		}
	}
	if out == "" {
		return nil
	}
	_, err := io.WriteString(s.p.io.Out, out)
	return err
}

// header writes the header row of a csv or table stream.
func (s *Stream[T]) header(buf *bytes.Buffer) {
	h := headers(s.cols)
	switch s.mode() {
	case streamCSV:
		// CSV is for programs: the header names the columns as --columns does.
		cw := csv.NewWriter(buf)
		_ = cw.Write(ColumnNames(s.cols))
		cw.Flush()
	case streamTSV:
		w := bufio.NewWriter(buf)
		writeTSV(w, h)
		_ = w.Flush()
	case streamAligned:
		s.alignedLine(buf, h)
	}
}

func (s *Stream[T]) render(buf *bytes.Buffer, item T) error {
	first := s.n == 0
	switch mode := s.mode(); mode {
	case streamJQ, streamTemplate, streamYAML:
		g, err := generic(item)
		if err != nil {
			return err
		}
		switch mode {
		case streamJQ:
			return s.p.runJQ(buf, g)
		case streamTemplate:
			if err := s.p.tmpl.Execute(buf, g); err != nil {
				return fmt.Errorf("--template: %w", err)
			}
			if buf.Len() > 0 && !bytes.HasSuffix(buf.Bytes(), []byte("\n")) {
				buf.WriteByte('\n')
			}
			return nil
		default:
			if !first {
				buf.WriteString("---\n")
			}
			enc := yaml.NewEncoder(buf)
			enc.SetIndent(2)
			if err := enc.Encode(yamlNumbers(g)); err != nil {
				return err
			}
			return enc.Close()
		}
	case streamNDJSON:
		b, err := marshalCompact(item)
		if err != nil {
			return err
		}
		buf.Write(b)
		buf.WriteByte('\n')
	case streamJSON:
		b, err := marshalIndent(item, "  ")
		if err != nil {
			return err
		}
		if first {
			buf.WriteString("[\n  ")
		} else {
			buf.WriteString(",\n  ")
		}
		buf.Write(b)
	case streamCSV:
		cw := csv.NewWriter(buf)
		if len(s.cols) > 0 {
			if first && !s.p.noHeaders {
				_ = cw.Write(ColumnNames(s.cols))
			}
			_ = cw.Write(plainRow(s.cols, item))
		} else {
			b, err := marshalCompact(item)
			if err != nil {
				return err
			}
			rec, err := s.genericRecord(cw, b, first)
			if err != nil {
				return err
			}
			_ = cw.Write(rec)
		}
		cw.Flush()
		return cw.Error()
	case streamTSV:
		if first && !s.p.noHeaders {
			s.header(buf)
		}
		w := bufio.NewWriter(buf)
		writeTSV(w, row(s.cols, item))
		return w.Flush()
	case streamAligned:
		if first && !s.p.noHeaders {
			s.header(buf)
		}
		s.alignedLine(buf, ttyRow(s.p, s.cols, item))
	}
	return nil
}

// genericRecord is the CSV record of an item without columns: the values of
// the first item's keys (written as the header first), or the one cell of a
// value that is not an object.
func (s *Stream[T]) genericRecord(cw *csv.Writer, doc []byte, first bool) ([]string, error) {
	if jsonKind(doc) != '{' {
		return []string{jsonCell(doc)}, nil
	}
	keys, vals, err := jsonObject(doc)
	if err != nil {
		return nil, fmt.Errorf("-o csv: %w", err)
	}
	if first {
		s.keys = keys
		if !s.p.noHeaders {
			_ = cw.Write(keys)
		}
	}
	rec := make([]string, len(s.keys))
	for i, k := range s.keys {
		if v, ok := vals[k]; ok {
			rec[i] = jsonCell(v)
		}
	}
	return rec, nil
}

// alignedLine writes cells padded to the stream's fixed widths, three
// spaces apart, with no trailing blanks.
func (s *Stream[T]) alignedLine(buf *bytes.Buffer, cells []string) {
	var line strings.Builder
	for i, c := range cells {
		c = strings.NewReplacer("\t", " ", "\n", " ", "\r", " ").Replace(c)
		line.WriteString(c)
		if i < len(cells)-1 {
			line.WriteString(strings.Repeat(" ", max(0, s.widths[i]-visibleWidth(c))+3))
		}
	}
	buf.WriteString(strings.TrimRight(line.String(), " "))
	buf.WriteByte('\n')
}

// displayWidth counts runes: close enough to terminal cells for the text
// these tables hold.
func displayWidth(s string) int { return utf8.RuneCountInString(s) }
