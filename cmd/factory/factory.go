// Package factory builds the dependencies commands share. Commands receive a
// *Factory and ask it for what they need, so tests can swap in fakes.
package factory

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/connectctl/connectctl/cmd/cmdutil"
	"github.com/connectctl/connectctl/internal/auth"
	"github.com/connectctl/connectctl/internal/buildinfo"
	"github.com/connectctl/connectctl/internal/config"
	"github.com/connectctl/connectctl/internal/connect"
	"github.com/connectctl/connectctl/internal/iostreams"
	"github.com/connectctl/connectctl/internal/output"
)

// GlobalOptions are the root command's persistent flags.
type GlobalOptions struct {
	Profile       string
	Debug         bool
	Timeout       time.Duration
	CorrelationID string
	NoColor       bool
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

	client *connect.Client
}

// New returns the factory the real binary uses.
func New() *Factory {
	f := &Factory{IOStreams: iostreams.System(), Build: buildinfo.Get(), Env: os.Getenv,
		Globals: GlobalOptions{Timeout: 30 * time.Second}}
	f.Client = f.defaultClient
	return f
}

// Settings resolves the profile, URLs and credentials for this invocation.
func (f *Factory) Settings() (*config.Settings, error) {
	s, err := config.Resolve(f.Globals.Profile, f.Env)
	if err != nil {
		return nil, cmdutil.FlagErrorf("%v", err)
	}
	for _, w := range s.Warnings {
		fmt.Fprintln(f.IOStreams.ErrOut, "warning:", w)
	}
	return s, nil
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
	s, err := f.Settings()
	if err != nil {
		return nil, err
	}
	if s.ClientID == "" || s.ClientSecret == "" {
		return nil, &cmdutil.ExitError{Code: cmdutil.ExitAuth, Err: fmt.Errorf(
			"no credentials for profile %q: set CONNECTCTL_CLIENT_ID and CONNECTCTL_CLIENT_SECRET", s.Profile.Name)}
	}
	httpClient := &http.Client{Timeout: f.Globals.Timeout}
	tokens, err := auth.NewClientCredentials(auth.Config{
		TokenURL: s.Profile.TokenURL, ClientID: s.ClientID, ClientSecret: s.ClientSecret,
		HTTPClient: httpClient, Debug: f.debugWriter(),
	})
	if err != nil {
		return nil, err
	}
	c, err := connect.New(connect.Options{
		BaseURL: s.Profile.BaseURL, HTTPClient: httpClient, TokenSource: tokens,
		UserAgent: "connectctl/" + f.Build.Version, CorrelationID: f.Globals.CorrelationID,
		Debug: f.debugWriter(),
	})
	if err != nil {
		return nil, err
	}
	f.client = c
	return c, nil
}
