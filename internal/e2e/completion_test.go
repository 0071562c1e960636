package e2e

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/connectctl/connectctl/internal/testenv"
)

// RequireBashCompletionEnv, set to 1 (as .ci/run does), makes a missing
// bash or bash-completion a failure instead of a skip.
const RequireBashCompletionEnv = "CONNECTCTL_REQUIRE_BASH_COMPLETION"

// bashCompletionFiles are where bash-completion's main script lives.
var bashCompletionFiles = []string{
	"/usr/share/bash-completion/bash_completion",
	"/usr/local/share/bash-completion/bash_completion",
	"/opt/homebrew/share/bash-completion/bash_completion",
	"/etc/bash_completion",
}

// requireBashCompletion returns bash and bash-completion's script, or skips
// the test loudly.
func requireBashCompletion(t *testing.T) (bash, lib string) {
	t.Helper()
	var missing []string
	bash, err := exec.LookPath("bash")
	if err != nil {
		missing = append(missing, "bash")
	}
	for _, f := range bashCompletionFiles {
		if _, err := os.Stat(f); err == nil {
			lib = f
			break
		}
	}
	if lib == "" {
		missing = append(missing, "bash-completion")
	}
	if len(missing) == 0 {
		return bash, lib
	}
	msg := "SKIPPED: the shell completion test needs " + strings.Join(missing, " and ") +
		" (apt-get install bash bash-completion); completion is NOT tested in a real shell"
	if os.Getenv(RequireBashCompletionEnv) == "1" {
		t.Fatal(msg + " (" + RequireBashCompletionEnv + "=1)")
	}
	t.Log("\n" + strings.Repeat("!", 78) + "\n" + msg + "\n" + strings.Repeat("!", 78))
	t.Skip(msg)
	return "", ""
}

// bashDriver loads bash-completion and a completion script ($1, $2), sets
// up the completion variables for the words given after them, the last
// being the word under the cursor, calls the completion function Cobra's
// script registers for connectctl and prints COMPREPLY one per line.
const bashDriver = `set -u
source "$1" || exit 97
source "$2" || exit 98
shift 2
[[ $(complete -p connectctl 2>/dev/null) == *__start_connectctl* ]] || { echo "connectctl has no completion function" >&2; exit 99; }
COMP_WORDS=("$@")
COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
COMP_LINE="${COMP_WORDS[*]}"
COMP_POINT=${#COMP_LINE}
COMP_TYPE=9
COMP_KEY=9
COLUMNS=300
__start_connectctl connectctl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
printf '%s\n' "${COMPREPLY[@]}"
`

// bashComplete completes words in a real bash and returns the values
// offered (the descriptions Cobra's script appends cut off), in order.
func bashComplete(t *testing.T, bash, lib, script string, env []string, words ...string) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bash, append([]string{"--norc", "--noprofile", "-c", bashDriver, "bash", lib, script}, words...)...)
	cmd.Env = env
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("bash completion of %q: %v\nstderr:\n%s", strings.Join(words, " "), err, stderr.String())
	}
	var values []string
	for line := range strings.SplitSeq(string(out), "\n") {
		// With several choices the script formats "value   (description)".
		if f := strings.Fields(line); len(f) > 0 {
			values = append(values, f[0])
		}
	}
	return values
}

