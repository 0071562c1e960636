// Package orderfile reads and checks the bulk order files of
// `connectctl order new --from-file FILE` and `connectctl order topup
// --from-file FILE`: a CSV file with a header row, or JSON Lines, naming the
// command's flags, one order per row (a new eSIM, or a top-up of one). Every row
// is read and checked before the first request, so a typo in row 300 costs
// nothing, and every problem is reported with the line of the file it is on.
package orderfile

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Columns are the names a new-order file may use: the `order new` flag names.
var Columns = []string{"product", "email", "country", "device-type", "device-id", "device-model", "device-make", "eid",
	"first-name", "last-name", "residence", "activation-date", "price", "currency",
	// The 2024 edition's (SubscriberColumns).
	"subscriber-id", "address-line1", "address-line2", "city", "postal-code", "state", "address-country", "purchase-location"}

// TopUpColumns are the names a top-up file may use: the SIM's ICCID and the
// `order topup` plan flags.
var TopUpColumns = []string{"iccid", "product", "activation-date", "price", "currency"}

// Kind is what the rows of a file order.
type Kind int

const (
	NewESIM Kind = iota // one new eSIM per row (Columns)
	TopUp               // plans added to an existing eSIM per row (TopUpColumns)
)

func (k Kind) columns() []string {
	if k == TopUp {
		return TopUpColumns
	}
	return Columns
}

func (k Kind) columnList() string { return strings.Join(k.columns(), ", ") }

// Row is one order of the file, as written (values trimmed, empty cells omitted).
type Row struct {
	Number   int               // 1-based data row (the header is not a row)
	Line     int               // line of the file where the row starts (1-based; CSV quoted fields may span lines)
	Fields   map[string]string // canonical column -> value, for every column but product
	Products []string          // every product id of the row, in order
}

// RowError is a problem with one row (Row/Line 0 and Field "" when it
// concerns the whole file). Read's fatal errors are RowErrors too; those
// about one place of the file (a header, an oversized field) carry its Line.
type RowError struct {
	Row   int
	Line  int
	Field string // canonical column, or ""
	Msg   string
}

