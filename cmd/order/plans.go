package order

import (
	"encoding/json"
	"strings"
	"time"
	"unicode"

	"github.com/spf13/cobra"

	"github.com/connectctl/connectctl/cmd/cmdutil"
	"github.com/connectctl/connectctl/internal/connect"
	"github.com/connectctl/connectctl/internal/validate"
)

// PlanOptions are the subscriptions an order asks for: `order new` and
// `order topup` share them.
type PlanOptions struct {
	Products       []string
	ActivationDate string
	Price          string
	Currency       string

	activation time.Time
}

func (o *PlanOptions) bindFlags(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringArrayVar(&o.Products, "product", nil, "Product `ID` to order (repeatable; the ids come from connectctl products list)")
	fl.StringVar(&o.ActivationDate, "activation-date", "", "Activate the plans at this RFC 3339 time (not in the past)")
	fl.StringVar(&o.Price, "price", "", "Price charged to the customer for each plan, e.g. 10.99 (with --currency)")
	fl.StringVar(&o.Currency, "currency", "", "Currency of --price, e.g. EUR")
}

// validate checks the plans before anything is sent and normalises the
// price to the API's major-unit form.
func (o *PlanOptions) validate(now time.Time) error {
	if len(o.Products) == 0 {
		return cmdutil.FlagErrorf("--product is required: name at least one product id (see `connectctl products list`)")
	}
	for i, p := range o.Products {
		id := strings.TrimSpace(p)
		if id == "" || strings.ContainsFunc(id, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) {
			return cmdutil.FlagErrorf("--product %q: want a product id such as qJ+qU2v/9vFgX3rpyPlEV1CihTo96AWUmsQTIZEn/jI= (see `connectctl products list`)", p)
		}
		o.Products[i] = id
	}
	if o.ActivationDate != "" {
		t, err := validate.ActivationDate(o.ActivationDate, now)
		if err != nil {
			return cmdutil.FlagErrorf("--activation-date: %v", err)
		}
		o.activation = t
	}
	if (o.Price == "") != (o.Currency == "") {
		return cmdutil.FlagErrorf("--price and --currency go together: give both (e.g. --price 10.99 --currency EUR) or neither")
	}
	if o.Price != "" {
		amount, err := validate.ParseAmount(o.Price, o.Currency)
		if err != nil {
			return cmdutil.FlagErrorf("--price %s --currency %s: %v", o.Price, o.Currency, err)
		}
		o.Price, o.Currency = string(amount.Major()), amount.Currency
	}
	return nil
}

// subscriptions are the plans as the API takes them.
func (o *PlanOptions) subscriptions() []connect.OrderSubscription {
	subs := make([]connect.OrderSubscription, 0, len(o.Products))
	for _, p := range o.Products {
		sub := connect.OrderSubscription{ProductID: p, ActivationDate: o.activation}
		if o.Price != "" {
			sub.Price, sub.Currency = json.Number(o.Price), o.Currency
		}
		subs = append(subs, sub)
	}
	return subs
}
