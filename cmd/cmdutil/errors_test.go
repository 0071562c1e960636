package cmdutil

import (
	"errors"
	"fmt"
	"testing"
)

type statusErr int

func (s statusErr) Error() string   { return fmt.Sprintf("status %d", int(s)) }
func (s statusErr) HTTPStatus() int { return int(s) }

func TestExitCodeFor(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"nil", nil, ExitOK},
		{"plain", errors.New("boom"), ExitUnexpected},
		{"flag", FlagErrorf("--country %q: want ISO 3166-1 alpha-2", "UK"), ExitUsage},
		{"wrapped flag", fmt.Errorf("ctx: %w", FlagErrorf("x")), ExitUsage},
		{"explicit", &ExitError{Code: ExitPending}, ExitPending},
		{"401", statusErr(401), ExitAuth},
		{"403", statusErr(403), ExitAuth},
		{"404", statusErr(404), ExitNotFound},
		{"400", statusErr(400), ExitRefused},
		{"429", statusErr(429), ExitRefused},
		{"500", statusErr(500), ExitServer},
		{"503 wrapped", fmt.Errorf("get: %w", statusErr(503)), ExitServer},
		{"network", statusErr(0), ExitServer},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ExitCodeFor(tt.err); got != tt.want {
				t.Errorf("ExitCodeFor(%v) = %d, want %d", tt.err, got, tt.want)
			}
		})
	}
}