// TestBashCompletion loads the bash completion script in a real bash with
// bash-completion and completes against a sandbox: the sim verbs, and the
// sandbox's product ids, '/', '+' and '=' intact.
func TestBashCompletion(t *testing.T) {
	bash, lib := requireBashCompletion(t)
	sb := testenv.StartSandbox(t, bin)

	// The completion script calls `connectctl`: put it on PATH.
	binDir := t.TempDir()
	if err := os.Symlink(bin, filepath.Join(binDir, "connectctl")); err != nil {
		t.Fatal(err)
	}
	env := append(testenv.CleanEnv(t),
		"PATH="+binDir+string(os.PathListSeparator)+os.Getenv("PATH"),
		"CONNECTCTL_BASE_URL="+sb.URL, "CONNECTCTL_TOKEN_URL="+sb.TokenURL())

	res := testenv.Run(t, bin, nil, "completion", "bash")
	if res.ExitCode != 0 || !strings.Contains(res.Stdout, "__start_connectctl") {
		t.Fatalf("completion bash: exit %d\n%s\n%s", res.ExitCode, res.Stdout, res.Stderr)
	}
	generated := filepath.Join(t.TempDir(), "connectctl.bash")
	if err := os.WriteFile(generated, []byte(res.Stdout), 0o644); err != nil {
		t.Fatal(err)
	}
	scripts := map[string]string{"generated": generated}
	if root, err := testenv.RepoRoot(); err == nil {
		if committed := filepath.Join(root, "completions", "connectctl.bash"); fileExists(committed) {
			scripts["committed"] = committed
		}
	}

	// The product ids exactly as the API gives them.
	res = testenv.Run(t, bin, []string{"CONNECTCTL_BASE_URL=" + sb.URL, "CONNECTCTL_TOKEN_URL=" + sb.TokenURL()}, "api", "/v1/products")
	if res.ExitCode != 0 {
		t.Fatalf("api /v1/products: exit %d: %s", res.ExitCode, res.Stderr)
	}
	var products []struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal([]byte(res.Stdout), &products); err != nil || len(products) < 2 {
		t.Fatalf("api /v1/products: %v: %.300s", err, res.Stdout)
	}
	var ids []string
	special := false
	for _, p := range products {
		ids = append(ids, p.ID)
		special = special || strings.ContainsAny(p.ID, "/+=")
	}
	if !special {
		t.Fatalf("no sandbox product id has '/', '+' or '=': %q", ids)
	}
	slices.Sort(ids)
	withSlash := ""
	for _, id := range ids {
		if strings.Contains(id, "/") && strings.Contains(id, "+") {
			withSlash = id
			break
		}
	}

	for name, script := range scripts {
		t.Run(name, func(t *testing.T) {
			t.Run("sim verbs", func(t *testing.T) {
				got := bashComplete(t, bash, lib, script, env, "connectctl", "sim", "")
				want := []string{"delete", "get", "list", "move", "qr", "subs", "usage"}
				slices.Sort(got)
				if !slices.Equal(got, want) {
					t.Errorf("connectctl sim <TAB>: %q, want %q", got, want)
				}
			})
			t.Run("product ids", func(t *testing.T) {
				got := bashComplete(t, bash, lib, script, env, "connectctl", "order", "new", "--product", "")
				slices.Sort(got)
				if !slices.Equal(got, ids) {
					t.Errorf("connectctl order new --product <TAB>:\n got %q\nwant %q", got, ids)
				}
			})
			if withSlash != "" {
				t.Run("one product id from a prefix", func(t *testing.T) {
					// One match: the script inserts it (shell-quoted, which
					// leaves '/', '+' and '=' alone).
					prefix := withSlash[:strings.Index(withSlash, "+")+1]
					got := bashComplete(t, bash, lib, script, env, "connectctl", "order", "new", "--email", "a@example.com", "--product", prefix)
					if !slices.Equal(got, []string{withSlash}) {
						t.Errorf("connectctl order new --product %s<TAB>: %q, want %q", prefix, got, withSlash)
					}
				})
			}
			t.Run("output formats", func(t *testing.T) {
				got := bashComplete(t, bash, lib, script, env, "connectctl", "sim", "list", "-o", "")
				slices.Sort(got)
				if want := []string{"csv", "json", "ndjson", "table", "yaml"}; !slices.Equal(got, want) {
					t.Errorf("connectctl sim list -o <TAB>: %q, want %q", got, want)
				}
			})
		})
	}
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
