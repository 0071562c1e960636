package config

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/connectctl/connectctl/internal/thirdparty/yaml"

	"github.com/connectctl/connectctl/internal/lazy"
)

// Env reads environment variables; os.Getenv in the binary.
type Env func(string) string

// File is the config file, read and edited as a YAML node tree so that a
// write keeps the user's unknown keys, order and comments. Keys compare
// without case. (viper read it once; its dependencies cost every start-up
// about 600 allocations in package init: issue 13.)
type File struct {
	Path     string
	Exists   bool
	Warnings []string

	doc *yaml.Node // document node
}

// Keys of a profile in the config file, as `profile set` accepts them.
var ProfileKeys = []string{"base-url", "token-url", "client-id", "api-edition",
	"defaults.country", "defaults.device-type", "defaults.currency", "defaults.output"}

// secretKeys are never read from nor written to the config file.
var secretKeys = []string{"client-secret", "client_secret", "secret", "password", "access-token", "token"}

// Compiled on first use: the {0,62} repetition costs ~700 allocations,
// which every start-up would pay in package init.
var profileName = lazy.Value[*regexp.Regexp]{New: func() *regexp.Regexp {
	return regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,62}$`)
}}

// CheckProfileName refuses names that would not survive the config file's
// case-insensitive keys or a file name.
func CheckProfileName(name string) error {
	if !profileName.Get().MatchString(name) {
		return fmt.Errorf("profile name %q: want lower-case letters, digits, '-' or '_' (at most 63, starting with a letter or digit)", name)
	}
	return nil
}

// DefaultDir is $XDG_CONFIG_HOME/connectctl (os.UserConfigDir elsewhere).
func DefaultDir() (string, error) {
	d, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("no config directory: %w (set --config or %s)", err, EnvConfig)
	}
	return filepath.Join(d, "connectctl"), nil
}

// PathFor returns the config file to use: flagOrEnv (the --config value,
// already overridden by CONNECTCTL_CONFIG when the flag was not given), else
// the default.
func PathFor(flagOrEnv string) (string, error) {
	if flagOrEnv != "" {
		return flagOrEnv, nil
	}
	d, err := DefaultDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(d, "config.yaml"), nil
}

// Empty returns a File with nothing in it, to be written at path.
func Empty(path string) *File {
	f := &File{Path: path}
	f.doc = &yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{{Kind: yaml.MappingNode, Tag: "!!map"}}}
	return f
}

// Load reads the config file at path; a missing file is an empty config.
func Load(path string) (*File, error) {
	f := Empty(path)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return f, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read config %s: %w", path, err)
	}
	f.Exists = true
	if len(bytes.TrimSpace(data)) == 0 {
		return f, nil
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("config %s: %v", path, err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("config %s: want a YAML mapping at the top", path)
	}
	f.doc = &doc
	if n := lookupPath(f.root(), []string{"profiles"}); n != nil && n.Kind != yaml.MappingNode && !isNull(n) {
		return nil, fmt.Errorf("config %s: profiles: want a mapping of profile names", path)
	}
	if n := lookupPath(f.root(), []string{"aliases"}); n != nil && n.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("config %s: aliases: want a mapping of alias names to command lines", path)
	}
	for _, name := range f.fileNames() {
		for _, k := range secretKeys {
			if lookupPath(f.root(), []string{"profiles", name, k}) != nil {
				f.Warnings = append(f.Warnings, fmt.Sprintf("config %s: profile %q has a %q key; it is ignored: secrets belong in the keyring (`connectctl auth login`) or %s — remove it from the file",
					path, name, k, EnvClientSecret))
			}
		}
	}
	return f, nil
}

// CurrentProfile is the file's current-profile, or "".
func (f *File) CurrentProfile() string { v, _ := f.scalar("current-profile"); return v }

// scalar returns the value at path and whether the file sets it (a null
// value does not).
func (f *File) scalar(path ...string) (string, bool) {
	n := lookupPath(f.root(), path)
	if n == nil || n.Kind != yaml.ScalarNode || isNull(n) {
		return "", false
	}
	return n.Value, true
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" }

// fileNames lists the profiles the file has an entry for.
func (f *File) fileNames() []string {
	m := lookupPath(f.root(), []string{"profiles"})
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	names := make([]string, 0, len(m.Content)/2)
	for i := 0; i+1 < len(m.Content); i += 2 {
		names = append(names, strings.ToLower(m.Content[i].Value))
	}
	sort.Strings(names)
	return names
}

// Names lists every profile: built-in and from the file, sorted.
func (f *File) Names() []string {
	set := map[string]bool{}
	for n := range builtIn {
		set[n] = true
	}
	for _, n := range f.fileNames() {
		set[n] = true
	}
	names := make([]string, 0, len(set))
	for n := range set {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Profile returns the profile called name: its built-in values overridden by
// the file's. No environment override is applied here (see Resolve).
func (f *File) Profile(name string) (Profile, bool) {
	p, isBuiltIn := builtIn[name]
	p.Name = name
	inFile := lookupPath(f.root(), []string{"profiles", name}) != nil
	if !isBuiltIn && !inFile {
		return Profile{}, false
	}
	p.InFile = inFile
	get := func(k string, into *string) {
		if v, ok := f.Get(name, k); ok {
			*into = v
		}
	}
	get("base-url", &p.BaseURL)
	get("token-url", &p.TokenURL)
	get("client-id", &p.ClientID)
	get("api-edition", &p.APIEdition)
	get("defaults.country", &p.Defaults.Country)
	get("defaults.device-type", &p.Defaults.DeviceType)
	get("defaults.currency", &p.Defaults.Currency)
	get("defaults.output", &p.Defaults.Output)
	p.BaseURL = strings.TrimRight(p.BaseURL, "/")
	return p, true
}

// Get returns a profile key (one of ProfileKeys) as the file holds it.
func (f *File) Get(name, key string) (string, bool) {
	return f.scalar(append([]string{"profiles", name}, strings.Split(key, ".")...)...)
}

// IsSecretKey reports whether key names a secret that never goes in the file.
func IsSecretKey(key string) bool {
	last := key[strings.LastIndex(key, ".")+1:]
	for _, k := range secretKeys {
		if strings.EqualFold(last, k) {
			return true
		}
	}
	return strings.Contains(strings.ToLower(key), "secret")
}

// SetCurrentProfile records the profile commands use by default.
func (f *File) SetCurrentProfile(name string) {
	setPath(f.root(), []string{"current-profile"}, name)
}

// UnsetCurrentProfile forgets current-profile (the default is sandbox again).
func (f *File) UnsetCurrentProfile() {
	deletePath(f.root(), []string{"current-profile"})
}

// SetProfileKey sets or, with an empty value, removes a key of a profile.
// Secrets are refused.
func (f *File) SetProfileKey(name, key, value string) error {
	if IsSecretKey(key) {
		return fmt.Errorf("%q: secrets never go in the config file; use `connectctl auth login` (keyring) or %s", key, EnvClientSecret)
	}
	path := append([]string{"profiles", name}, strings.Split(key, ".")...)
	if value == "" {
		deletePath(f.root(), path)
		// An emptied defaults mapping goes too; the profile entry stays.
		if len(path) > 3 {
			if n := lookupPath(f.root(), path[:3]); n != nil && n.Kind == yaml.MappingNode && len(n.Content) == 0 {
				deletePath(f.root(), path[:3])
			}
		}
	} else {
		setPath(f.root(), path, value)
	}
	return nil
}

// AddProfile creates an entry for name in the file.
func (f *File) AddProfile(name string, values map[string]string) error {
	setPath(f.root(), []string{"profiles", name}, nil)
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if values[k] == "" {
			continue
		}
		if err := f.SetProfileKey(name, k, values[k]); err != nil {
			return err
		}
	}
	return nil
}

// RemoveProfile deletes the file's entry for name; it reports whether there
// was one.
func (f *File) RemoveProfile(name string) bool {
	ok := deletePath(f.root(), []string{"profiles", name})
	return ok
}

func (f *File) root() *yaml.Node { return f.doc.Content[0] }

func (f *File) marshal() ([]byte, error) {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(f.doc); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// Save writes the file atomically (a temporary file renamed over it), mode
// 0600, in a directory it creates with mode 0700. A symlinked config file is
// written through to its target.
func (f *File) Save() error {
	if f.Path == "" {
		return errors.New("config: no file path")
	}
	data, err := f.marshal()
	if err != nil {
		return err
	}
	target := f.Path
	if t, err := filepath.EvalSymlinks(f.Path); err == nil {
		target = t
	}
	def, _ := PathFor("")
	if err := WriteFileAtomic(target, data, target == def); err != nil {
		return fmt.Errorf("write config: %w", err)
	}
	f.Exists = true
	return nil
}

// WriteFileAtomic writes data to path with mode 0600 through a temporary file
// in the same directory, renamed into place, so a reader never sees half a
// file. A missing directory is created with mode 0700; with tighten set an
// existing one is brought to 0700 too.
func WriteFileAtomic(path string, data []byte, tighten bool) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	if tighten {
		if err := os.Chmod(dir, 0o700); err != nil {
			return err
		}
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	name := tmp.Name()
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(name)
		}
	}()
	if err := tmp.Chmod(0o600); err != nil {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(name, path); err != nil {
		return err
	}
	ok = true
	return nil
}

// --- YAML node editing ---

// lookupPath returns the node at path under a mapping, or nil.
func lookupPath(m *yaml.Node, path []string) *yaml.Node {
	n := m
	for _, k := range path {
		if n == nil || n.Kind != yaml.MappingNode {
			return nil
		}
		_, n = mapGet(n, k)
		if n != nil && n.Kind == yaml.AliasNode {
			n = n.Alias
		}
	}
	return n
}

// mapGet finds key in a mapping node (case-insensitively, as the file has always been read).
func mapGet(m *yaml.Node, key string) (int, *yaml.Node) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if strings.EqualFold(m.Content[i].Value, key) {
			return i, m.Content[i+1]
		}
	}
	return -1, nil
}

// setPath sets path to a string value, creating mappings on the way; a nil
// value makes sure path is a mapping (empty if new).
func setPath(m *yaml.Node, path []string, value any) {
	for i, k := range path {
		last := i == len(path)-1
		idx, child := mapGet(m, k)
		if last {
			var val *yaml.Node
			if s, ok := value.(string); ok {
				val = &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
			} else {
				if child != nil && child.Kind == yaml.MappingNode {
					return
				}
				val = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
			}
			if idx >= 0 {
				// Keep the comments attached to the old value.
				val.HeadComment, val.LineComment, val.FootComment = child.HeadComment, child.LineComment, child.FootComment
				m.Content[idx+1] = val
			} else {
				m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: k}, val)
			}
			return
		}
		if child == nil || child.Kind != yaml.MappingNode {
			nm := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
			if idx >= 0 {
				m.Content[idx+1] = nm
			} else {
				m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: k}, nm)
			}
			child = nm
		}
		m = child
	}
}

// deletePath removes the key at path; it reports whether it was there.
func deletePath(m *yaml.Node, path []string) bool {
	parent := lookupPath(m, path[:len(path)-1])
	if parent == nil || parent.Kind != yaml.MappingNode {
		return false
	}
	idx, _ := mapGet(parent, path[len(path)-1])
	if idx < 0 {
		return false
	}
	parent.Content = append(parent.Content[:idx], parent.Content[idx+2:]...)
	return true
}