// Error reads `line 7: email "ana@": ...`: the field, then Msg.
func (e RowError) Error() string {
	var b strings.Builder
	if e.Line > 0 {
		fmt.Fprintf(&b, "line %d: ", e.Line)
	}
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteByte(' ')
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Limits: a spreadsheet of orders is far below them; anything beyond is a
// wrong file, refused before it costs memory or time.
const (
	maxRows  = 100_000
	maxField = 4 << 10
	maxLine  = 64 << 10
	maxSize  = 64 << 20
)

var bom = []byte("\ufeff")

// aliases map other spellings (after lower-casing, trimming and '_' -> '-')
// to the canonical column: the API's camelCase names and plural/id forms.
var aliases = map[string]string{
	"products":             "product",
	"product-id":           "product",
	"product-ids":          "product",
	"productid":            "product",
	"productids":           "product",
	"countrycode":          "country",
	"country-code":         "country",
	"devicetype":           "device-type",
	"deviceid":             "device-id",
	"devicemodel":          "device-model",
	"devicemake":           "device-make",
	"firstname":            "first-name",
	"lastname":             "last-name",
	"countryofresidence":   "residence",
	"country-of-residence": "residence",
	"activationdate":       "activation-date",
	"esim-iccid":           "iccid",
	"subscriberid":         "subscriber-id",
	"line1":                "address-line1",
	"line2":                "address-line2",
	"addressline1":         "address-line1",
	"addressline2":         "address-line2",
	"postalcode":           "postal-code",
	"province":             "state",
	"addresscountry":       "address-country",
	"purchaselocation":     "purchase-location",
}

// canonical maps a header or key name to its column among cols.
func canonical(name string, cols []string) (string, bool) {
	k := strings.ReplaceAll(strings.ToLower(strings.TrimSpace(name)), "_", "-")
	if slices.Contains(cols, k) {
		return k, true
	}
	c, ok := aliases[k]
	return c, ok && slices.Contains(cols, c)
}

// splitProducts splits a product cell. Ids are base64 (= + / - _ *), so
// white space, ';' and ',' can only be separators.
func splitProducts(v string) []string {
	return strings.FieldsFunc(v, func(r rune) bool { return unicode.IsSpace(r) || r == ';' || r == ',' })
}

// quote shows a value in a message: quoted (so control characters are
// visible) and cut short, as a cell may hold 4 KiB.
func quote(v string) string {
	const max = 64
	if len(v) > max {
		cut := max
		for cut > 0 && !utf8.RuneStart(v[cut]) {
			cut--
		}
		return fmt.Sprintf("%q...", v[:cut])
	}
	return fmt.Sprintf("%q", v)
}

func isBlank(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'
}

// Read parses the file. Format: JSON Lines when the first non-blank byte
// (after an optional UTF-8 BOM, which Excel writes) is '{', else CSV. It
// returns the rows that parsed, the rows that did not (bad, with line
// numbers: a JSON syntax error, a CSV row with the wrong number of fields, an
// unknown JSONL key, a non-string value), and a fatal error when the file
// cannot be taken at all: empty, no header or no rows, an unknown or repeated
// CSV column (product excepted), an unclosed CSV quote, or too large (more
// than 100,000 rows, a field over 4 KiB, a line over 64 KiB, more than 64 MiB
// in all). Missing or invalid values are Check's job. With err != nil, rows
// and bad are nil.
func Read(r io.Reader) (rows []Row, bad []RowError, err error) { return ReadKind(r, NewESIM) }

// ReadTopUps is Read for a top-up file: its columns are TopUpColumns.
func ReadTopUps(r io.Reader) (rows []Row, bad []RowError, err error) { return ReadKind(r, TopUp) }

// ReadKind is Read for a file of the given kind.
func ReadKind(r io.Reader, kind Kind) (rows []Row, bad []RowError, err error) {
	data, err := io.ReadAll(io.LimitReader(r, maxSize+1))
	if err != nil {
		return nil, nil, err
	}
	if len(data) > maxSize {
		return nil, nil, RowError{Msg: "the file is larger than 64 MiB: split it"}
	}
	data = bytes.TrimPrefix(data, bom)
	if err := checkLines(data); err != nil {
		return nil, nil, err
	}
	i := 0
	for i < len(data) && isBlank(data[i]) {
		i++
	}
	rd := reader{kind: kind}
	switch {
	case i == len(data):
		return nil, nil, RowError{Msg: "the file is empty: want a CSV header row naming the columns (" + kind.columnList() + ") or JSON Lines"}
	case data[i] == '{':
		err = rd.jsonl(data)
	case data[i] == '[':
		return nil, nil, RowError{Msg: "the file is a JSON array: want JSON Lines (one object per line) or CSV"}
	default:
		err = rd.csv(data)
	}
	if err == nil && rd.n == 0 {
		err = RowError{Msg: "the file holds no orders: no data row"}
	}
	if err != nil {
		return nil, nil, err
	}
	return rd.rows, rd.bad, nil
}

// checkLines refuses a line over maxLine: no order needs one, and CSV or
// JSON would otherwise take it whole.
func checkLines(data []byte) error {
	for line := 1; len(data) > 0; line++ {
		n := bytes.IndexByte(data, '\n')
		if n < 0 {
			n = len(data)
		}
		if l := len(bytes.TrimSuffix(data[:n], []byte("\r"))); l > maxLine {
			return RowError{Line: line, Msg: fmt.Sprintf("the line is %d bytes long, at most 64 KiB allowed", l)}
		}
		data = data[min(n+1, len(data)):]
	}
	return nil
}

// reader collects rows and bad rows and numbers them.
type reader struct {
	kind Kind
	rows []Row
	bad  []RowError
	n    int // data rows so far, good and bad
}

// next numbers a new data row.
func (rd *reader) next() (int, error) {
	rd.n++
	if rd.n > maxRows {
		return 0, RowError{Msg: "the file has more than 100000 rows: split it"}
	}
	return rd.n, nil
}

func tooLong(line int, col, v string) error {
	if len(v) <= maxField {
		return nil
	}
	return RowError{Line: line, Field: col, Msg: fmt.Sprintf("value of %d bytes, at most 4 KiB allowed", len(v))}
}

// csvRecord is one record with the line each field starts on, taken at once
// because a look-ahead Read moves csv.Reader.FieldPos on.
type csvRecord struct {
	fields []string
	lines  []int
	err    error
}

func readRecord(cr *csv.Reader) csvRecord {
	rec, err := cr.Read()
	if err != nil {
		return csvRecord{err: err}
	}
	lines := make([]int, len(rec))
	for i := range rec {
		lines[i], _ = cr.FieldPos(i)
	}
	return csvRecord{fields: rec, lines: lines}
}

func allEmpty(rec []string) bool {
	for _, v := range rec {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}

func (rd *reader) csv(data []byte) error {
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1 // counted here, so a bad row is reported, not fatal
	cr.TrimLeadingSpace = true
	var pending *csvRecord
	read := func() csvRecord {
		if pending != nil {
			r := *pending
			pending = nil
			return r
		}
		return readRecord(cr)
	}

	// The header is the first record with a name in it.
	var header csvRecord
	for {
		header = read()
		if header.err == io.EOF {
			return RowError{Msg: "the file has no header row: the first line must name the columns (" + rd.kind.columnList() + ")"}
		}
		if header.err != nil {
			return csvFatal(header.err, "the header")
		}
		if !allEmpty(header.fields) {
			break
		}
	}
	hline := header.lines[0]
	cols := make([]string, len(header.fields)) // "" for an unnamed column
	seen := map[string]string{}
	for i, h := range header.fields {
		if err := tooLong(hline, "", h); err != nil {
			return err
		}
		name := strings.TrimSpace(h)
		if name == "" {
			continue // spreadsheets add unnamed empty columns; their cells must stay empty
		}
		c, ok := canonical(name, rd.kind.columns())
		if !ok {
			msg := fmt.Sprintf("unknown column %s: the header names the columns, each one of %s", quote(name), rd.kind.columnList())
			if strings.ContainsAny(name, ";\t") {
				msg += " (are the columns separated by ';' or tabs? save the file as CSV with ',')"
			}
			return RowError{Line: hline, Msg: msg}
		}
		if prev, dup := seen[c]; dup && c != "product" {
			return RowError{Line: hline, Msg: fmt.Sprintf("column %s repeats column %s (%s): name each column once", quote(name), quote(prev), c)}
		}
		seen[c] = name
		cols[i] = c
	}

	for {
		rec := read()
		if rec.err == io.EOF {
			return nil
		}
		if rec.err != nil {
			var pe *csv.ParseError
			if !errors.As(rec.err, &pe) {
				return rec.err
			}
			// A quote never closed takes the rest of the file with it:
			// nothing after it can be trusted.
			if pe.Err == csv.ErrQuote {
				nxt := readRecord(cr)
				if nxt.err == io.EOF && pe.Line > pe.StartLine {
					return RowError{Line: pe.StartLine, Msg: "a quoted field is never closed, so the rest of the file cannot be read"}
				}
				pending = &nxt
			}
			num, err := rd.next()
			if err != nil {
				return err
			}
			rd.bad = append(rd.bad, RowError{Row: num, Line: pe.StartLine, Msg: "not valid CSV: " + csvReason(pe)})
			continue
		}
		if allEmpty(rec.fields) {
			continue
		}
		line := rec.lines[0]
		for i, v := range rec.fields {
			c := ""
			if i < len(cols) {
				c = cols[i]
			}
			if err := tooLong(rec.lines[i], c, v); err != nil {
				return err
			}
		}
		num, err := rd.next()
		if err != nil {
			return err
		}
		if len(rec.fields) != len(cols) {
			rd.bad = append(rd.bad, RowError{Row: num, Line: line,
				Msg: fmt.Sprintf("the row has %d fields, the header %d", len(rec.fields), len(cols))})
			continue
		}
		row := Row{Number: num, Line: line, Fields: map[string]string{}}
		ok := true
		for i, v := range rec.fields {
			v = strings.TrimSpace(v)
			switch {
			case v == "":
			case cols[i] == "":
				rd.bad = append(rd.bad, RowError{Row: num, Line: line,
					Msg: fmt.Sprintf("column %d has no name in the header but holds %s", i+1, quote(v))})
				ok = false
			case cols[i] == "product":
				row.Products = append(row.Products, splitProducts(v)...)
			default:
				row.Fields[cols[i]] = v
			}
		}
		if ok {
			rd.rows = append(rd.rows, row)
		}
	}
}

func csvReason(pe *csv.ParseError) string {
	switch pe.Err {
	case csv.ErrBareQuote:
		return fmt.Sprintf("a '\"' inside an unquoted field (line %d, column %d): quote the field and double the '\"'", pe.Line, pe.Column)
	case csv.ErrQuote:
		return fmt.Sprintf("a stray or missing '\"' in a quoted field (line %d, column %d)", pe.Line, pe.Column)
	}
	return pe.Err.Error()
}

func csvFatal(err error, what string) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return RowError{Line: pe.StartLine, Msg: what + " is not valid CSV: " + csvReason(pe)}
	}
	return err
}

