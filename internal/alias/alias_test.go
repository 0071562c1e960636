package alias

import (
	"errors"
	"reflect"
	"testing"
)

func TestSplit(t *testing.T) {
	tests := []struct {
		in   string
		want []string
		err  bool
	}{
		{"order new --device-type ios --wait", []string{"order", "new", "--device-type", "ios", "--wait"}, false},
		{"  sim   list\t--all ", []string{"sim", "list", "--all"}, false},
		{`sim list --jq 'select(.status == "Released") | .iccid'`, []string{"sim", "list", "--jq", `select(.status == "Released") | .iccid`}, false},
		{`order new --email "ana b@example.com"`, []string{"order", "new", "--email", "ana b@example.com"}, false},
		{`a "x\"y\\z\n"`, []string{"a", `x"y\z\n`}, false},
		{`a b\ c`, []string{"a", "b c"}, false},
		{`a ''`, []string{"a", ""}, false},
		{`a'b'"c"`, []string{"abc"}, false},
		{"", nil, false},
		{`a 'b`, nil, true},
		{`a "b`, nil, true},
	}
	for _, tt := range tests {
		got, err := Split(tt.in)
		if (err != nil) != tt.err || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Split(%q) = %q, %v; want %q (error %v)", tt.in, got, err, tt.want, tt.err)
		}
	}
}

func TestExpand(t *testing.T) {
	aliases := map[string]string{
		"ou":    "order new --device-type ios --wait",
		"order": "sim list", // a shadowing entry, hand-written: never used
		"bad":   "order 'new",
		"empty": " ",
		"self":  "self --x", // not expanded twice
	}
	l := Line{
		IsCommand: func(w string) bool { return w == "order" || w == "sim" || w == "help" },
		TakesValue: func(name string, short bool) bool {
			if short {
				return name == "p" || name == "o"
			}
			return name == "profile" || name == "output" || name == "config"
		},
		Lookup: func(name string) (string, bool, error) { e, ok := aliases[name]; return e, ok, nil },
	}
	tests := []struct {
		args  []string
		want  []string
		alias string
		err   bool
	}{
		{[]string{"ou", "--product", "X"}, []string{"order", "new", "--device-type", "ios", "--wait", "--product", "X"}, "ou", false},
		{[]string{"-p", "prod", "ou"}, []string{"-p", "prod", "order", "new", "--device-type", "ios", "--wait"}, "ou", false},
		{[]string{"--profile=prod", "-oj", "ou"}, []string{"--profile=prod", "-oj", "order", "new", "--device-type", "ios", "--wait"}, "ou", false},
		{[]string{"--debug", "-yp", "prod", "ou", "-o", "json"}, []string{"--debug", "-yp", "prod", "order", "new", "--device-type", "ios", "--wait", "-o", "json"}, "ou", false},
		{[]string{"--config", "ou", "sim"}, []string{"--config", "ou", "sim"}, "", false}, // "ou" is a flag value
		{[]string{"order", "list"}, []string{"order", "list"}, "", false},                 // built-in wins
		{[]string{"sim", "get", "ou"}, []string{"sim", "get", "ou"}, "", false},           // only the command word
		{[]string{"nope"}, []string{"nope"}, "", false},
		{[]string{"--", "ou"}, []string{"--", "ou"}, "", false},
		{[]string{}, []string{}, "", false},
		{[]string{"self", "a"}, []string{"self", "--x", "a"}, "self", false},
		{[]string{"bad"}, nil, "bad", true},
		{[]string{"empty"}, nil, "empty", true},
	}
	for _, tt := range tests {
		got, name, err := Expand(tt.args, l)
		if (err != nil) != tt.err || name != tt.alias || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Expand(%q) = %q, %q, %v; want %q, %q (error %v)", tt.args, got, name, err, tt.want, tt.alias, tt.err)
		}
	}
	l.Lookup = func(string) (string, bool, error) { return "", false, errors.New("broken config") }
	if _, _, err := Expand([]string{"ou"}, l); err == nil {
		t.Error("a lookup error was swallowed")
	}
}
