package order

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/connectctl/connectctl/cmd/cmdutil"
	"github.com/connectctl/connectctl/internal/iostreams"
)

// maxPromptTries is how many unusable answers a prompt takes before giving up.
const maxPromptTries = 3

// promptChoice asks on stderr (the question stands for flag, which the
// messages name) for one of choices, read from stdin as its
// number or its name (any case). End of input or too many bad answers is a
// usage error (exit 2); Ctrl-C while asking exits 130. Nothing has been sent
// when it asks.
func promptChoice(ctx context.Context, ios *iostreams.IOStreams, flag, question string, choices []string) (string, error) {
	fmt.Fprintf(ios.ErrOut, "%s:\n", question)
	for i, c := range choices {
		fmt.Fprintf(ios.ErrOut, "  %d. %s\n", i+1, c)
	}
	lines := make(chan string)
	done := make(chan error, 1)
	go func() {
		// The reader outlives the prompt on Ctrl-C; the process exits then.
		r := bufio.NewReader(ios.In)
		for {
			line, err := r.ReadString('\n')
			if line != "" || err == nil {
				select {
				case lines <- line:
				case <-ctx.Done():
					return
				}
			}
			if err != nil {
				done <- err
				return
			}
		}
	}()
	for try := 0; try < maxPromptTries; try++ {
		fmt.Fprintf(ios.ErrOut, "Choose 1-%d: ", len(choices))
		var line string
		select {
		case <-ctx.Done():
			fmt.Fprintln(ios.ErrOut)
			return "", &cmdutil.ExitError{Code: cmdutil.ExitInterrupted, Err: ctx.Err()}
		case line = <-lines:
		case err := <-done:
			fmt.Fprintln(ios.ErrOut)
			if errors.Is(err, io.EOF) {
				err = errors.New("no answer (end of input)")
			}
			return "", cmdutil.FlagErrorf("%s: %v; give %s with one of %s", flag, err, flag, strings.Join(choices, ", "))
		}
		if c, ok := matchChoice(strings.TrimSpace(line), choices); ok {
			return c, nil
		}
		fmt.Fprintf(ios.ErrOut, "%q is not a choice: answer a number from 1 to %d or one of %s\n",
			strings.TrimSpace(line), len(choices), strings.Join(choices, ", "))
	}
	return "", cmdutil.FlagErrorf("%s: no valid answer after %d tries; want one of %s",
		flag, maxPromptTries, strings.Join(choices, ", "))
}

// matchChoice reads an answer as a 1-based number or a choice's name.
func matchChoice(answer string, choices []string) (string, bool) {
	if n, err := strconv.Atoi(answer); err == nil {
		if n >= 1 && n <= len(choices) {
			return choices[n-1], true
		}
		return "", false
	}
	for _, c := range choices {
		if strings.EqualFold(answer, c) {
			return c, true
		}
	}
	return "", false
}