func (rd *reader) jsonl(data []byte) error {
	line := 0
	for len(data) > 0 {
		line++
		n := bytes.IndexByte(data, '\n')
		if n < 0 {
			n = len(data)
		}
		text := bytes.TrimSpace(data[:n])
		data = data[min(n+1, len(data)):]
		if len(text) == 0 {
			continue
		}
		row, problems, err := parseObject(text, line, rd.kind)
		if err != nil {
			return err
		}
		if len(problems) == 0 && len(row.Fields) == 0 && len(row.Products) == 0 {
			continue // every value empty or null, like an empty CSV row
		}
		num, err := rd.next()
		if err != nil {
			return err
		}
		if len(problems) > 0 {
			for _, p := range problems {
				p.Row = num
				rd.bad = append(rd.bad, p)
			}
			continue
		}
		row.Number = num
		rd.rows = append(rd.rows, row)
	}
	return nil
}

// parseObject reads one JSON Lines object token by token, to keep the key
// order, see repeated keys and tell a number (kept as written) from a string.
// It returns the row's problems, or a fatal error for an oversized value.
func parseObject(text []byte, line int, kind Kind) (Row, []RowError, error) {
	row := Row{Line: line, Fields: map[string]string{}}
	bad := func(field, msg string) []RowError { return []RowError{{Line: line, Field: field, Msg: msg}} }
	if !utf8.Valid(text) {
		return row, bad("", "not valid UTF-8: save the file as UTF-8"), nil
	}
	syntax := func(err error) []RowError {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return bad("", fmt.Sprintf("not valid JSON (column %d): %v", se.Offset, err))
		}
		if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
			return bad("", "not valid JSON: the object is not closed on its line (JSON Lines: one object per line)")
		}
		return bad("", "not valid JSON: "+err.Error())
	}
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return row, syntax(err), nil
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return row, bad("", "not a JSON object: JSON Lines want one {...} per line"), nil
	}
	var problems []RowError
	seen := map[string]string{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return row, syntax(err), nil
		}
		key, _ := tok.(string) // a key is always a string inside an object
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return row, syntax(err), nil
		}
		c, ok := canonical(key, kind.columns())
		if !ok {
			problems = append(problems, RowError{Line: line, Msg: fmt.Sprintf("unknown key %s: the keys are %s", quote(key), kind.columnList())})
			continue
		}
		if prev, dup := seen[c]; dup && c != "product" {
			problems = append(problems, RowError{Line: line, Field: c, Msg: fmt.Sprintf("key %s repeats %s: give each key once", quote(key), quote(prev))})
			continue
		}
		seen[c] = key
		vals, msg := jsonValues(raw, c == "product")
		if msg != "" {
			problems = append(problems, RowError{Line: line, Field: c, Msg: msg})
			continue
		}
		for _, v := range vals {
			if err := tooLong(line, c, v); err != nil {
				return row, nil, err
			}
			if v = strings.TrimSpace(v); v == "" {
				continue
			}
			if c == "product" {
				row.Products = append(row.Products, splitProducts(v)...)
			} else {
				row.Fields[c] = v
			}
		}
	}
	if _, err := dec.Token(); err != nil { // the closing '}'
		return row, syntax(err), nil
	}
	if _, err := dec.Token(); err != io.EOF {
		return row, bad("", "text after the object: JSON Lines want one object per line"), nil
	}
	return row, problems, nil
}

