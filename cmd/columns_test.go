package cmd

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/connectctl/connectctl/cmd/order"
	"github.com/connectctl/connectctl/cmd/products"
	"github.com/connectctl/connectctl/cmd/subs"
	"github.com/connectctl/connectctl/cmd/webhook"
	"github.com/connectctl/connectctl/internal/bulk"
	"github.com/connectctl/connectctl/internal/connect"
	"github.com/connectctl/connectctl/internal/journal"
	"github.com/connectctl/connectctl/internal/output"
)

// Every table column is named by the JSON key it shows (issue 11 item 10):
// the header is that key upper-cased, so --columns, --jq and --template
// speak one vocabulary. The samples set every optional field. The
// commands' unexported columns are checked in their own packages.
func TestColumnsAreJSONKeys(t *testing.T) {
	now := time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)
	product := connect.Product{ID: "p1", Name: "Europe 1GB", Description: "d", Period: 7, PeriodUnit: "DAYS",
		Data: &connect.DataAllowance{Value: 1, Unit: "GB"}, Footprint: []string{"PT"}, ActiveCountries: []string{"ALL"},
		Pricing: map[string]json.Number{"EUR": "4.99"}, Region: "europe", PlanID: "plan"}
	check := func(name string, missing []string) {
		if len(missing) > 0 {
			t.Errorf("%s: columns %v are not JSON keys of the resource; name them after the key they show (or mark them Derived)", name, missing)
		}
	}
	check("order", output.MissingJSONKeys(order.Columns(), connect.Order{ID: "o", Status: "FAILED", OperationType: "NEW_ESIM",
		CreatedDate: now, Error: "e", Output: &connect.OrderOutput{ICCID: "89", MatchingID: "m", SMDPURL: "s", LPAURL: "l",
			SubscriptionID: "s1", SubscriptionIDs: []string{"s1", "s2"}}}))
	check("order bulk result", output.MissingJSONKeys(order.ResultColumns(), bulk.Result{Row: 1, Line: 2, Email: "e",
		Result: bulk.Ordered, OrderID: "o", Status: "COMPLETED", ICCID: "89", ActivationCode: "LPA:1$a$b", Error: "x"}))
	check("order topup bulk result", output.MissingJSONKeys(order.TopUpResultColumns(), bulk.Result{Row: 1, Line: 2,
		Result: bulk.Ordered, OrderID: "o", Status: "COMPLETED", ICCID: "89", SubscriptionIDs: []string{"s1", "s2"}, Error: "x"}))
	check("order history", output.MissingJSONKeys(order.HistoryColumns(), journal.Attempt{ID: "a", Started: now, Updated: now,
		Target: "t", ClientID: "c", Profile: "p", Batch: "b", Row: 1, Line: 2, RowKey: "k", Operation: "NEW_ESIM", Email: "e",
		Products: []string{"p1"}, DeviceID: "d", ICCID: "89", CorrelationID: "c", SubscriptionIDs: []string{"s"},
		Status: journal.Accepted, OrderID: "o", OrderStatus: "COMPLETED", HTTPStatus: 500, Error: "x", Resolution: "r"}))
	check("products", output.MissingJSONKeys(products.Columns("EUR"), product))
	check("subs", output.MissingJSONKeys(subs.Columns(true), connect.Subscription{ID: "s", Status: "ACTIVE", InitialBalance: 1,
		SpentBalance: 1, ActivationDate: now, ExpirationDate: now, CreatedDate: now, Product: &product, ICCID: "89",
		DeviceID: "d", AutoRenew: true}))
	check("webhook", output.MissingJSONKeys(webhook.Columns, connect.NotificationPreference{Type: "USAGE_THRESHOLD", WebhookURL: "u"}))
}
