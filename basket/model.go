package basket

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/catalog"
	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/pricing"
)

// MaxQuantity bounds a line's quantity. It is far above any retail basket
// and far below what could overflow money arithmetic on a realistic price;
// a bigger order is a B2B quote with its own process.
const MaxQuantity = 100_000

// MaxLines bounds the number of lines of one basket.
const MaxLines = 1_000

// Basket is the aggregate: one shopper's basket, whatever the channel. It
// is a plain value that the commands of this package change through events
// ([Basket.Apply]); the zero Basket is not valid, start with [New].
type Basket struct {
	ID      uuid.UUID `json:"id"`
	Version int64     `json:"version"` // number of events applied
	Owner   Owner     `json:"owner"`
	Status  Status    `json:"status"`
	// QuoteLockedUntil is when the prices of a quote stop being locked.
	QuoteLockedUntil time.Time `json:"quote_locked_until,omitzero"`
	Lines            []Line    `json:"lines"` // sorted by line ID
	Wallet           Wallet    `json:"wallet"`
	// Context is the channel the basket is currently served in.
	Context channel.Context `json:"context"`
	// Result is the last pricing in Context; nil until first priced.
	Result    *Result   `json:"result,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// NextLine numbers the next line; IDs are never reused within a basket.
	NextLine int `json:"next_line"`
	// Grants are the store locations whose associates may serve the basket
	// after a check-in, sorted by location.
	Grants []Grant `json:"grants,omitempty"`
	// Overrides are the associates' price overrides in force, one per
	// line at most, sorted by line ID ([Service.OverridePrice]).
	Overrides []Override `json:"overrides,omitempty"`
	// Holds are the stock a cart holds before it is ordered (a shopper
	// who will come and collect this afternoon): set by [Service.Hold],
	// ended by ordering, abandoning or expiry. An order's holds are in its
	// fulfilment orders instead.
	Holds *CartHold `json:"holds,omitempty"`
	// Order is set when the basket is placed as an order ([Service.PlaceOrder]).
	Order *Order `json:"order,omitempty"`
	// Payment holds the tenders offered ([Service.AddTender]) and, once
	// paid, the settlement ([Service.Pay]); nil when none was offered.
	Payment *Payment `json:"payment,omitempty"`
	// Arrival is the shopper's own check-in at a store by its location
	// tag ([Service.SelfCheckIn]), until the basket checks out; nil when
	// the shopper has not arrived anywhere.
	Arrival *Arrival `json:"arrival,omitempty"`
}

// Grant lets the associates of one location serve a basket until it
// expires or the shopper checks out. A basket ID alone grants nothing.
type Grant struct {
	LocationID string    `json:"location_id"`
	GrantedBy  string    `json:"granted_by"` // the associate who redeemed the check-in
	ExpiresAt  time.Time `json:"expires_at"`
}

// Owner is who the basket belongs to: a customer, or an anonymous session
// until the shopper signs in and the basket is merged.
type Owner struct {
	CustomerID  string `json:"customer_id,omitempty"`
	AnonymousID string `json:"anonymous_id,omitempty"`
}

// IsAnonymous reports whether no customer owns the basket yet.
func (o Owner) IsAnonymous() bool { return o.CustomerID == "" }

// String identifies the owner for logs and events.
func (o Owner) String() string {
	if o.CustomerID != "" {
		return "customer:" + o.CustomerID
	}
	return "anonymous:" + o.AnonymousID
}

func (o Owner) validate() error {
	if (o.CustomerID == "") == (o.AnonymousID == "") {
		return invalid("Owner", "exactly one of CustomerID and AnonymousID must be set")
	}
	return nil
}

// Product is the snapshot of product attributes a line keeps, so that the
// basket can be priced, taxed and explained without the catalogue.
type Product struct {
	Name        string   `json:"name"`
	Categories  []string `json:"categories,omitempty"`
	TaxCategory string   `json:"tax_category"`
}

func (p Product) equal(o Product) bool {
	return p.Name == o.Name && p.TaxCategory == o.TaxCategory && slices.Equal(p.Categories, o.Categories)
}

// Line is one SKU in the basket.
type Line struct {
	ID  string `json:"id"`
	SKU string `json:"sku"`
	// Quantity is a number of units, or for weighed and measured goods
	// (Unit set) a number of thousandths of Unit: 0.347 kg is 347 (see
	// [MeasureDecimals]).
	Quantity int64 `json:"quantity"`
	// Unit is the unit of measure of weighed and measured goods (kg, g, m,
	// l); catalog.Each, the zero value and absent from JSON, for counted
	// goods.
	Unit    catalog.Unit `json:"unit,omitempty"`
	Product Product      `json:"product"`
	// ParentID links a service line (gift wrap, assembly) to the line it
	// serves; removing the parent removes its services.
	ParentID string `json:"parent_id,omitempty"`
	// Fulfilment is the shopper's preferred mode for this line, 0 for none.
	Fulfilment channel.FulfilmentMode `json:"fulfilment,omitempty"`
}

// Wallet is what the shopper carries from channel to channel. Nothing in
// it is ever dropped by a channel change: a code that a channel does not
// honour stays here and is reported as such.
type Wallet struct {
	Coupons  []string `json:"coupons,omitempty"`  // normalised, sorted
	Vouchers []string `json:"vouchers,omitempty"` // gift-voucher codes, kept for payment; sorted
	Loyalty  *Loyalty `json:"loyalty,omitempty"`
}

// Loyalty is the shopper's loyalty account.
type Loyalty struct {
	Account string `json:"account"`
	Tier    string `json:"tier,omitempty"`
	// Burn is the points the shopper asks to burn ([Service.UseLoyaltyPoints]);
	// what is burnt is decided at pricing (Result.Loyalty).
	Burn int64 `json:"burn,omitempty"`
}

func (w Wallet) clone() Wallet {
	w.Coupons = slices.Clone(w.Coupons)
	w.Vouchers = slices.Clone(w.Vouchers)
	if w.Loyalty != nil {
		l := *w.Loyalty
		w.Loyalty = &l
	}
	return w
}

// Line returns the line with the given ID.
func (b *Basket) Line(id string) (Line, bool) {
	i, ok := b.lineIndex(id)
	if !ok {
		return Line{}, false
	}
	return b.Lines[i], true
}

func (b *Basket) lineIndex(id string) (int, bool) {
	return slices.BinarySearchFunc(b.Lines, id, func(l Line, id string) int { return compareLineIDs(l.ID, id) })
}

// lineID formats line numbers so that string order is numeric order
// ("L0001" < "L0010"), which keeps every output sorted the same way.
func lineID(n int) string { return fmt.Sprintf("L%04d", n) }

func compareLineIDs(a, b string) int {
	if len(a) != len(b) {
		return len(a) - len(b)
	}
	return strings.Compare(a, b) // one comparison, where a < b then a > b made two
}

// Clone returns a deep copy.
func (b *Basket) Clone() *Basket {
	c := *b
	c.Lines = make([]Line, len(b.Lines))
	for i, l := range b.Lines {
		l.Product.Categories = slices.Clone(l.Product.Categories)
		c.Lines[i] = l
	}
	c.Wallet = b.Wallet.clone()
	c.Context = b.Context.Clone()
	c.Grants = slices.Clone(b.Grants)
	if b.Arrival != nil {
		a := *b.Arrival
		c.Arrival = &a
	}
	c.Overrides = slices.Clone(b.Overrides) // never mutated in place: replaced
	if b.Holds != nil {
		h := *b.Holds
		h.Lines = slices.Clone(h.Lines)
		c.Holds = &h
	}
	if b.Order != nil {
		// Terms and each fulfilment order's lines are never mutated in
		// place; the lists that events append to or update are copied.
		o := *b.Order
		o.Fulfilment = slices.Clone(o.Fulfilment)
		o.Returns = slices.Clone(o.Returns)
		o.Documents = slices.Clone(o.Documents)
		c.Order = &o
	}
	if b.Payment != nil {
		// The settlement paid is never mutated in place; the tenders are.
		p := *b.Payment
		p.Tenders = slices.Clone(p.Tenders)
		c.Payment = &p
	}
	if b.Result != nil {
		// Results are never mutated in place; sharing is safe.
		r := *b.Result
		c.Result = &r
	}
	return &c
}

// Currency returns the currency of the basket's current context.
func (b *Basket) Currency() (pricing.Currency, error) {
	return pricing.LookupCurrency(b.Context.Currency)
}

// MarshalJSON encodes the basket deterministically (fields in declaration
// order, lines sorted), so equal baskets have equal bytes.
func (b *Basket) MarshalJSON() ([]byte, error) {
	type plain Basket
	return json.Marshal((*plain)(b))
}

// UnmarshalJSON decodes a basket and checks its invariants
// ([Basket.Validate]): a stored or transmitted basket that no command
// could have produced is refused with an error matching [ErrInvalid], and
// the receiver is left unchanged.
func (b *Basket) UnmarshalJSON(data []byte) error {
	type plain Basket // no methods: decoding it does not recurse
	var v plain
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	d := (*Basket)(&v)
	if err := d.Validate(); err != nil {
		return err
	}
	*b = *d
	return nil
}
