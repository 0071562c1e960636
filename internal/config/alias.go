package config

import (
	"fmt"
	"regexp"
	"sort"

	"github.com/connectctl/connectctl/internal/thirdparty/yaml"

	"github.com/connectctl/connectctl/internal/lazy"
)

// Aliases live in the config file under `aliases:`, one name to one
// expansion (a command line, without `connectctl`):
//
//	aliases:
//	  ou: order new --device-type ios --wait

// Alias is one alias: its name and expansion.
type Alias struct {
	Name      string `json:"name"`
	Expansion string `json:"expansion"`
}

var aliasName = lazy.Value[*regexp.Regexp]{New: func() *regexp.Regexp {
	return regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,62}$`)
}}

// CheckAliasName refuses names that are no command word: the file's keys are
// read case-insensitively, so names are lower case.
func CheckAliasName(name string) error {
	if !aliasName.Get().MatchString(name) {
		return fmt.Errorf("alias name %q: want lower-case letters, digits, '-' or '_' (at most 63, starting with a letter or digit)", name)
	}
	return nil
}

// aliasNode is the file's aliases mapping, or nil.
func (f *File) aliasNode() *yaml.Node {
	n := lookupPath(f.root(), []string{"aliases"})
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	return n
}

// Aliases lists the file's aliases, sorted by name. Entries that are not a
// string are left out.
func (f *File) Aliases() []Alias {
	n := f.aliasNode()
	if n == nil {
		return nil
	}
	var list []Alias
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if v.Kind == yaml.ScalarNode {
			list = append(list, Alias{Name: k.Value, Expansion: v.Value})
		}
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Name < list[j].Name })
	return list
}

// Alias returns the expansion of the alias name.
func (f *File) Alias(name string) (string, bool) {
	n := f.aliasNode()
	if n == nil {
		return "", false
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == name && n.Content[i+1].Kind == yaml.ScalarNode {
			return n.Content[i+1].Value, true
		}
	}
	return "", false
}

// SetAlias adds or changes an alias.
func (f *File) SetAlias(name, expansion string) {
	setPath(f.root(), []string{"aliases", name}, expansion)
}

// DeleteAlias removes an alias; it reports whether there was one. An
// emptied aliases mapping goes too.
func (f *File) DeleteAlias(name string) bool {
	ok := deletePath(f.root(), []string{"aliases", name})
	if n := f.aliasNode(); n != nil && len(n.Content) == 0 {
		deletePath(f.root(), []string{"aliases"})
	}
	return ok
}
