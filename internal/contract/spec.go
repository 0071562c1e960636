// Package contract checks live HTTP exchanges against the project's wire
// contract, docs/openapi.yaml, with kin-openapi's openapi3filter.
//
// A test loads the document once (Load, or Open in a test), then wraps either
// side of the wire:
//
//   - (*Spec).Transport wraps a client's http.RoundTripper: every request the
//     client sends and every answer it gets are validated.
//   - (*Spec).Middleware wraps a server's http.Handler (the sandbox): every
//     request it receives and every answer it writes are validated.
//
// Each violation is reported through the test's Errorf with the method, the
// path, the status and the reason. Exchanges with the OAuth2 token endpoint
// (/auth/realms/.../protocol/openid-connect/...) and the sandbox's admin
// endpoints (/_sandbox/...) are skipped; any other path the document does not
// declare is a violation. Routing uses the path alone (any scheme, host and
// port, and any base path before /v1 such as /connect-api), so the document's
// servers never need to match the server under test.
//
// Stats counts the exchanges seen and validated, so a contract test can make
// sure it checked something (RequireValidated).
package contract

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// SpecFile is the contract's location relative to the module root.
const SpecFile = "docs/openapi.yaml"

// TB is the part of testing.TB the checkers report through; *testing.T,
// *testing.B and *testing.F satisfy it, and so can a recorder in tests.
type TB interface {
	Helper()
	Errorf(format string, args ...any)
}

// Spec is a loaded and validated contract. It is safe for concurrent use by
// any number of Transports and Middlewares.
type Spec struct {
	// Doc is the parsed document. Changing its paths after Load is not
	// supported (routes are computed once).
	Doc *openapi3.T

	path   string
	routes []*route

	mu    sync.Mutex
	stats Stats
}

// SpecPath walks up from the working directory to the folder holding go.mod
// and returns the path of docs/openapi.yaml there. Tests of any package can
// call it: `go test` runs each package in its own directory.
func SpecPath() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			p := filepath.Join(dir, filepath.FromSlash(SpecFile))
			if _, err := os.Stat(p); err != nil {
				return "", fmt.Errorf("contract: %w", err)
			}
			return p, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("contract: go.mod not found above the working directory")
		}
		dir = parent
	}
}

// FindSpec loads the module's docs/openapi.yaml (see SpecPath).
func FindSpec() (*Spec, error) {
	p, err := SpecPath()
	if err != nil {
		return nil, err
	}
	return Load(p)
}

// Open loads the module's contract for a test, failing the test if it can't.
func Open(t testing.TB) *Spec {
	t.Helper()
	s, err := FindSpec()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Load reads the OpenAPI document at path, resolves its references and
// validates it.
func Load(path string) (*Spec, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromFile(path)
	if err != nil {
		return nil, fmt.Errorf("contract: load %s: %w", path, err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("contract: %s is not a valid OpenAPI document: %w", path, err)
	}
	registerFormats(doc)
	s := &Spec{Doc: doc, path: path}
	if err := s.buildRoutes(); err != nil {
		return nil, fmt.Errorf("contract: %s: %w", path, err)
	}
	return s, nil
}

// Path is the file the Spec was loaded from.
func (s *Spec) Path() string { return s.path }

// SetServers replaces the document's servers, for tools that route on them
// (e.g. the sandbox's base URL). The checkers of this package route on the
// path alone and work with any servers.
func (s *Spec) SetServers(urls ...string) {
	servers := make(openapi3.Servers, 0, len(urls))
	for _, u := range urls {
		servers = append(servers, &openapi3.Server{URL: u})
	}
	s.Doc.Servers = servers
}

// Operations lists the document's operations as "METHOD /path/template",
// sorted, e.g. for a test that wants every operation exercised.
func (s *Spec) Operations() []string {
	var ops []string
	for _, r := range s.routes {
		for method := range r.item.Operations() {
			ops = append(ops, method+" "+r.template)
		}
	}
	sortStrings(ops)
	return ops
}

// Stats is the sum over every checker made from this Spec.
func (s *Spec) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats.clone()
}

func (s *Spec) add(d Stats) {
	s.mu.Lock()
	s.stats.merge(d)
	s.mu.Unlock()
}

var (
	uuidRe  = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	emailRe = regexp.MustCompile(`^[^@\s]+@[^@<>",\s]+\.[^@<>",\s]+$`)
)

// registerFormats gives the document validators for the formats it uses that
// kin-openapi leaves unchecked by default (date and date-time are built in).
func registerFormats(doc *openapi3.T) {
	doc.SetStringFormatValidator("uuid", openapi3.NewCallbackValidator(func(v string) error {
		if !uuidRe.MatchString(v) {
			return errors.New("not a UUID")
		}
		return nil
	}))
	doc.SetStringFormatValidator("email", openapi3.NewCallbackValidator(func(v string) error {
		if !emailRe.MatchString(v) {
			return errors.New("not an e-mail address")
		}
		return nil
	}))
}
