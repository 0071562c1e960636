// Package e2e runs the built connectctl binary against sandboxes it starts,
// over real HTTP, and checks what a user would see: output and exit codes.
package e2e

import (
	"fmt"
	"os"
	"testing"

	"github.com/connectctl/connectctl/internal/testenv"
)

var bin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "connectctl-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bin, err = testenv.BuildBinary(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}
