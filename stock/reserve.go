package stock

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"slices"
	"time"
)

// ReserveLine is a quantity of one SKU: a line to hold in a
// [ReserveRequest], or a line held by a [Reservation]. HeldSince and AtRisk
// belong to held lines only: they are ignored in a request
// ([ReserveRequest.Normalize] clears them), so a reservation's lines can be
// sent back as they are.
type ReserveLine struct {
	// SKU is the article.
	SKU string `json:"sku"`
	// Quantity is the number of whole units, > 0.
	Quantity int64 `json:"quantity"`
	// HeldSince ranks the hold against the other baskets' holds of the same
	// SKU at the same location: the older holds are covered first when a
	// stock feed lowers on-hand below what is held. The reserver sets it
	// when the line is taken; see [Reserver] for what replacement and
	// transfer do to it.
	HeldSince time.Time `json:"held_since,omitzero"`
	// AtRisk is the part of Quantity that on-hand no longer covers, as of
	// the read that returned it: 0 when the hold is whole (always so in what
	// Reserve and Transfer return: a line is whole when taken), never
	// negative, never above Quantity. [Reserver.Reservations] computes it.
	AtRisk int64 `json:"at_risk"`
}

// Covered returns the units of the line that on-hand covers: Quantity −
// AtRisk, within [0, Quantity] whatever AtRisk says.
func (l ReserveLine) Covered() int64 {
	q := max(l.Quantity, 0)
	return q - min(max(l.AtRisk, 0), q)
}

// ReserveRequest asks to hold Lines at LocationID for BasketID until
// ExpiresAt.
type ReserveRequest struct {
	// BasketID owns the reservation.
	BasketID string
	// RequestKey makes the call idempotent within the basket.
	RequestKey string
	// LocationID is where the units are held.
	LocationID string
	// Lines may repeat a SKU; they are merged.
	Lines []ReserveLine
	// ExpiresAt must be after the reserver's current time. It is not part
	// of the idempotency payload.
	ExpiresAt time.Time
}

// Reservation is units held for a basket at one location.
type Reservation struct {
	// BasketID owns the reservation, LocationID is where the units are
	// held, RequestKey the key of the call that last set its lines.
	BasketID   string `json:"basket_id"`
	LocationID string `json:"location_id"`
	RequestKey string `json:"request_key"`
	// Lines are sorted by SKU, one per SKU, each with a positive quantity,
	// its rank (HeldSince) and the part at risk (AtRisk). See
	// [HoldsAtRisk] to list the lines at risk.
	Lines []ReserveLine `json:"lines"`
	// ExpiresAt ends the reservation: it is active while now < ExpiresAt.
	ExpiresAt time.Time `json:"expires_at"`
}

// Active reports whether the reservation still holds its units at now:
// now < ExpiresAt. At ExpiresAt exactly it has expired.
func (r Reservation) Active(now time.Time) bool { return now.Before(r.ExpiresAt) }

// Quantity returns the quantity held for sku, 0 if none.
func (r Reservation) Quantity(sku string) int64 {
	l, _ := r.Line(sku)
	return l.Quantity
}

// Line returns the line held for sku; false if there is none.
func (r Reservation) Line(sku string) (ReserveLine, bool) {
	i, ok := slices.BinarySearchFunc(r.Lines, sku, func(l ReserveLine, s string) int { return cmp.Compare(l.SKU, s) })
	if !ok {
		return ReserveLine{}, false
	}
	return r.Lines[i], true
}

// Clone returns a copy that shares no memory with r.
func (r Reservation) Clone() Reservation {
	r.Lines = slices.Clone(r.Lines)
	return r
}

// TransferRequest asks to move the basket's reservation at From to To.
type TransferRequest struct {
	// BasketID owns the reservation.
	BasketID string
	// RequestKey makes the call idempotent within the basket.
	RequestKey string
	// From and To are distinct location IDs.
	From, To string
	// ExpiresAt is the expiry of the reservation at To; zero keeps the
	// expiry of the reservation at From. It is not part of the idempotency
	// payload.
	ExpiresAt time.Time
}

