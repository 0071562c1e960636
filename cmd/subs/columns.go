package subs

import (
	"time"

	"github.com/connectctl/connectctl/internal/connect"
	"github.com/connectctl/connectctl/internal/output"
)

// Columns are the table columns of a subscription. withICCID adds the SIM's
// ICCID (subs list spans SIMs; sim subs is about one). Sizes are for people
// (1.2 GB); -o json keeps the byte counts.
func Columns(withICCID bool) []output.Column[connect.Subscription] {
	var cols []output.Column[connect.Subscription]
	if withICCID {
		cols = append(cols,
			output.Column[connect.Subscription]{Name: "id", Value: func(s connect.Subscription) string { return s.ID }},
			output.Column[connect.Subscription]{Name: "iccid", Value: func(s connect.Subscription) string { return s.ICCID }},
		)
	}
	cols = append(cols,
		output.Column[connect.Subscription]{Name: "product", Value: ProductName},
		output.Column[connect.Subscription]{Name: "status", Kind: output.KindStatus, Value: func(s connect.Subscription) string { return s.Status }},
		output.Column[connect.Subscription]{Name: "spentBalance", Aliases: []string{"used"}, Value: func(s connect.Subscription) string { return output.Bytes(s.SpentBalance) }},
		output.Column[connect.Subscription]{Name: "left", Derived: true, Value: func(s connect.Subscription) string { return output.Bytes(s.Remaining()) }},
		output.Column[connect.Subscription]{Name: "expirationDate", Aliases: []string{"expires"}, Kind: output.KindTime, Value: func(s connect.Subscription) string { return FormatTime(s.ExpirationDate) }},
	)
	if !withICCID {
		cols = append(cols, output.Column[connect.Subscription]{Name: "id", Wide: true,
			Value: func(s connect.Subscription) string { return s.ID }})
	}
	cols = append(cols,
		output.Column[connect.Subscription]{Name: "initialBalance", Aliases: []string{"total"}, Wide: true,
			Value: func(s connect.Subscription) string { return output.Bytes(s.InitialBalance) }},
		output.Column[connect.Subscription]{Name: "activationDate", Aliases: []string{"activated"}, Kind: output.KindTime, Wide: true,
			Value: func(s connect.Subscription) string { return FormatTime(s.ActivationDate) }},
		output.Column[connect.Subscription]{Name: "createdDate", Aliases: []string{"created"}, Kind: output.KindTime, Wide: true,
			Value: func(s connect.Subscription) string { return FormatTime(s.CreatedDate) }},
		output.Column[connect.Subscription]{Name: "product_id", Aliases: []string{"product-id"}, Derived: true, Wide: true,
			Value: func(s connect.Subscription) string {
				if s.Product == nil {
					return ""
				}
				return s.Product.ID
			}},
		output.Column[connect.Subscription]{Name: "auto_renew", Aliases: []string{"auto-renew"}, Wide: true,
			Value: func(s connect.Subscription) string { return yesNo(s.AutoRenew) }},
	)
	if withICCID {
		cols = append(cols, output.Column[connect.Subscription]{Name: "device_id", Aliases: []string{"device"}, Wide: true,
			Value: func(s connect.Subscription) string { return s.DeviceID }})
	}
	return cols
}

// ProductName is the product's name, else its id.
func ProductName(s connect.Subscription) string {
	if s.Product == nil {
		return ""
	}
	if s.Product.Name != "" {
		return s.Product.Name
	}
	return s.Product.ID
}

// FormatTime shows a time in RFC 3339, UTC; the zero time is empty (a dash
// in tables).
func FormatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
