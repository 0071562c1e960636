// Command gendocs writes the generated parts of the repository: the Markdown
// command reference (docs/reference), the man pages (docs/man, section 1) and
// the shell completion scripts (completions/). `make docs` and
// `make completions` run it; the tests in this package fail when the
// committed files differ from what it generates.
//
// The output depends only on the command tree: the command is built with
// fixed streams (no terminal), an empty environment, a fixed build identity
// and a fixed man page date, so two runs on any machine write the same bytes.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"

	"github.com/connectctl/connectctl/cmd/factory"
	"github.com/connectctl/connectctl/cmd/root"
	"github.com/connectctl/connectctl/internal/buildinfo"
	"github.com/connectctl/connectctl/internal/iostreams"
)

// manDate is the date printed in every man page's header. A fixed date keeps
// the pages reproducible; change it when cutting a release if you like.
var manDate = time.Date(2026, time.January, 1, 0, 0, 0, 0, time.UTC)

// completionFiles maps each completion script's file name to its generator.
var completionFiles = []struct {
	name string
	gen  func(c *cobra.Command, w io.Writer) error
}{
	// Bash completion v2, with descriptions, as `connectctl completion bash`.
	{"connectctl.bash", func(c *cobra.Command, w io.Writer) error { return c.GenBashCompletionV2(w, true) }},
	{"connectctl.zsh", func(c *cobra.Command, w io.Writer) error { return c.GenZshCompletion(w) }},
	{"connectctl.fish", func(c *cobra.Command, w io.Writer) error { return c.GenFishCompletion(w, true) }},
	{"connectctl.ps1", func(c *cobra.Command, w io.Writer) error { return c.GenPowerShellCompletionWithDesc(w) }},
}

func main() {
	docsDir := flag.String("docs", "", "write the Markdown reference to `DIR`/reference and the man pages to DIR/man")
	complDir := flag.String("completions", "", "write the shell completion scripts to `DIR`")
	flag.Parse()
	if flag.NArg() > 0 || (*docsDir == "" && *complDir == "") {
		fmt.Fprintln(os.Stderr, "usage: gendocs [-docs DIR] [-completions DIR]")
		os.Exit(2)
	}
	if *docsDir != "" {
		if err := GenDocs(*docsDir); err != nil {
			fmt.Fprintln(os.Stderr, "gendocs:", err)
			os.Exit(1)
		}
	}
	if *complDir != "" {
		if err := GenCompletions(*complDir); err != nil {
			fmt.Fprintln(os.Stderr, "gendocs:", err)
			os.Exit(1)
		}
	}
}

// NewRoot builds the connectctl command tree as the binary does, but from a
// factory that does not look at the machine it runs on.
func NewRoot() *cobra.Command {
	ios, _, _, _ := iostreams.Test()
	return newRoot(ios)
}

// newRoot builds the tree on the given streams; Cobra's completion command
// writes to the streams the root had when it was added.
func newRoot(ios *iostreams.IOStreams) *cobra.Command {
	f := factory.New()
	f.IOStreams = ios
	f.Env = func(string) string { return "" }
	f.Build = buildinfo.Info{Version: "dev", GoVersion: "go", Platform: "any"}

	cmd := root.NewCmdRoot(f)
	// Cobra adds these when the command runs; the reference documents them.
	cmd.InitDefaultHelpCmd()
	cmd.InitDefaultCompletionCmd()
	disableAutoGenTag(cmd)
	return cmd
}

func disableAutoGenTag(c *cobra.Command) {
	c.DisableAutoGenTag = true
	for _, sub := range c.Commands() {
		disableAutoGenTag(sub)
	}
}

// GenDocs writes dir/reference/*.md and dir/man/*.1, replacing whatever those
// two directories held, so pages of removed commands disappear.
func GenDocs(dir string) error {
	cmd := NewRoot()
	ref := filepath.Join(dir, "reference")
	man := filepath.Join(dir, "man")
	for _, d := range []string{ref, man} {
		if err := os.RemoveAll(d); err != nil {
			return err
		}
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	if err := doc.GenMarkdownTree(cmd, ref); err != nil {
		return fmt.Errorf("markdown reference: %w", err)
	}
	header := &doc.GenManHeader{
		Section: "1",
		Source:  "connectctl",
		Manual:  "connectctl manual",
		Date:    &manDate,
	}
	if err := doc.GenManTree(cmd, header, man); err != nil {
		return fmt.Errorf("man pages: %w", err)
	}
	return nil
}

// GenCompletions writes the four completion scripts into dir.
func GenCompletions(dir string) error {
	cmd := NewRoot()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, cf := range completionFiles {
		var buf bytes.Buffer
		if err := cf.gen(cmd, &buf); err != nil {
			return fmt.Errorf("%s: %w", cf.name, err)
		}
		if !strings.Contains(buf.String(), "connectctl") {
			return fmt.Errorf("%s: the script does not mention connectctl", cf.name)
		}
		if err := os.WriteFile(filepath.Join(dir, cf.name), buf.Bytes(), 0o644); err != nil {
			return err
		}
	}
	return nil
}
