package sandbox

import (
	"net/http"
	"strings"
	"time"
)

func customerJSON(cu *customerRec) map[string]any {
	m := map[string]any{
		"id": cu.ID, "email": cu.Email,
		"createdDate": fmtTime(cu.Created), "lastModifiedDate": fmtTime(cu.Updated),
	}
	if cu.FirstName != "" {
		m["firstName"] = cu.FirstName
	}
	if cu.LastName != "" {
		m["lastName"] = cu.LastName
	}
	if cu.CountryOfResidence != "" {
		m["countryOfResidence"] = cu.CountryOfResidence
	}
	return m
}

// accountManager answers 403 unless the caller has the ACCOUNT_MANAGER role.
func (c *call) accountManager() bool {
	if c.client.Role != RoleAccountManager {
		c.denied("the %s role may not use /v1/customer; it needs ACCOUNT_MANAGER", c.client.Role)
		return false
	}
	return true
}

type customerBody struct {
	Email              *string `json:"email"`
	FirstName          *string `json:"firstName"`
	LastName           *string `json:"lastName"`
	CountryOfResidence *string `json:"countryOfResidence"`
}

// check validates the fields present; full requires an email.
func (b *customerBody) check(c *call, full bool) bool {
	switch {
	case b.Email == nil || *b.Email == "":
		if full || b.Email != nil {
			c.badParams("email must not be empty")
			return false
		}
	case !validEmail(*b.Email):
		c.badParams("email %q is not an e-mail address", *b.Email)
		return false
	}
	if b.CountryOfResidence != nil && *b.CountryOfResidence != "" && !countries.Get()[*b.CountryOfResidence] {
		c.badParams("countryOfResidence %q is not an ISO 3166-1 alpha-2 code", *b.CountryOfResidence)
		return false
	}
	return true
}

func (b *customerBody) apply(cu *customerRec, now time.Time) {
	if b.Email != nil {
		cu.Email = *b.Email
	}
	if b.FirstName != nil {
		cu.FirstName = *b.FirstName
	}
	if b.LastName != nil {
		cu.LastName = *b.LastName
	}
	if b.CountryOfResidence != nil {
		cu.CountryOfResidence = *b.CountryOfResidence
	}
	cu.Updated = now
}

func (s *Server) createCustomer(c *call) {
	if !c.accountManager() {
		return
	}
	var b customerBody
	if !c.decodeBody(&b) || !b.check(c, true) {
		return
	}
	now := s.begin()
	if s.st.custByEmail[emailKey(c.client.ID, *b.Email)] != nil {
		s.end()
		c.badParams("a customer with email %s already exists", *b.Email)
		return
	}
	seq := s.st.next("customer")
	cu := &customerRec{Seq: seq, ID: s.ids.uuid("customer", seq), Client: c.client.ID, Created: now}
	b.apply(cu, now)
	s.st.addCustomer(cu)
	s.changed()
	m := customerJSON(cu)
	s.end()
	c.w.Header().Set("Location", "/v1/customer/"+cu.ID)
	writeJSON(c.w, http.StatusCreated, m)
}

func (s *Server) findCustomer(c *call) {
	if !c.accountManager() {
		return
	}
	email := c.r.URL.Query().Get("email")
	if email == "" {
		c.badParams("query parameter email is required")
		return
	}
	s.begin()
	cu := s.st.custByEmail[emailKey(c.client.ID, email)]
	var m map[string]any
	if cu != nil {
		m = customerJSON(cu)
	}
	s.end()
	if m == nil {
		c.notFound("no customer with email %s", email)
		return
	}
	writeJSON(c.w, http.StatusOK, m)
}

func (s *Server) lookupCustomer(c *call, id string) (*customerRec, func()) {
	cu := s.st.custs[id]
	switch {
	case cu == nil:
		return nil, func() { c.notFound("no customer with id %s", id) }
	case cu.Client != c.client.ID:
		return nil, func() { c.denied("customer %s belongs to another client", id) }
	}
	return cu, nil
}

func (s *Server) getCustomer(c *call) {
	if !c.accountManager() {
		return
	}
	s.begin()
	cu, fail := s.lookupCustomer(c, c.r.PathValue("id"))
	var m map[string]any
	if cu != nil {
		m = customerJSON(cu)
	}
	s.end()
	if fail != nil {
		fail()
		return
	}
	writeJSON(c.w, http.StatusOK, m)
}

func (s *Server) patchCustomer(c *call) {
	if !c.accountManager() {
		return
	}
	var b customerBody
	if !c.decodeBody(&b) || !b.check(c, false) {
		return
	}
	now := s.begin()
	cu, fail := s.lookupCustomer(c, c.r.PathValue("id"))
	var m map[string]any
	if cu != nil {
		if b.Email != nil && !strings.EqualFold(*b.Email, cu.Email) {
			if s.st.custByEmail[emailKey(c.client.ID, *b.Email)] != nil {
				email := *b.Email
				fail = func() { c.badParams("a customer with email %s already exists", email) }
			} else {
				delete(s.st.custByEmail, emailKey(cu.Client, cu.Email))
			}
		}
		if fail == nil {
			b.apply(cu, now)
			s.st.custByEmail[emailKey(cu.Client, cu.Email)] = cu
			s.changed()
			m = customerJSON(cu)
		}
	}
	s.end()
	if fail != nil {
		fail()
		return
	}
	writeJSON(c.w, http.StatusOK, m)
}
