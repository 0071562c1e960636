package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestDemoKeepsToItself runs `make demo`'s script as a user with a real
// config and journal would: the demo's order never reaches them, and the
// demo ends by saying what to try next.
func TestDemoKeepsToItself(t *testing.T) {
	home := t.TempDir()
	state := filepath.Join(home, ".local", "state")
	config := filepath.Join(home, ".config")
	png := filepath.Join(t.TempDir(), "esim.png")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", filepath.Join("..", "..", "scripts", "demo.sh"), bin)
	cmd.Env = []string{
		"HOME=" + home, "PATH=" + os.Getenv("PATH"), "NO_COLOR=1",
		"XDG_CONFIG_HOME=" + config, "XDG_STATE_HOME=" + state,
		"XDG_CACHE_HOME=" + filepath.Join(home, ".cache"),
		// What a user's shell may carry: the demo must not follow it.
		"CONNECTCTL_JOURNAL=" + filepath.Join(state, "mine.jsonl"),
		"CONNECTCTL_PROFILE=prod",
		"QR_PNG=" + png,
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("demo: %v\n%s", err, out)
	}
	for _, want := range []string{"COMPLETED", "Try it yourself", "make install"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("demo output lacks %q:\n%s", want, out)
		}
	}
	if _, err := os.Stat(png); err != nil {
		t.Errorf("no QR PNG: %v", err)
	}
	for _, dir := range []string{state, config, filepath.Join(home, ".cache")} {
		if _, err := os.Stat(dir); !os.IsNotExist(err) {
			t.Errorf("the demo wrote into the user's %s", dir)
		}
	}
}
