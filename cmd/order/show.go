package order

import (
	"fmt"
	"strings"
	"time"

	"github.com/connectctl/connectctl/cmd/cmdutil"
	"github.com/connectctl/connectctl/internal/connect"
	"github.com/connectctl/connectctl/internal/iostreams"
	"github.com/connectctl/connectctl/internal/lpa"
	"github.com/connectctl/connectctl/internal/output"
)

// view is how a command prints orders: the printer of the global output
// flags, and whether --columns asked for a table rather than the human block.
type view struct {
	io      *iostreams.IOStreams
	p       *output.Printer
	columns bool
	display cmdutil.QRDisplay
}

// Columns are the table columns of an order (order list, and order get with
// --columns).
func Columns() []output.Column[connect.Order] {
	return []output.Column[connect.Order]{
		{Name: "id", Value: func(o connect.Order) string { return o.ID }},
		{Name: "status", Value: func(o connect.Order) string { return o.Status }},
		{Name: "iccid", Value: func(o connect.Order) string {
			if o.Output == nil {
				return ""
			}
			return o.Output.ICCID
		}},
		{Name: "createdDate", Aliases: []string{"created"}, Value: func(o connect.Order) string {
			if o.CreatedDate.IsZero() {
				return ""
			}
			return o.CreatedDate.UTC().Format(time.RFC3339)
		}},
		{Name: "operationType", Aliases: []string{"type"}, Wide: true, Value: func(o connect.Order) string { return o.OperationType }},
		{Name: "subscription_ids", Aliases: []string{"subscription"}, Wide: true, Value: func(o connect.Order) string {
			if o.Output == nil {
				return ""
			}
			if len(o.Output.SubscriptionIDs) > 0 {
				return strings.Join(o.Output.SubscriptionIDs, ",")
			}
			return o.Output.SubscriptionID
		}},
		{Name: "error", Wide: true, Value: func(o connect.Order) string { return o.Error }},
	}
}

// show prints one order. Structured output (-o json, --jq, ...) prints the
// canonical order on stdout, and with --qr the activation code on stderr.
// A table prints the human block: the order's fields and, once COMPLETED,
// the activation code as text, the iPhone install link and (on a terminal or
// with --qr) the QR code on stdout. --columns turns the block into a table row.
func (v *view) show(o *connect.Order) error {
	code, hasCode := activationCode(v.io, o)
	switch {
	case v.p.Structured():
		if err := output.Item(v.p, *o, Columns()); err != nil {
			return err
		}
		if hasCode && v.display.QR {
			// Beside every QR code: the code as text (RenderQR) and the link.
			fmt.Fprintf(v.io.ErrOut, "IOS_INSTALL_URL: %s\n", lpa.IOSInstallURL(code))
		}
	case v.columns:
		if err := output.Item(v.p, *o, Columns()); err != nil {
			return err
		}
	default:
		if err := showBlock(v.p, o, code, hasCode); err != nil {
			return err
		}
	}
	if !hasCode {
		return nil
	}
	if v.columns && !v.p.Structured() {
		// A table row leaves stdout to the columns; only a PNG is written.
		return cmdutil.RenderQR(v.io, code, cmdutil.QRDisplay{PNG: v.display.PNG}, true, false)
	}
	return cmdutil.RenderQR(v.io, code, v.display, v.p.Structured(), false)
}

// activationCode resolves a COMPLETED order's activation code; a top-up has
// none. A malformed code is reported, never drawn as a garbled QR.
func activationCode(io *iostreams.IOStreams, o *connect.Order) (lpa.Code, bool) {
	out := o.Output
	if out == nil {
		return lpa.Code{}, false
	}
	c, warnings, err := out.ActivationCode()
	for _, w := range warnings {
		fmt.Fprintln(io.ErrOut, "warning:", w)
	}
	if err != nil {
		if out.MatchingID != "" || out.LPAURL != "" {
			fmt.Fprintln(io.ErrOut, "warning: the API's activation code is malformed:", err)
		}
		return lpa.Code{}, false
	}
	return c, true
}

// showBlock prints the order's fields down the page (output.Details),
// labelled as their JSON keys are.
func showBlock(p *output.Printer, o *connect.Order, code lpa.Code, hasCode bool) error {
	h := output.HeaderFor
	fields := []output.Field{{Label: h("id"), Value: o.ID}, {Label: h("status"), Value: o.Status}}
	if o.OperationType == connect.OperationTopUp {
		fields = append(fields, output.Field{Label: h("operationType"), Value: o.OperationType})
	}
	if o.Error != "" {
		fields = append(fields, output.Field{Label: h("error"), Value: o.Error})
	}
	if out := o.Output; out != nil {
		if out.ICCID != "" {
			fields = append(fields, output.Field{Label: h("iccid"), Value: out.ICCID})
		}
		switch ids := out.SubscriptionIDs; {
		case len(ids) > 1:
			fields = append(fields, output.Field{Label: h("subscription_ids"), Value: strings.Join(ids, ", ")})
		case out.SubscriptionID != "":
			fields = append(fields, output.Field{Label: h("subscription_id"), Value: out.SubscriptionID})
		}
	}
	if hasCode {
		fields = append(fields, cmdutil.ActivationFields(code)...)
	}
	return output.Details(p, fields)
}
