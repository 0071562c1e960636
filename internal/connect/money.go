package connect

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/connectctl/connectctl/internal/validate"
)

// The API editions: the v1 reference sends amounts in major units (3.53),
// the 2024 edition as integers of the currency's smallest unit (353; a
// zero-decimal currency as is, JPY 500: 500).
const (
	EditionV1   = "v1"
	Edition2024 = "2024"
)

// Edition is the API edition the client speaks.
func (c *Client) Edition() string { return c.edition }

// pricesOut turns the plans' human prices into the edition's units.
func (c *Client) pricesOut(in *OrderInput) error {
	if c.edition != Edition2024 {
		return nil
	}
	subs := make([]OrderSubscription, len(in.Subscriptions))
	copy(subs, in.Subscriptions)
	for i, s := range subs {
		if s.Price == "" {
			continue
		}
		a, err := validate.ParseMajor(s.Price, s.Currency)
		if err != nil {
			return fmt.Errorf("plan %d: price %s %s: %w", i+1, s.Price, s.Currency, err)
		}
		subs[i].Price = json.Number(strconv.FormatInt(a.MinorUnits(), 10))
	}
	in.Subscriptions = subs
	return nil
}

// pricesIn turns a product's pricing from the edition's units into major
// units. An amount that is not an integer of the smallest unit is kept as
// the API sent it (and shown so).
func (c *Client) pricesIn(p *Product) {
	if c.edition != Edition2024 || len(p.Pricing) == 0 {
		return
	}
	out := make(map[string]json.Number, len(p.Pricing))
	for cur, v := range p.Pricing {
		out[cur] = v
		if strings.ContainsAny(string(v), ".eE-") {
			continue
		}
		n, err := strconv.ParseInt(string(v), 10, 64)
		if err != nil {
			continue
		}
		if a, err := validate.FromMinor(n, cur); err == nil {
			out[cur] = a.Major()
		}
	}
	p.Pricing = out
}
