package credentials

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"sync"

	"github.com/connectctl/connectctl/internal/config"
)

// Where a client secret comes from, as `auth status` and `profile list` say.
const (
	SourceEnv     = "env"
	SourceKeyring = "keyring"
	SourceFile    = "file"
	SourceBuiltIn = "built-in"
)

// FileStore keeps client secrets in plain text in a 0600 file, for machines
// without a keyring, and only when the user asked (--insecure-storage).
type FileStore struct {
	Path string
	mu   sync.Mutex
}

type fileData struct {
	Warning  string                 `json:"_warning,omitempty"`
	Profiles map[string]fileProfile `json:"profiles"`
}

type fileProfile struct {
	ClientSecret string `json:"client_secret"`
}

// DefaultSecretsFile is $XDG_CONFIG_HOME/connectctl/credentials.json.
func DefaultSecretsFile() (string, error) {
	d, err := config.DefaultDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(d, "credentials.json"), nil
}

func (s *FileStore) read() (*fileData, error) {
	d := &fileData{Profiles: map[string]fileProfile{}}
	data, err := os.ReadFile(s.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return d, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(data, d); err != nil {
		return nil, fmt.Errorf("%s: not a connectctl credentials file", s.Path)
	}
	if d.Profiles == nil {
		d.Profiles = map[string]fileProfile{}
	}
	return d, nil
}

func (s *FileStore) write(d *fileData) error {
	if len(d.Profiles) == 0 {
		err := os.Remove(s.Path)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return err
	}
	d.Warning = "plain-text client secrets written by `connectctl auth login --insecure-storage`; keep this file private"
	data, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return err
	}
	return config.WriteFileAtomic(s.Path, append(data, '\n'), false)
}

// Get returns the profile's secret, or ErrNotFound.
func (s *FileStore) Get(profile string) (string, error) {
	if s == nil || s.Path == "" {
		return "", ErrNotFound
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	d, err := s.read()
	if err != nil {
		return "", err
	}
	p, ok := d.Profiles[profile]
	if !ok || p.ClientSecret == "" {
		return "", ErrNotFound
	}
	return p.ClientSecret, nil
}

// Set stores the profile's secret.
func (s *FileStore) Set(profile, secret string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, err := s.read()
	if err != nil {
		return err
	}
	d.Profiles[profile] = fileProfile{ClientSecret: secret}
	return s.write(d)
}

// Delete removes the profile's secret; ErrNotFound if there was none.
func (s *FileStore) Delete(profile string) error {
	if s == nil || s.Path == "" {
		return ErrNotFound
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	d, err := s.read()
	if err != nil {
		return err
	}
	if _, ok := d.Profiles[profile]; !ok {
		return ErrNotFound
	}
	delete(d.Profiles, profile)
	return s.write(d)
}

// Profiles lists the profiles with a secret in the file.
func (s *FileStore) Profiles() []string {
	if s == nil || s.Path == "" {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	d, err := s.read()
	if err != nil {
		return nil
	}
	var names []string
	for n := range d.Profiles {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Secrets finds and stores client secrets: the plain-text file first (it
// holds a secret only when the user chose it), then the keyring.
type Secrets struct {
	Keyring Keyring
	File    *FileStore
}

// Lookup returns the profile's stored secret and where it came from. It
// answers ErrNotFound when neither store has one, or the keyring's
// *UnavailableError when the keyring could not be asked.
func (s *Secrets) Lookup(profile string) (secret, source string, err error) {
	if v, err := s.File.Get(profile); err == nil {
		return v, SourceFile, nil
	} else if !errors.Is(err, ErrNotFound) {
		return "", "", err
	}
	if s.Keyring == nil {
		return "", "", ErrNotFound
	}
	v, err := s.Keyring.Get(Service, profile)
	if err != nil {
		return "", "", err
	}
	if v == "" {
		return "", "", ErrNotFound
	}
	return v, SourceKeyring, nil
}

// Store saves the profile's secret in the keyring or, with insecure, in the
// file, and removes it from the other place. It returns where it went: the
// keyring service or the file's path.
func (s *Secrets) Store(profile, secret string, insecure bool) (where string, err error) {
	if insecure {
		if err := s.File.Set(profile, secret); err != nil {
			return "", fmt.Errorf("write %s: %w", s.File.Path, err)
		}
		if s.Keyring != nil {
			_ = s.Keyring.Delete(Service, profile) // best effort: one place only
		}
		return s.File.Path, nil
	}
	if s.Keyring == nil {
		return "", &UnavailableError{Op: "write", Err: errors.New("no keyring configured")}
	}
	if err := s.Keyring.Set(Service, profile, secret); err != nil {
		return "", err
	}
	if err := s.File.Delete(profile); err != nil && !errors.Is(err, ErrNotFound) {
		return "", err
	}
	return "system keyring (service " + Service + ")", nil
}

// Delete removes the profile's secret from both places and says from which.
// A keyring that cannot be asked is reported in err; the file is cleaned
// anyway.
func (s *Secrets) Delete(profile string) (removed []string, err error) {
	ferr := s.File.Delete(profile)
	if ferr == nil {
		removed = append(removed, s.File.Path)
	} else if !errors.Is(ferr, ErrNotFound) {
		err = ferr
	}
	if s.Keyring != nil {
		kerr := s.Keyring.Delete(Service, profile)
		if kerr == nil {
			removed = append(removed, "system keyring (service "+Service+")")
		} else if !errors.Is(kerr, ErrNotFound) && err == nil {
			err = kerr
		}
	}
	return removed, err
}
