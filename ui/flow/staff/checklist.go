package staff

import (
	"slices"
	"strings"

	"github.com/jpki-kiosk/kiosk/policy"
)

// Item is one line of a checklist.
type Item struct {
	Doc      policy.Document
	Identity bool                // answered with identity document kinds
	Rule     policy.IdentityRule // for identity items
	Checked  bool                // ticked (non-identity items)
	IDs      []policy.IDDocument // kinds shown (identity items)
}

// Done reports whether the item is satisfied.
func (it Item) Done() bool {
	if it.Identity {
		return policy.IdentitySatisfied(it.Rule, it.IDs)
	}
	return it.Checked
}

// Checklist is the clerk's document checklist of a case.
type Checklist struct {
	Items []Item
}

// NewChecklist builds a checklist from policy's document codes; identity
// documents become identity items with policy's rule.
func NewChecklist(docs []policy.Document) *Checklist {
	c := &Checklist{}
	for _, d := range docs {
		it := Item{Doc: d}
		switch {
		case d == DocHolderIdentity:
			it.Identity, it.Rule = true, policy.PhotoOrTwo
		case policy.IsIdentityDocument(d):
			it.Identity, it.Rule = true, policy.IdentityRuleFor(d)
		}
		c.Items = append(c.Items, it)
	}
	return c
}

func (c *Checklist) item(d policy.Document) *Item {
	for i := range c.Items {
		if c.Items[i].Doc == d {
			return &c.Items[i]
		}
	}
	return nil
}

// Has reports whether the list holds d.
func (c *Checklist) Has(d policy.Document) bool { return c.item(d) != nil }

// Tick sets a plain item.
func (c *Checklist) Tick(d policy.Document, on bool) {
	if it := c.item(d); it != nil && !it.Identity {
		it.Checked = on
	}
}

// ToggleID adds or removes a document kind shown for an identity item.
func (c *Checklist) ToggleID(d policy.Document, id policy.IDDocument) {
	it := c.item(d)
	if it == nil || !it.Identity {
		return
	}
	if i := slices.Index(it.IDs, id); i >= 0 {
		it.IDs = slices.Delete(it.IDs, i, i+1)
	} else {
		it.IDs = append(it.IDs, id)
	}
}

// Shown reports whether id is marked shown for identity item d.
func (c *Checklist) Shown(d policy.Document, id policy.IDDocument) bool {
	it := c.item(d)
	return it != nil && slices.Contains(it.IDs, id)
}

// Missing lists the items of scope not yet satisfied.
func (c *Checklist) Missing(scope func(policy.Document) bool) []policy.Document {
	var out []policy.Document
	for _, it := range c.Items {
		if (scope == nil || scope(it.Doc)) && !it.Done() {
			out = append(out, it.Doc)
		}
	}
	return out
}

// Codes returns the satisfied items as lower-case codes for the store
// (identity items also name the kinds shown, as id_KIND).
func (c *Checklist) Codes(scope func(policy.Document) bool) []string {
	var out []string
	for _, it := range c.Items {
		if (scope != nil && !scope(it.Doc)) || !it.Done() {
			continue
		}
		out = append(out, strings.ToLower(string(it.Doc)))
		out = append(out, idCodes(it.IDs)...)
	}
	return out
}

// Identities returns every identity document kind shown, once.
func (c *Checklist) Identities() []policy.IDDocument {
	var out []policy.IDDocument
	for _, it := range c.Items {
		for _, id := range it.IDs {
			if !slices.Contains(out, id) {
				out = append(out, id)
			}
		}
	}
	return out
}

// FirstVisit is the scope of a proxy's first visit: everything but the
// returned inquiry letter (照会書兼回答書).
func FirstVisit(d policy.Document) bool { return d != policy.DocInquiryReply }

// SecondVisit is the scope of a proxy's second visit: the returned inquiry
// letter, the card, and the proxy's identity again.
func SecondVisit(d policy.Document) bool {
	return d == policy.DocInquiryReply || d == policy.DocMyNumberCard || policy.IsIdentityDocument(d)
}
