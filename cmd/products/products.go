// Package products implements `connectctl products`: browse the catalogue of
// plans a reseller can order.
package products

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/spf13/cobra"

	"github.com/connectctl/connectctl/cmd/cmdutil"
	"github.com/connectctl/connectctl/cmd/factory"
	"github.com/connectctl/connectctl/internal/connect"
	"github.com/connectctl/connectctl/internal/iostreams"
	"github.com/connectctl/connectctl/internal/output"
	"github.com/connectctl/connectctl/internal/validate"
)

// Short is `connectctl products`'s summary; the root's help lists it without
// building the command (issue 13).
const Short = "Browse the catalogue of plans you can order"

// NewCmdProducts returns `connectctl products`.
func NewCmdProducts(f *factory.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "products <command>",
		Short: Short,
	}
	cmd.AddCommand(NewCmdList(f, nil))
	cmd.AddCommand(NewCmdGet(f, nil))
	return cmd
}

// ListOptions are the inputs of `products list`.
type ListOptions struct {
	IO      *iostreams.IOStreams
	Client  func() (*connect.Client, error)
	Printer func() (*output.Printer, error)

	Currency string
	PlanID   string
	Country  string
	Limit    cmdutil.ListLimit
}

// NewCmdList returns `connectctl products list`; runF replaces the run function in tests.
func NewCmdList(f *factory.Factory, runF func(context.Context, *ListOptions) error) *cobra.Command {
	opts := &ListOptions{IO: f.IOStreams, Client: f.Client, Printer: f.Printer}
	cmd := &cobra.Command{
		Use:   "list [--currency CUR] [--plan-id ID] [--country CC]",
		Short: "List the products you can order",
		Long: "List the catalogue. --currency asks the API for prices in that currency (by\n" +
			"default every list price comes back and the table shows EUR); --country keeps\n" +
			"the products whose footprint covers that country. Shows the first 30 products\n" +
			"unless --limit or --all says otherwise.",
		Example: cmdutil.Examples(
			"List the products that work in Portugal, priced in euros", "connectctl products list --country PT --currency EUR",
			"Export the whole catalogue as JSON", "connectctl products list --all -o json",
			"Print every product id, one a line", "connectctl products list --all --columns id --no-headers",
		),
		Aliases: []string{"ls"},
		Args:    cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.validate(cmd); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runList(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Currency, "currency", "", "Show prices in this currency (ISO 4217, e.g. EUR, USD)")
	fl.StringVar(&opts.PlanID, "plan-id", "", "Catalogue to list (e.g. 1GLOBAL-STANDARD), for partners with several")
	fl.StringVar(&opts.Country, "country", "", "Only products that work in this country (ISO 3166-1 alpha-2)")
	opts.Limit.BindFlags(cmd, "products")
	return factory.SetColumns(cmd, Columns(""))
}

func (o *ListOptions) validate(cmd *cobra.Command) error {
	var err error
	if o.Currency, err = checkCurrency(o.Currency); err != nil {
		return err
	}
	if cmd.Flags().Changed("country") {
		if o.Country, err = validate.CountryCode(o.Country); err != nil {
			return cmdutil.FlagErrorf("--country: %v", err)
		}
	}
	if cmd.Flags().Changed("plan-id") {
		if o.PlanID, err = checkOpaqueID("--plan-id", o.PlanID, "a catalogue id such as 1GLOBAL-STANDARD"); err != nil {
			return err
		}
	}
	return o.Limit.Validate()
}

// checkCurrency validates --currency, returning the upper-case code.
func checkCurrency(cur string) (string, error) {
	if cur == "" {
		return "", nil
	}
	c, err := validate.LookupCurrency(cur)
	if err != nil {
		return "", cmdutil.FlagErrorf("--currency: %v", err)
	}
	return c.Code, nil
}

// checkOpaqueID accepts an opaque id (base64 of either alphabet, so '/', '+',
// '=', '-', '_' are all fine) and only refuses what cannot be an id at all:
// nothing, or white space and control characters inside it.
func checkOpaqueID(what, id, want string) (string, error) {
	s := strings.TrimSpace(id)
	if s == "" {
		return "", cmdutil.FlagErrorf("%s %q: empty, want %s", what, id, want)
	}
	if strings.ContainsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) {
		return "", cmdutil.FlagErrorf("%s %q: contains white space, want %s", what, id, want)
	}
	return s, nil
}