// Reserver holds stock for baskets. Implementations are safe for concurrent
// use and enforce the invariants themselves (never check-then-write in the
// caller):
//
//   - All or nothing: a call either fully succeeds or changes nothing.
//   - Never oversell: the units held by active reservations of a SKU at a
//     location never exceed its on-hand count at the time they are taken.
//     An unknown level supplies nothing (a [*ShortageError] matching
//     [ErrUnknown]).
//   - Expiry is judged when read, against the implementation's injected
//     clock: a reservation is active while now < ExpiresAt; an expired one
//     holds nothing, is not listed and cannot be extended, whether or not
//     anything has cleaned it up.
//   - A basket has at most one reservation per location.
//   - Idempotency per (BasketID, RequestKey), shared by Reserve and
//     Transfer: the first success is recorded with its payload (Reserve:
//     location and merged lines; Transfer: From and To; ExpiresAt is not
//     part of it, so a retry computed a moment later still matches). A
//     later call with the same key and the same payload returns that first
//     outcome unchanged and reserves nothing, even if the reservation has
//     since been released, replaced or has expired; with a different
//     payload it returns a [*ConflictError]. A failed attempt is not
//     recorded: its key may be retried, with any payload. Keys are
//     remembered for at least [KeyRetention].
//   - Checks run in this order: malformed input ([ErrInvalid]), then the
//     request key (replay or [ErrConflict]), then expiry in the past
//     ([ErrInvalid]), then state ([ErrNotFound], [ErrInsufficientStock]).
//
// Shrinkage never promises a unit twice. A stock feed may lower on-hand
// below what active reservations hold (the reservations are kept). The
// active holds of a SKU at a location are then ranked, oldest first: by
// [ReserveLine.HeldSince], ties broken by BasketID (byte order). On-hand
// covers them in that order until it runs out; the uncovered part of each
// hold is at risk ([ReserveLine.AtRisk], computed by Reservations when it
// reads, as [Cover] does). Hence:
//
//   - A conforming [Provider] reports Reserved = the units covered across
//     all holders = min(Σ active holds, OnHand); for basket X,
//     levels.WithoutReservations(X's reservations) subtracts X's covered
//     units only, so Available is OnHand − the units covered for other
//     baskets: what X may count on. Summed over all holders, the covered
//     units never exceed OnHand.
//   - Reserve grants a line to basket X if and only if its quantity is at
//     most that Available: the larger of the covered part of X's current
//     line of that SKU at that location and OnHand − Σ other baskets'
//     active holds. It never takes units covered for another basket, and
//     while OnHand ≤ Σ active holds a basket holding nothing there gets a
//     [*ShortageError]. Transfer grants what OnHand − Σ every active hold
//     at To (the basket's own included) allows. So what Reserve and
//     Transfer return is whole: AtRisk 0 on every line.
//   - HeldSince is the reserver's time when a line is taken. When Reserve
//     replaces the basket's active reservation at the location, a line
//     whose SKU the old reservation held in at least the same quantity
//     keeps its HeldSince (keeping or shrinking a hold keeps its rank);
//     a line that is new or grows is ranked as new. Transfer ranks every
//     line arriving at To as new (a SKU the basket already held at To is
//     merged into one line ranked as new); the lines the basket held at To
//     alone keep theirs. Extend and replays change no rank.
type Reserver interface {
	// Reserve holds every line of req at req.LocationID, or nothing. If the
	// basket already holds an active reservation at that location (under
	// another key) it is replaced atomically: its units count as available
	// to the new request, and on failure it is kept unchanged.
	Reserve(ctx context.Context, req ReserveRequest) (Reservation, error)
	// Release ends the basket's reservation at the location. Releasing
	// nothing (never reserved, already released or expired) is not an error.
	Release(ctx context.Context, basketID, locationID string) error
	// Extend moves the expiry of the basket's active reservation at the
	// location to until, which must be after now and not before the current
	// expiry ([ErrInvalid]). No active reservation gives [ErrNotFound].
	Extend(ctx context.Context, basketID, locationID string, until time.Time) error
	// Transfer moves the basket's active reservation at From to To: either
	// To holds every line (added to any reservation the basket already has
	// at To, which then takes req.RequestKey and the new expiry) and From is
	// released, or nothing changes. No active reservation at From gives
	// [ErrNotFound]; too little available at To a [*ShortageError].
	Transfer(ctx context.Context, req TransferRequest) (Reservation, error)
	// Reservations lists the basket's active reservations, sorted by
	// location; none gives an empty list. Each line's AtRisk is computed
	// against the on-hand counts and the other baskets' holds at the time
	// of the call.
	Reservations(ctx context.Context, basketID string) ([]Reservation, error)
}

// KeyRetention is the minimum time a [Reserver] remembers a request key
// after its first success.
const KeyRetention = 24 * time.Hour

// Normalize validates the request's shape and returns a copy whose lines are
// merged per SKU and sorted by SKU, with HeldSince and AtRisk cleared. It reports an empty ID or key, no lines,
// an empty SKU, a quantity not positive, a merged quantity overflowing int64
// or a zero ExpiresAt as an [*InputError]. Whether ExpiresAt is after now is
// for the reserver to check with its clock.
func (r ReserveRequest) Normalize() (ReserveRequest, error) {
	switch {
	case r.BasketID == "":
		return ReserveRequest{}, invalid("BasketID", "must not be empty")
	case r.RequestKey == "":
		return ReserveRequest{}, invalid("RequestKey", "must not be empty")
	case r.LocationID == "":
		return ReserveRequest{}, invalid("LocationID", "must not be empty")
	case len(r.Lines) == 0:
		return ReserveRequest{}, invalid("Lines", "at least one line is required")
	case r.ExpiresAt.IsZero():
		return ReserveRequest{}, invalid("ExpiresAt", "must be set")
	}
	for i, l := range r.Lines {
		if l.SKU == "" {
			return ReserveRequest{}, invalid(fmt.Sprintf("Lines[%d].SKU", i), "must not be empty")
		}
		if l.Quantity <= 0 {
			return ReserveRequest{}, invalid(fmt.Sprintf("Lines[%d].Quantity", i), "must be positive, got %d", l.Quantity)
		}
	}
	lines, overflow := mergeLines(r.Lines)
	if overflow != "" {
		return ReserveRequest{}, invalid("Lines", "total quantity of %q overflows", overflow)
	}
	for i := range lines { // a request has no rank and nothing at risk
		lines[i].HeldSince, lines[i].AtRisk = time.Time{}, 0
	}
	r.Lines = lines
	return r, nil
}

