package sandbox

import (
	"net/http"
	"net/url"
	"reflect"
	"testing"
)

// The 2024 edition's subscriber and purchase location (issue 12 item 5):
// required on a new eSIM as the document's error example shows, stored and
// returned; the v1 edition neither asks for nor keeps them.
func TestSubscriber2024(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.Edition = Edition2024 })
	subscriber := map[string]any{"first_name": "Ana", "last_name": "Silva", "email": "ana@example.com",
		"address": map[string]any{"line1": "1 Main St", "city": "Austin", "postal_code": "78701", "state": "TX", "country": "US"}}
	with := func(edit func(in map[string]any)) map[string]any {
		b := newESIM("ana@example.com", pEurope1.ID)
		in := b["input"].(map[string]any)
		in["subscriber"], in["purchase_location"] = subscriber, "US-TX"
		edit(in)
		return b
	}
	type entry struct{ Code, Detail, JSONPath string }
	doc := []entry{
		{"MISSING_CONDITIONAL_MANDATORY_FIELD", "Field(s) [first_name, last_name, email, address] cannot be null when field [id] is equal to [null]", "$.subscriber.id"},
		{"GENERIC_ERROR", "must not be empty", "$.purchase_location"},
	}
	for _, tt := range []struct {
		name string
		edit func(in map[string]any)
		want []entry
	}{
		{"neither", func(in map[string]any) { delete(in, "subscriber"); delete(in, "purchase_location") }, doc},
		{"no address", func(in map[string]any) {
			in["subscriber"] = map[string]any{"first_name": "Ana", "last_name": "Silva", "email": "ana@example.com"}
		}, doc[:1]},
		{"empty purchase location", func(in map[string]any) { in["purchase_location"] = "" }, doc[1:]},
	} {
		r := e.call(http.MethodPost, "/v1/order", e.tok, with(tt.edit))
		e.mustStatus(r, http.StatusBadRequest)
		var p struct {
			Title  string
			Errors []struct {
				Code     string `json:"code"`
				Detail   string `json:"detail"`
				JSONPath string `json:"json_path"`
			}
		}
		r.json(t, &p)
		var got []entry
		for _, er := range p.Errors {
			got = append(got, entry{er.Code, er.Detail, er.JSONPath})
		}
		if p.Title != "Invalid request parameters" || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: %s", tt.name, r.body)
		}
	}

	// By id alone is enough; the full subscriber is stored and returned.
	e.order(e.tok, with(func(in map[string]any) { in["subscriber"] = map[string]any{"id": "sub-1"} }))
	id := e.order(e.tok, with(func(map[string]any) {}))
	m := e.call(http.MethodGet, "/v1/order/"+url.PathEscape(id), e.tok, nil).obj(t)
	if !reflect.DeepEqual(m["subscriber"], subscriber) || m["purchase_location"] != "US-TX" {
		t.Errorf("the order read back: %v", m)
	}

	// v1 asks for neither and keeps neither.
	v1 := newEnv(t, nil)
	id = v1.order(v1.tok, newESIM("ana@example.com", pEurope1.ID))
	if m := v1.call(http.MethodGet, "/v1/order/"+url.PathEscape(id), v1.tok, nil).obj(t); m["subscriber"] != nil {
		t.Errorf("v1 order: %v", m)
	}
}