func runList(ctx context.Context, o *ListOptions) error {
	cols := Columns(o.Currency)
	p, err := factory.PrinterFor(o.Printer, cols)
	if err != nil {
		return err
	}
	client, err := o.Client()
	if err != nil {
		return err
	}
	all, err := client.ListProducts(ctx, connect.ProductsQuery{Currency: o.Currency, PlanID: o.PlanID})
	if err != nil {
		return fmt.Errorf("products list: %w", err)
	}
	prods := FilterCountry(all, o.Country)
	n, err := output.List(p, cmdutil.Seq(prods), cols, o.Limit.N())
	if err != nil {
		return err
	}
	if n < len(prods) && !p.Structured() && o.IO.IsStdoutTTY() {
		fmt.Fprintf(o.IO.ErrOut, "Showing %d of %d products; use --all to see them all.\n", n, len(prods))
	}
	return nil
}

// FilterCountry keeps the products whose footprint covers country (upper
// case); an empty country keeps everything. A footprint of ["ALL"] covers
// every country.
func FilterCountry(prods []connect.Product, country string) []connect.Product {
	if country == "" {
		return prods
	}
	out := make([]connect.Product, 0, len(prods))
	for _, p := range prods {
		if Covers(p, country) {
			out = append(out, p)
		}
	}
	return out
}

// Covers reports whether the product works in country.
func Covers(p connect.Product, country string) bool {
	return slices.ContainsFunc(p.Footprint, func(c string) bool {
		c = strings.TrimSpace(c)
		return strings.EqualFold(c, country) || strings.EqualFold(c, "ALL")
	})
}

// GetOptions are the inputs of `products get`.
type GetOptions struct {
	IO       *iostreams.IOStreams
	Client   func() (*connect.Client, error)
	Printer  func() (*output.Printer, error)
	ID       string
	Currency string
}

