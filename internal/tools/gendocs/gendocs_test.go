package main

import (
	"archive/zip"
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/connectctl/connectctl/internal/iostreams"
)

// repoRoot is the module root, three levels up from this package.
const repoRoot = "../../.."

const staleHint = "run `make docs completions` and commit the result"

// readTree returns every regular file under dir, by slash path relative to dir.
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		files[filepath.ToSlash(rel)] = b
		return nil
	})
	if err != nil {
		t.Fatalf("reading %s: %v (%s)", dir, err, staleHint)
	}
	return files
}

// compareTrees fails for every file that is missing, extra or different.
func compareTrees(t *testing.T, label, committedDir, generatedDir string) {
	t.Helper()
	committed, generated := readTree(t, committedDir), readTree(t, generatedDir)
	if len(generated) == 0 {
		t.Fatalf("%s: nothing generated", label)
	}
	for name, want := range generated {
		got, ok := committed[name]
		switch {
		case !ok:
			t.Errorf("%s/%s is missing: %s", label, name, staleHint)
		case !bytes.Equal(got, want):
			t.Errorf("%s/%s is stale: %s", label, name, staleHint)
		}
	}
	for name := range committed {
		if _, ok := generated[name]; !ok {
			t.Errorf("%s/%s is no longer generated (a removed command?): %s", label, name, staleHint)
		}
	}
}

func TestDocsUpToDate(t *testing.T) {
	tmp := t.TempDir()
	if err := GenDocs(tmp); err != nil {
		t.Fatal(err)
	}
	compareTrees(t, "docs/reference", filepath.Join(repoRoot, "docs", "reference"), filepath.Join(tmp, "reference"))
	compareTrees(t, "docs/man", filepath.Join(repoRoot, "docs", "man"), filepath.Join(tmp, "man"))
}

func TestCompletionsUpToDate(t *testing.T) {
	tmp := t.TempDir()
	if err := GenCompletions(tmp); err != nil {
		t.Fatal(err)
	}
	compareTrees(t, "completions", filepath.Join(repoRoot, "completions"), tmp)
}

// The generated files must not depend on the machine: its environment,
// terminal, home or config directory, or the clock.
func TestGenerationIgnoresEnvironment(t *testing.T) {
	first := t.TempDir()
	if err := GenDocs(first); err != nil {
		t.Fatal(err)
	}
	if err := GenCompletions(filepath.Join(first, "completions")); err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{
		"HOME": t.TempDir(), "XDG_CONFIG_HOME": t.TempDir(), "XDG_CACHE_HOME": t.TempDir(),
		"NO_COLOR": "1", "TERM": "dumb", "SOURCE_DATE_EPOCH": "1",
		"CONNECTCTL_PROFILE": "prod", "CONNECTCTL_OUTPUT": "json", "CONNECTCTL_CONFIG": "/elsewhere.yaml",
		"CONNECTCTL_DEBUG": "1", "CONNECTCTL_BASE_URL": "http://127.0.0.1:1",
	} {
		t.Setenv(k, v)
	}
	second := t.TempDir()
	if err := GenDocs(second); err != nil {
		t.Fatal(err)
	}
	if err := GenCompletions(filepath.Join(second, "completions")); err != nil {
		t.Fatal(err)
	}
	a, b := readTree(t, first), readTree(t, second)
	if len(a) != len(b) {
		t.Fatalf("%d files, then %d", len(a), len(b))
	}
	for name, want := range a {
		if !bytes.Equal(b[name], want) {
			t.Errorf("%s differs when the environment changes", name)
		}
	}
}

func TestManPagesHaveFixedHeader(t *testing.T) {
	tmp := t.TempDir()
	if err := GenDocs(tmp); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(tmp, "man", "connectctl-order-new.1"))
	if err != nil {
		t.Fatal(err)
	}
	if want := `.TH "CONNECTCTL-ORDER-NEW" "1" "Jan 2026" "connectctl" "connectctl manual"`; !strings.Contains(string(b), want) {
		t.Errorf("header: want %s in\n%s", want, firstLines(b, 3))
	}
	ref, err := os.ReadFile(filepath.Join(tmp, "reference", "connectctl.md"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(ref), "Auto generated") {
		t.Error("reference carries cobra's dated auto-generated tag")
	}
}

func firstLines(b []byte, n int) string {
	lines := strings.SplitN(string(b), "\n", n+1)
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, "\n")
}

