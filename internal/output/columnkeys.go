package output

import (
	"encoding/json"
	"fmt"
	"sort"
)

// MissingJSONKeys returns the columns of cols whose name is not a JSON key
// of sample as -o json prints it: neither a key at some depth (ICCID of an
// order is output.iccid) nor a dotted path (defaults.country). Derived
// columns are left out. Tests of every command call it with a sample whose
// optional fields are all set, so that a column's name and the JSON key it
// shows cannot drift apart (a STATE column over a "status" key).
func MissingJSONKeys[T any](cols []Column[T], sample T) []string {
	b, err := json.Marshal(sample)
	if err != nil {
		return []string{fmt.Sprintf("marshal sample: %v", err)}
	}
	var data any
	if err := json.Unmarshal(b, &data); err != nil {
		return []string{fmt.Sprintf("unmarshal sample: %v", err)}
	}
	keys := map[string]bool{}
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, child := range x {
				keys[k] = true
				path := k
				if prefix != "" {
					path = prefix + "." + k
				}
				keys[path] = true
				walk(path, child)
			}
		case []any:
			for _, child := range x {
				walk(prefix, child)
			}
		}
	}
	walk("", data)
	var missing []string
	for _, c := range cols {
		if !c.Derived && !keys[c.Name] {
			missing = append(missing, c.Name)
		}
	}
	sort.Strings(missing)
	return missing
}