// NewCmdGet returns `connectctl products get PRODUCT_ID`.
func NewCmdGet(f *factory.Factory, runF func(context.Context, *GetOptions) error) *cobra.Command {
	opts := &GetOptions{IO: f.IOStreams, Client: f.Client, Printer: f.Printer}
	cmd := &cobra.Command{
		Use:   "get PRODUCT_ID [--currency CUR]",
		Short: "Show one product",
		Long: "Show one product. Product ids are opaque and may hold '/', '+' and '=':\n" +
			"quote them in the shell and pass them as listed. An id that starts with\n" +
			"'-' goes after --: connectctl products get -- '-abc='.",
		Example: cmdutil.Examples(
			"Show a product with its price in US dollars", "connectctl products get 'qJ+qU2v/9vFgX3rpyPlEV1CihTo96AWUmsQTIZEn/jI=' --currency USD",
			"Print its data allowance as JSON", "connectctl products get 'qJ+qU2v/9vFgX3rpyPlEV1CihTo96AWUmsQTIZEn/jI=' --jq .data",
		),
		Args: cmdutil.ExactArgs("PRODUCT_ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if opts.ID, err = checkOpaqueID("product id", args[0], "a product id from `connectctl products list`"); err != nil {
				return err
			}
			if opts.Currency, err = checkCurrency(opts.Currency); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runGet(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Currency, "currency", "", "Show the price in this currency (ISO 4217, e.g. EUR, USD)")
	return factory.SetColumns(cmd, Columns(""))
}

func runGet(ctx context.Context, o *GetOptions) error {
	cols := Columns(o.Currency)
	p, err := factory.PrinterFor(o.Printer, cols)
	if err != nil {
		return err
	}
	client, err := o.Client()
	if err != nil {
		return err
	}
	prod, err := getProduct(ctx, client, o.ID, o.Currency)
	if err != nil {
		return fmt.Errorf("products get %s: %w", o.ID, err)
	}
	return output.Item(p, *prod, cols)
}

// getProduct fetches one product. GET /v1/products/{id} takes no currency,
// so a price in another currency comes from the catalogue asked in that
// currency (the product's other fields come from the product itself).
func getProduct(ctx context.Context, client *connect.Client, id, currency string) (*connect.Product, error) {
	prod, err := client.GetProduct(ctx, id)
	if err != nil || currency == "" {
		return prod, err
	}
	if _, ok := prod.Pricing[currency]; ok {
		prod.Pricing = map[string]json.Number{currency: prod.Pricing[currency]}
		return prod, nil
	}
	list, err := client.ListProducts(ctx, connect.ProductsQuery{Currency: currency, PlanID: prod.PlanID})
	if err != nil {
		return nil, err
	}
	for _, lp := range list {
		if lp.ID == prod.ID {
			prod.Pricing = lp.Pricing
			return prod, nil
		}
	}
	return prod, nil
}

// Columns are the table columns of a product; the PRICE column shows the
// price in currency, or (none asked) EUR, else the first currency listed.
func Columns(currency string) []output.Column[connect.Product] {
	return []output.Column[connect.Product]{
		{Name: "id", Value: func(p connect.Product) string { return p.ID }},
		{Name: "name", Value: func(p connect.Product) string { return p.Name }},
		{Name: "data", Value: DataText},
		{Name: "period", Value: PeriodText},
		{Name: "pricing", Aliases: []string{"price"}, Value: func(p connect.Product) string { return PriceText(p, currency) }},
		{Name: "region", Value: func(p connect.Product) string { return p.Region }},
		{Name: "plan_id", Aliases: []string{"plan"}, Wide: true, Value: func(p connect.Product) string { return p.PlanID }},
		{Name: "description", Wide: true, Value: func(p connect.Product) string { return p.Description }},
		{Name: "footprint", Wide: true, Value: func(p connect.Product) string { return strings.Join(p.Footprint, ", ") }},
	}
}

// DataText is the product's data allowance for a person: "5 GB", "500 MB".
func DataText(p connect.Product) string {
	if p.Data == nil {
		return ""
	}
	return output.BytesFromDataSize(p.Data.Value, p.Data.Unit)
}

// PeriodText is the product's validity for a person: "30 days", "1 day".
func PeriodText(p connect.Product) string {
	if p.Period == 0 && p.PeriodUnit == "" {
		return ""
	}
	unit := strings.ToLower(strings.TrimSpace(p.PeriodUnit))
	if unit == "" {
		unit = "days"
	}
	if p.Period == 1 {
		unit = strings.TrimSuffix(unit, "s")
	} else if !strings.HasSuffix(unit, "s") {
		unit += "s"
	}
	return strconv.Itoa(p.Period) + " " + unit
}

// PriceText is the product's price in currency ("9.50 EUR", "800 JPY"), or
// when currency is empty in EUR, else the first currency in alphabetical
// order. An empty string means the product has no such price.
func PriceText(p connect.Product, currency string) string {
	cur := currency
	if cur == "" {
		if _, ok := p.Pricing["EUR"]; ok {
			cur = "EUR"
		} else {
			keys := make([]string, 0, len(p.Pricing))
			for k := range p.Pricing {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			if len(keys) == 0 {
				return ""
			}
			cur = keys[0]
		}
	}
	v, ok := p.Pricing[cur]
	if !ok {
		return ""
	}
	if a, err := validate.ParseMajor(v, cur); err == nil {
		return a.String()
	}
	return string(v) + " " + cur // shown as the API sent it
}
