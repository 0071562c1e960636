package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestAliasesInTheConfigFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.yaml")
	orig := "# my config\ncurrent-profile: sandbox # keep\n"
	if err := os.WriteFile(path, []byte(orig), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := f.Aliases(); len(got) != 0 {
		t.Fatalf("aliases in a file without any: %v", got)
	}
	f.SetAlias("ou", "order new --device-type ios --wait")
	f.SetAlias("hot", `sim usage --all --over 80 --jq '.iccid'`)
	if err := f.Save(); err != nil {
		t.Fatal(err)
	}
	f, err = Load(path)
	if err != nil {
		t.Fatal(err)
	}
	got := f.Aliases()
	if len(got) != 2 || got[0] != (Alias{"hot", `sim usage --all --over 80 --jq '.iccid'`}) || got[1].Name != "ou" {
		t.Fatalf("%+v", got)
	}
	if exp, ok := f.Alias("ou"); !ok || exp != "order new --device-type ios --wait" {
		t.Fatalf("Alias(ou) = %q %v", exp, ok)
	}
	if f.CurrentProfile() != "sandbox" {
		t.Fatal("current-profile lost")
	}
	if !f.DeleteAlias("ou") || f.DeleteAlias("ou") || !f.DeleteAlias("hot") {
		t.Fatal("DeleteAlias")
	}
	if err := f.Save(); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	if strings.Contains(string(data), "aliases") || !strings.Contains(string(data), "# keep") {
		t.Fatalf("after deleting every alias:\n%s", data)
	}

	if err := os.WriteFile(path, []byte("aliases: [a, b]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path); err == nil || !strings.Contains(err.Error(), "aliases") {
		t.Fatalf("aliases as a list: %v", err)
	}
}

func TestCheckAliasName(t *testing.T) {
	for name, ok := range map[string]bool{"ou": true, "my-alias_2": true, "Ou": false, "-x": false, "a b": false, "": false, "a.b": false} {
		if err := CheckAliasName(name); (err == nil) != ok {
			t.Errorf("CheckAliasName(%q) = %v, want ok=%v", name, err, ok)
		}
	}
}