// mergeLines returns a new slice of lines sorted by SKU, one per SKU, and
// the first SKU whose total overflows int64 (its total is then wrong).
func mergeLines(in []ReserveLine) (lines []ReserveLine, overflow string) {
	if len(in) == 0 {
		return nil, ""
	}
	lines = slices.Clone(in)
	slices.SortStableFunc(lines, func(a, b ReserveLine) int { return cmp.Compare(a.SKU, b.SKU) })
	merged := lines[:1]
	for _, l := range lines[1:] {
		last := &merged[len(merged)-1]
		if l.SKU != last.SKU {
			merged = append(merged, l)
			continue
		}
		if overflow == "" && l.Quantity > 0 && last.Quantity > math.MaxInt64-l.Quantity {
			overflow = l.SKU
		}
		last.Quantity += l.Quantity
	}
	return slices.Clip(merged), overflow
}

// PayloadDigest returns a stable digest of what the request key stands
// for: the location and the lines (merged per SKU, whatever their order).
// Two requests with the same key and digest are the same request. It is
// meaningful for a request that passes [ReserveRequest.Normalize]; adapters
// may store it instead of the payload.
func (r ReserveRequest) PayloadDigest() string {
	lines := r.Lines
	if !slices.IsSortedFunc(lines, func(a, b ReserveLine) int { return cmp.Compare(a.SKU, b.SKU) }) || hasDupSKU(lines) {
		lines, _ = mergeLines(lines)
	}
	d := newDigest("reserve")
	d.str(r.LocationID)
	d.num(uint64(len(lines)))
	for _, l := range lines {
		d.str(l.SKU)
		d.num(uint64(l.Quantity))
	}
	return d.sum()
}

func hasDupSKU(lines []ReserveLine) bool {
	for i := 1; i < len(lines); i++ {
		if lines[i].SKU == lines[i-1].SKU {
			return true
		}
	}
	return false
}

// Validate reports an empty ID, key or location, or From equal to To, as an
// [*InputError]. Whether a non-zero ExpiresAt is after now is for the
// reserver to check with its clock.
func (r TransferRequest) Validate() error {
	switch {
	case r.BasketID == "":
		return invalid("BasketID", "must not be empty")
	case r.RequestKey == "":
		return invalid("RequestKey", "must not be empty")
	case r.From == "":
		return invalid("From", "must not be empty")
	case r.To == "":
		return invalid("To", "must not be empty")
	case r.From == r.To:
		return invalid("To", "same location as From (%q)", r.From)
	}
	return nil
}

// PayloadDigest returns a stable digest of what the request key stands for:
// From and To. It never equals the digest of a [ReserveRequest].
func (r TransferRequest) PayloadDigest() string {
	d := newDigest("transfer")
	d.str(r.From)
	d.str(r.To)
	return d.sum()
}

// digest writes length-prefixed fields so that different payloads cannot
// collide by concatenation.
type digest struct{ buf []byte }

func newDigest(kind string) *digest {
	d := &digest{buf: make([]byte, 0, 128)}
	d.str("omnibasket.stock.v1")
	d.str(kind)
	return d
}

func (d *digest) num(n uint64) { d.buf = binary.BigEndian.AppendUint64(d.buf, n) }

func (d *digest) str(s string) {
	d.num(uint64(len(s)))
	d.buf = append(d.buf, s...)
}

func (d *digest) sum() string {
	s := sha256.Sum256(d.buf)
	return hex.EncodeToString(s[:])
}

// MergeLines adds two lists of reservation lines, each sorted by SKU with
// one line per SKU (as in a [Reservation]), into a new list of the same
// form. A SKU in both lists gets the sum of the quantities and the later
// of the two HeldSince (the merged hold ranks as the newer one); every
// AtRisk of the result is 0. Stores use it when a transfer lands on a
// location where the basket already holds stock, after setting the
// HeldSince of the arriving lines.
func MergeLines(a, b []ReserveLine) []ReserveLine {
	out := make([]ReserveLine, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case j == len(b) || (i < len(a) && a[i].SKU < b[j].SKU):
			out = append(out, a[i])
			i++
		case i == len(a) || b[j].SKU < a[i].SKU:
			out = append(out, b[j])
			j++
		default:
			since := a[i].HeldSince
			if b[j].HeldSince.After(since) {
				since = b[j].HeldSince
			}
			out = append(out, ReserveLine{SKU: a[i].SKU, Quantity: a[i].Quantity + b[j].Quantity, HeldSince: since})
			i++
			j++
		}
		out[len(out)-1].AtRisk = 0
	}
	return out
}
