package api

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"regexp"
	"strings"

	"github.com/connectctl/connectctl/internal/lazy"
)

// field is one -f or -F parameter, parsed and with any @file read.
type field struct {
	flag  string // "-f" or "-F", for messages
	arg   string // as given, for messages
	key   string // as given: "input[customer][email]"
	path  []string
	value any    // string, bool, nil or json.Number
	text  string // the value as query text
}

// jsonNumber is the JSON number grammar: -F turns such values into numbers.
var jsonNumber = lazy.Value[*regexp.Regexp]{New: func() *regexp.Regexp { return regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$`) }}

// fieldReader reads the files behind -F key=@file; stdin (@-) at most once.
type fieldReader struct {
	stdin     io.Reader
	stdinUsed string // the argument that already read stdin
	readFile  func(string) ([]byte, error)
}

// fieldArg is one -f or -F argument as given.
type fieldArg struct {
	typed bool
	arg   string
}

// fieldFlag is the pflag.Value of -f or -F. Both append to one list, so
// fields keep their command-line order (items[][a]=1 -F items[][b]=2).
type fieldFlag struct {
	list  *[]fieldArg
	typed bool
}

func (f *fieldFlag) String() string { return "" }
func (f *fieldFlag) Type() string   { return "key=value" }
func (f *fieldFlag) Set(v string) error {
	*f.list = append(*f.list, fieldArg{typed: f.typed, arg: v})
	return nil
}

// parseFields parses the -f (raw) and -F (typed) arguments in the order
// given. Every error names the flag, the argument and what is expected.
func parseFields(args []fieldArg, r *fieldReader) ([]field, error) {
	var out []field
	for _, a := range args {
		flag := "-f"
		if a.typed {
			flag = "-F"
		}
		f, err := parseField(flag, a.arg, a.typed, r)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}

func parseField(flag, arg string, typed bool, r *fieldReader) (field, error) {
	key, val, ok := strings.Cut(arg, "=")
	if !ok {
		return field{}, fmt.Errorf("%s %q: want key=value, e.g. %s email=ana@example.com", flag, arg, flag)
	}
	path, err := parseKey(key)
	if err != nil {
		return field{}, fmt.Errorf("%s %q: %v", flag, arg, err)
	}
	f := field{flag: flag, arg: arg, key: key, path: path, value: val, text: val}
	if !typed {
		return f, nil
	}
	switch {
	case val == "true":
		f.value = true
	case val == "false":
		f.value = false
	case val == "null":
		f.value, f.text = nil, ""
	case jsonNumber.Get().MatchString(val):
		f.value = json.Number(val)
	case strings.HasPrefix(val, "@"):
		name := val[1:]
		var b []byte
		if name == "" {
			return field{}, fmt.Errorf("%s %q: want a file name after @ (@- reads stdin)", flag, arg)
		}
		if name == "-" {
			if r.stdinUsed != "" {
				return field{}, fmt.Errorf("%s %q: standard input is already read by %s; only one value can come from it", flag, arg, r.stdinUsed)
			}
			r.stdinUsed = flag + " " + arg
			if b, err = io.ReadAll(r.stdin); err != nil {
				return field{}, fmt.Errorf("%s %q: reading standard input: %v", flag, arg, err)
			}
		} else {
			readFile := r.readFile
			if readFile == nil {
				readFile = os.ReadFile
			}
			if b, err = readFile(name); err != nil {
				return field{}, fmt.Errorf("%s %q: cannot read the file: %v", flag, arg, err)
			}
		}
		f.value, f.text = string(b), string(b)
	}
	return f, nil
}

// parseKey splits a key in gh's bracket syntax: "input[customer][email]" is
// ["input", "customer", "email"]; an empty segment ("items[]") appends to an
// array.
func parseKey(key string) ([]string, error) {
	const want = "nested keys look like input[customer][email], arrays like items[]"
	if key == "" {
		return nil, fmt.Errorf("empty key: want key=value")
	}
	i := strings.IndexAny(key, "[]")
	if i < 0 {
		return []string{key}, nil
	}
	if i == 0 {
		return nil, fmt.Errorf("key %q starts with a bracket; %s", key, want)
	}
	path := []string{key[:i]}
	rest := key[i:]
	for rest != "" {
		if rest[0] != '[' {
			return nil, fmt.Errorf("key %q: unexpected %q after a bracket; %s", key, rest, want)
		}
		end := strings.IndexByte(rest, ']')
		if end < 0 {
			return nil, fmt.Errorf("key %q: unclosed bracket; %s", key, want)
		}
		seg := rest[1:end]
		if strings.ContainsAny(seg, "[") {
			return nil, fmt.Errorf("key %q: nested bracket; %s", key, want)
		}
		if seg == "" && len(path) > 0 && path[len(path)-1] == "" {
			return nil, fmt.Errorf("key %q: arrays of arrays are not supported; %s", key, want)
		}
		path = append(path, seg)
		rest = rest[end+1:]
	}
	return path, nil
}

// bodyObject builds the JSON body of the fields: nested keys become nested
// objects, "[]" segments arrays. items[][name]=a items[][name]=b makes two
// objects; items[][name]=a items[][qty]=1 one (as gh does).
func bodyObject(fields []field) (map[string]any, error) {
	root := map[string]any{}
	for _, f := range fields {
		if err := insert(root, f.path, f.value); err != nil {
			return nil, fmt.Errorf("%s %q: %v", f.flag, f.arg, err)
		}
	}
	return root, nil
}

func insert(m map[string]any, path []string, v any) error {
	key := path[0]
	existing, present := m[key]
	if len(path) == 1 {
		if present && isContainer(existing) {
			return fmt.Errorf("key %q is already an object or array; it cannot also hold a value", key)
		}
		m[key] = v
		return nil
	}
	if path[1] == "" { // an array
		var arr []any
		switch ex := existing.(type) {
		case nil:
		case []any:
			arr = ex
		default:
			return fmt.Errorf("key %q already holds a value; it cannot also be an array", key)
		}
		if len(path) == 2 {
			m[key] = append(arr, v)
			return nil
		}
		var obj map[string]any
		if n := len(arr); n > 0 {
			if last, ok := arr[n-1].(map[string]any); ok && !hasPath(last, path[2:]) {
				obj = last
			}
		}
		if obj == nil {
			obj = map[string]any{}
			arr = append(arr, obj)
		}
		m[key] = arr
		return insert(obj, path[2:], v)
	}
	var sub map[string]any
	switch ex := existing.(type) {
	case nil:
		sub = map[string]any{}
		m[key] = sub
	case map[string]any:
		sub = ex
	default:
		return fmt.Errorf("key %q already holds a value or array; it cannot also be an object", key)
	}
	return insert(sub, path[1:], v)
}

// hasPath reports whether setting path in m would overwrite a value there.
func hasPath(m map[string]any, path []string) bool {
	v, ok := m[path[0]]
	if !ok {
		return false
	}
	if len(path) == 1 {
		return true
	}
	if path[1] == "" {
		return false // appending never overwrites
	}
	sub, ok := v.(map[string]any)
	return ok && hasPath(sub, path[1:])
}

func isContainer(v any) bool {
	switch v.(type) {
	case map[string]any, []any:
		return true
	}
	return false
}

// queryValues turns the fields into query parameters, keys as given
// (ids[]=a&ids[]=b), values as text.
func queryValues(fields []field) url.Values {
	q := url.Values{}
	for _, f := range fields {
		q.Add(f.key, f.text)
	}
	return q
}