// Each shell's script comes from `connectctl completion SHELL`, exit 0;
// bash is completion v2 and matches the committed script.
func TestCompletionCommand(t *testing.T) {
	for _, tc := range []struct{ shell, file, marker string }{
		{"bash", "connectctl.bash", "# bash completion V2 for connectctl"},
		{"zsh", "connectctl.zsh", "#compdef connectctl"},
		{"fish", "connectctl.fish", "complete -c connectctl"},
		{"powershell", "connectctl.ps1", "Register-ArgumentCompleter"},
	} {
		t.Run(tc.shell, func(t *testing.T) {
			ios, _, out, errOut := iostreams.Test()
			cmd := newRoot(ios)
			cmd.SetArgs([]string{"completion", tc.shell})
			if err := cmd.Execute(); err != nil {
				t.Fatalf("connectctl completion %s: %v (stderr %q)", tc.shell, err, errOut.String())
			}
			got := out.String()
			if !strings.Contains(got, "connectctl") || !strings.Contains(got, tc.marker) {
				t.Fatalf("connectctl completion %s: want %q in\n%s", tc.shell, tc.marker, firstLines(out.Bytes(), 5))
			}
			tmp := t.TempDir()
			if err := GenCompletions(tmp); err != nil {
				t.Fatal(err)
			}
			want, err := os.ReadFile(filepath.Join(tmp, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			if got != string(want) {
				t.Errorf("connectctl completion %s differs from completions/%s", tc.shell, tc.file)
			}
		})
	}
}

// The built binary: `completion SHELL` exits 0 with a script, and `version`
// prints what the linker stamped in.
func TestBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "connectctl"+exeSuffix())
	const pkg = "github.com/connectctl/connectctl/internal/buildinfo"
	ldflags := "-X " + pkg + ".Version=1.2.3-test -X " + pkg + ".Commit=abc1234 -X " + pkg + ".Date=2026-01-02T03:04:05Z"
	build := exec.Command("go", "build", "-ldflags", ldflags, "-o", bin, ".")
	build.Dir = repoRoot
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	for _, shell := range []string{"bash", "zsh", "fish", "powershell"} {
		out, err := exec.Command(bin, "completion", shell).Output()
		if err != nil {
			t.Errorf("connectctl completion %s: %v", shell, err)
		} else if len(out) == 0 || !bytes.Contains(out, []byte("connectctl")) {
			t.Errorf("connectctl completion %s: no script", shell)
		}
	}

	out, err := exec.Command(bin, "version").Output()
	if err != nil {
		t.Fatalf("connectctl version: %v", err)
	}
	for _, want := range []string{"connectctl 1.2.3-test\n", "commit: abc1234\n", "built: 2026-01-02T03:04:05Z\n",
		"go: " + runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH} {
		if !strings.Contains(string(out), want) {
			t.Errorf("version: want %q in\n%s", want, out)
		}
	}
}

// `go install github.com/connectctl/connectctl@vX.Y.Z` carries no ldflags:
// `connectctl version` then reports the module version the toolchain
// recorded. The module is served from a throwaway file proxy; its
// dependencies come from the local module cache, so nothing is downloaded.
func TestGoInstallVersion(t *testing.T) {
	if testing.Short() {
		t.Skip("installs the module from a local proxy")
	}
	const mod, version = "github.com/connectctl/connectctl", "v0.0.0-20260101000000-000000000000"
	goEnv := func(key string) string {
		out, err := exec.Command("go", "env", key).Output()
		if err != nil {
			t.Fatalf("go env %s: %v", key, err)
		}
		return strings.TrimSpace(string(out))
	}
	modCache := goEnv("GOMODCACHE")

	proxy := t.TempDir()
	dir := filepath.Join(proxy, filepath.FromSlash(mod), "@v")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	gomod, err := os.ReadFile(filepath.Join(repoRoot, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{
		"list":            []byte(version + "\n"),
		version + ".info": []byte(`{"Version":"` + version + `","Time":"2026-01-01T00:00:00Z"}`),
		version + ".mod":  gomod,
	} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	writeModuleZip(t, filepath.Join(dir, version+".zip"), mod+"@"+version)

	gobin := t.TempDir()
	install := exec.Command("go", "install", mod+"@"+version)
	install.Env = append(os.Environ(),
		"GOBIN="+gobin,
		"GOMODCACHE="+t.TempDir(),
		"GOFLAGS=-modcacherw",
		"GOPROXY="+fileURL(proxy)+","+fileURL(filepath.Join(modCache, "cache", "download")),
		"GOSUMDB=off", "GONOSUMDB=", "GOPRIVATE=", "GONOPROXY=",
		"GOTOOLCHAIN=local",
	)
	if out, err := install.CombinedOutput(); err != nil {
		t.Fatalf("go install: %v\n%s", err, out)
	}
	out, err := exec.Command(filepath.Join(gobin, "connectctl"+exeSuffix()), "version").Output()
	if err != nil {
		t.Fatalf("connectctl version: %v", err)
	}
	if want := "connectctl " + version + "\n"; !strings.HasPrefix(string(out), want) {
		t.Errorf("version of a go install build: want %q, got\n%s", want, out)
	}
}

// writeModuleZip zips the module's files as the module proxy protocol lays
// them out: every path under prefix, without VCS metadata, build output or
// nested modules.
func writeModuleZip(t *testing.T, path, prefix string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	root, err := filepath.Abs(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			switch {
			case rel == ".":
				return nil
			case rel == ".git" || rel == "bin" || rel == "dist" || rel == "vendor":
				return filepath.SkipDir
			}
			if _, err := os.Stat(filepath.Join(p, "go.mod")); err == nil {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		w, err := zw.Create(prefix + "/" + rel)
		if err != nil {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// fileURL is a file:// URL for a local directory (file:///C:/... on Windows).
func fileURL(dir string) string {
	p := filepath.ToSlash(dir)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	return "file://" + p
}

func exeSuffix() string {
	if runtime.GOOS == "windows" {
		return ".exe"
	}
	return ""
}
