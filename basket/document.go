package basket

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/catalog"
	"github.com/omnibasket/omnibasket/pricing"
)

// DocumentKind is the sort of financial document.
type DocumentKind uint8

// The document kinds. The zero value is invalid.
const (
	// Invoice bills an order.
	Invoice DocumentKind = iota + 1
	// CreditNote refunds part of an invoiced order (a return).
	CreditNote
)

// String names the kind.
func (k DocumentKind) String() string {
	switch k {
	case Invoice:
		return "invoice"
	case CreditNote:
		return "credit-note"
	}
	return fmt.Sprintf("document-kind(%d)", uint8(k))
}

// MarshalText encodes the kind by name.
func (k DocumentKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText decodes a kind by name.
func (k *DocumentKind) UnmarshalText(b []byte) error {
	v, err := parseEnum(b, Invoice, CreditNote, "DocumentKind")
	if err == nil {
		*k = v
	}
	return err
}

// Document is an invoice or a credit note: immutable once stored, numbered
// by the store from a gapless, chronological sequence per series.
type Document struct {
	ID   uuid.UUID    `json:"id"`
	Kind DocumentKind `json:"kind"`
	// Series is the numbering sequence ("INV-maison", "CN-lyon-bellecour"
	// …); Number its place in it, 1, 2, 3 …, assigned by the store when
	// the document is saved: never reused, never skipped, in IssuedAt
	// order.
	Series   string    `json:"series"`
	Number   int64     `json:"number"`
	IssuedAt time.Time `json:"issued_at"`
	// BasketID is the order; CustomerID its owner (empty for an anonymous
	// shopper); ChannelID and LocationID where it was sold (invoice) or
	// returned (credit note).
	BasketID   uuid.UUID `json:"basket_id"`
	CustomerID string    `json:"customer_id,omitempty"`
	ChannelID  string    `json:"channel_id"`
	LocationID string    `json:"location_id,omitempty"`
	// Lines are the goods and services as priced (an invoice) or as
	// returned (a credit note), sorted by line ID.
	Lines []DocumentLine `json:"lines"`
	// Fees are the fulfilment fees billed (invoice only).
	Fees []PricedFee `json:"fees,omitempty"`
	// Taxes break the total down per tax rate, sorted by rate.
	Taxes []TaxAmount `json:"taxes"`
	// Net + Tax = Total, exactly; Total = Σ Taxes[i].Gross.
	Net   pricing.Money `json:"net"`
	Tax   pricing.Money `json:"tax"`
	Total pricing.Money `json:"total"`
	// Adjustment is Total − Σ Lines[i].Total − Σ Fees[i].Total, zero on an
	// invoice. On a credit note the lines are the returned units as the
	// order charged them, and the refund differs from them where the
	// return changed what the kept lines cost ([QuoteReturn]): negative
	// where a promotion the return broke takes its benefit back (Broken
	// says which), positive where the refund gives back more than the
	// units (a fee the kept lines no longer incur, an amount off that the
	// kept lines now carry alone).
	Adjustment pricing.Money `json:"adjustment"`
	// Adjustments split Adjustment per tax rate, sorted by rate: at each
	// rate, the lines at that rate plus its adjustment make its entry in
	// Taxes, for Net, Tax and Gross alike.
	Adjustments []TaxAmount `json:"adjustments,omitempty"`
	// Broken are, on a credit note, the promotions the return broke.
	Broken []BrokenPromotion `json:"broken,omitempty"`
	// Corrects is, for a credit note, the invoice it corrects; ReturnID
	// the return it refunds.
	Corrects uuid.UUID `json:"corrects,omitzero"`
	ReturnID string    `json:"return_id,omitempty"`
}

// DocumentLine is one line of a document. UnitPrice is the unit price
// charged in minor units; a price more precise than the currency (0.0125
// EUR a screw, 12.50 EUR per 1,000) shows there rounded, and exactly in
// PreciseUnitPrice, set only then: the document prints the price the line
// was computed from, as [PricedLine] does.
type DocumentLine struct {
	LineID           string            `json:"line_id"`
	SKU              string            `json:"sku"`
	Name             string            `json:"name"`
	Quantity         int64             `json:"quantity"`
	Unit             catalog.Unit      `json:"unit,omitempty"` // measured goods: Quantity in thousandths of it, UnitPrice per it
	UnitPrice        pricing.Money     `json:"unit_price"`
	PreciseUnitPrice pricing.UnitPrice `json:"precise_unit_price,omitzero"`
	Discount         pricing.Money     `json:"discount"`
	TaxRate          pricing.Rate      `json:"tax_rate"`
	Net              pricing.Money     `json:"net"`
	Tax              pricing.Money     `json:"tax"`
	Total            pricing.Money     `json:"total"`
}

// DocumentRef is what an order keeps of a document issued for it; the
// document itself (with its number) is in the [DocumentStore].
type DocumentRef struct {
	ID       uuid.UUID     `json:"id"`
	Kind     DocumentKind  `json:"kind"`
	Series   string        `json:"series"`
	IssuedAt time.Time     `json:"issued_at"`
	Total    pricing.Money `json:"total"`
	ReturnID string        `json:"return_id,omitempty"`
}

// DocumentStore is a [Store] that keeps documents. Documents are written
// by [Store.Save] (Write.Documents), in the same transaction as the basket
// event that issues them, which is what makes numbering gapless: a number
// is taken only by a document that is stored.
type DocumentStore interface {
	Store
	// Documents returns the documents of the given baskets, sorted by
	// IssuedAt, then Series, then Number. Unknown baskets have none.
	Documents(ctx context.Context, basketIDs []uuid.UUID) ([]Document, error)
}