// jsonValues turns a JSON value into cell text: a string, a number as
// written (10.99 stays "10.99"), null as nothing, and for product also an
// array of those. Anything else is a problem, returned as a message.
func jsonValues(raw json.RawMessage, list bool) ([]string, string) {
	kind := func(b byte) string {
		switch b {
		case '{':
			return "an object"
		case '[':
			return "an array"
		case 't', 'f':
			return "a boolean"
		}
		return "a JSON value"
	}
	scalar := func(raw json.RawMessage) (string, bool) {
		switch b := raw[0]; {
		case b == 'n':
			return "", true
		case b == '"':
			var s string
			err := json.Unmarshal(raw, &s)
			return s, err == nil
		case b == '-' || b >= '0' && b <= '9':
			return string(raw), true
		}
		return "", false
	}
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return nil, "is empty"
	}
	if s, ok := scalar(raw); ok {
		return []string{s}, ""
	}
	if raw[0] != '[' || !list {
		return nil, fmt.Sprintf("is %s %s, want a string", kind(raw[0]), quote(string(raw))) // quote cuts it short
	}
	var elems []json.RawMessage
	if err := json.Unmarshal(raw, &elems); err != nil {
		return nil, "is not a valid JSON array"
	}
	out := make([]string, 0, len(elems))
	for _, e := range elems {
		e = bytes.TrimSpace(e)
		s, ok := scalar(e)
		if !ok {
			return nil, fmt.Sprintf("array holds %s %s, want strings (product ids)", kind(e[0]), quote(string(e)))
		}
		out = append(out, s)
	}
	return out, ""
}
