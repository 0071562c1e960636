// Package factory builds the dependencies commands share. Commands receive a
// *Factory and ask it for what they need, so tests can swap in fakes.
package factory

import (
	"context"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/connectctl/connectctl/internal/buildinfo"
	"github.com/connectctl/connectctl/internal/config"
	"github.com/connectctl/connectctl/internal/connect"
	"github.com/connectctl/connectctl/internal/credentials"
	"github.com/connectctl/connectctl/internal/iostreams"
	"github.com/connectctl/connectctl/internal/output"
)

// GlobalOptions are the root command's persistent flags.
type GlobalOptions struct {
	Profile       string
	Debug         bool
	Timeout       time.Duration
	CorrelationID string
	APIEdition    string // --api-edition (env CONNECTCTL_API_EDITION)
	NoColor       bool
	ConfigFile    string // --config (env CONNECTCTL_CONFIG)
	Yes           bool
	Output        output.Options
}

// Factory is the small set of dependencies every command may use.
type Factory struct {
	IOStreams *iostreams.IOStreams
	Build     buildinfo.Info
	Env       config.Env
	Globals   GlobalOptions

	// Client returns the Connect API client of the chosen profile. Tests
	// replace it; the default builds it from Settings.
	Client func() (*connect.Client, error)

	// Keyring stores client secrets; nil means the OS keyring with a
	// timeout on every call. TokenCacheDir overrides where access tokens
	// are cached (default: the user cache dir).
	Keyring       credentials.Keyring
	TokenCacheDir string

	// Context is the invocation's context (cancelled by Ctrl-C), set by the
	// root command before any command runs; it ends a wait for the keyring.
	Context context.Context

	// WatchInterrupts starts turning Ctrl-C into Context's cancellation; the
	// root calls it before a command that does work runs (nil in tests that
	// build a Factory by hand). See internal/interrupt.
	WatchInterrupts func()

	// Retry bounds the default client's retries; the zero value is the
	// client's default policy. Shell completion sets one attempt.
	Retry connect.RetryPolicy

	client      *connect.Client
	printer     *output.Printer // built once per invocation; see Printer
	printerFor  output.Options
	settings    *config.Settings
	secrets     *credentials.Secrets
	flagSources map[string]string
}

// New returns the factory the real binary uses.
func New() *Factory {
	f := &Factory{IOStreams: iostreams.System(), Build: buildinfo.Get(), Env: os.Getenv,
		Globals: GlobalOptions{Timeout: 30 * time.Second}}
	f.Client = f.defaultClient
	return f
}

func (f *Factory) debugWriter() io.Writer {
	if f.Globals.Debug {
		return f.IOStreams.ErrOut
	}
	return nil
}

func (f *Factory) defaultClient() (*connect.Client, error) {
	if f.client != nil {
		return f.client, nil
	}
	tokens, s, err := f.TokenSource()
	if err != nil {
		return nil, err
	}
	httpClient := &http.Client{Timeout: f.Globals.Timeout}
	c, err := connect.New(connect.Options{
		BaseURL: s.Profile.BaseURL, HTTPClient: httpClient, TokenSource: tokens,
		UserAgent: "connectctl/" + f.Build.Version, CorrelationID: f.Globals.CorrelationID,
		Debug: f.debugWriter(), Retry: f.Retry, Edition: s.APIEdition,
	})
	if err != nil {
		return nil, err
	}
	f.client = c
	return c, nil
}
