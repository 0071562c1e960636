package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const userFile = `# my connectctl config
current-profile: sandbox
editor: vim   # not ours: must survive
profiles:
  # the staging env
  staging:
    base-url: https://staging.example.com
    token-url: https://staging.example.com/token
    team: ops
    defaults:
      country: PT
      colour: blue
plugins:
  - name: x
`

func TestSaveKeepsUnknownKeysAndComments(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "connectctl")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(path, []byte(userFile), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	f.SetCurrentProfile("staging")
	if err := f.SetProfileKey("staging", "defaults.device-type", "ios"); err != nil {
		t.Fatal(err)
	}
	if err := f.SetProfileKey("preprod", "client-id", "ops-client"); err != nil {
		t.Fatal(err)
	}
	if err := f.SetProfileKey("staging", "defaults.country", ""); err != nil {
		t.Fatal(err)
	}
	if err := f.Save(); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	got := string(data)
	for _, want := range []string{"# my connectctl config", "editor: vim", "# not ours: must survive", "# the staging env",
		"team: ops", "colour: blue", "plugins:", "- name: x", "current-profile: staging", "device-type: ios", "client-id: ops-client"} {
		if !strings.Contains(got, want) {
			t.Errorf("saved file lost %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "country: PT") {
		t.Errorf("unset key still there:\n%s", got)
	}
	st, _ := os.Stat(path)
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", st.Mode().Perm())
	}
	// Reading it back gives what was set.
	f2, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := f2.Profile("staging")
	if f2.CurrentProfile() != "staging" || p.Defaults.DeviceType != "ios" || p.Defaults.Country != "" || p.BaseURL != "https://staging.example.com" {
		t.Errorf("read back: current %q, %+v", f2.CurrentProfile(), p)
	}
	pp, _ := f2.Profile("preprod")
	if pp.ClientID != "ops-client" || pp.BaseURL != "https://services.truphone.com/connect-api-preprod" || !pp.BuiltIn || !pp.InFile {
		t.Errorf("preprod = %+v", pp)
	}
}

func TestSaveCreatesPrivateDirAndFile(t *testing.T) {
	base := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", base)
	path, err := PathFor("")
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(base, "connectctl", "config.yaml"); path != want {
		t.Fatalf("default path %q, want %q", path, want)
	}
	// An existing, too open default directory is tightened.
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := Load(path)
	if err != nil || f.Exists {
		t.Fatalf("missing file: %v exists=%v", err, f.Exists)
	}
	if err := f.AddProfile("lab", map[string]string{"base-url": "https://lab.example.com", "token-url": "https://lab.example.com/t"}); err != nil {
		t.Fatal(err)
	}
	if err := f.Save(); err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]os.FileMode{path: 0o600, filepath.Dir(path): 0o700} {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != want {
			t.Errorf("%s mode %v, want %v", p, st.Mode().Perm(), want)
		}
	}
	// Atomic: no temporary file is left behind.
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want only config.yaml", len(entries))
	}
}

func TestSaveWritesThroughSymlink(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "dotfiles", "connectctl.yaml")
	os.MkdirAll(filepath.Dir(real), 0o700)
	os.WriteFile(real, []byte("current-profile: prod\n"), 0o600)
	link := filepath.Join(dir, "config.yaml")
	if err := os.Symlink(real, link); err != nil {
		t.Skip("no symlinks:", err)
	}
	f, err := Load(link)
	if err != nil {
		t.Fatal(err)
	}
	f.SetCurrentProfile("preprod")
	if err := f.Save(); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Lstat(link); fi.Mode()&os.ModeSymlink == 0 {
		t.Error("the symlink was replaced by a file")
	}
	if data, _ := os.ReadFile(real); !strings.Contains(string(data), "preprod") {
		t.Errorf("target not written: %s", data)
	}
}

func TestSecretsNeverGoInTheFile(t *testing.T) {
	f := writeConfig(t, "")
	for _, key := range []string{"client-secret", "client_secret", "secret", "defaults.client-secret", "token", "password"} {
		if err := f.SetProfileKey("sandbox", key, "hunter2"); err == nil {
			t.Errorf("SetProfileKey(%q) accepted a secret", key)
		} else if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("error repeats the secret: %v", err)
		}
	}
	if err := f.Save(); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(f.Path)
	if strings.Contains(string(data), "hunter2") {
		t.Fatalf("secret in file:\n%s", data)
	}
}

func TestLoadErrors(t *testing.T) {
	for name, body := range map[string]string{
		"not yaml":        "profiles: [\n",
		"not a mapping":   "- a\n- b\n",
		"profiles a list": "profiles:\n  - a\n",
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "c.yaml")
			os.WriteFile(path, []byte(body), 0o600)
			if _, err := Load(path); err == nil || !strings.Contains(err.Error(), path) {
				t.Errorf("Load = %v, want an error naming the file", err)
			}
		})
	}
}

func TestProfileNames(t *testing.T) {
	for _, ok := range []string{"prod", "lab-2", "a_b", "x"} {
		if err := CheckProfileName(ok); err != nil {
			t.Errorf("%q refused: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "Prod", "a.b", "../x", "-a", "a b", strings.Repeat("a", 64)} {
		if err := CheckProfileName(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	f := writeConfig(t, "profiles:\n  lab:\n    base-url: https://l\n    token-url: https://l/t\n")
	if got := strings.Join(f.Names(), ","); got != "lab,preprod,prod,sandbox" {
		t.Errorf("Names = %s", got)
	}
	if !f.RemoveProfile("lab") || f.RemoveProfile("lab") {
		t.Error("RemoveProfile twice")
	}
	if _, ok := f.Profile("lab"); ok {
		t.Error("removed profile still there")
	}
}
