package loyalty

import (
	"context"
	"fmt"
	"time"
)

// Balance is one account as a [LoyaltySource] reports it.
type Balance struct {
	Account string `json:"account"`
	// Tier is the account's tier ("2", "gold"), empty for none; it selects
	// the earn multiplier ([Tier]).
	Tier string `json:"tier,omitempty"`
	// Available is what may be reserved now: the points held minus those
	// reserved; never negative.
	Available int64 `json:"available"`
	// Reserved is what open reservations hold.
	Reserved int64 `json:"reserved"`
}

// State is where a reservation stands.
type State uint8

// The reservation states. Reserved is the only open one.
const (
	Reserved  State = iota + 1 // the points are held, neither available nor spent
	Released                   // the points went back to the account (order abandoned)
	Committed                  // the points were spent (order paid or invoiced)
)

// String returns the lower-case name used in JSON.
func (s State) String() string {
	switch s {
	case Reserved:
		return "reserved"
	case Released:
		return "released"
	case Committed:
		return "committed"
	}
	return fmt.Sprintf("state(%d)", uint8(s))
}

// MarshalText encodes the state by name.
func (s State) MarshalText() ([]byte, error) {
	return marshalEnum(s, s >= Reserved && s <= Committed, "state")
}

// UnmarshalText decodes a state by name.
func (s *State) UnmarshalText(b []byte) error {
	return unmarshalEnum(s, b, Reserved, Committed, "state")
}

// ReserveRequest asks to hold Points of Account under the caller's ID.
type ReserveRequest struct {
	// ID is the caller's operation ID (for instance the basket ID and the
	// order number); it names the reservation afterwards.
	ID      string `json:"id"`
	Account string `json:"account"`
	Points  int64  `json:"points"`
}

// Validate reports the first malformed field as an [*InputError].
func (r ReserveRequest) Validate() error { return validateOp(r.ID, r.Account, r.Points) }

// Reservation is points held for an order.
type Reservation struct {
	ID      string `json:"id"`
	Account string `json:"account"`
	Points  int64  `json:"points"`
	State   State  `json:"state"`
}

// CreditRequest asks to add Points to Account under the caller's ID.
type CreditRequest struct {
	// ID is the caller's operation ID; it shares one namespace with the
	// reservation IDs.
	ID      string `json:"id"`
	Account string `json:"account"`
	Points  int64  `json:"points"`
}

// Validate reports the first malformed field as an [*InputError].
func (r CreditRequest) Validate() error { return validateOp(r.ID, r.Account, r.Points) }

func validateOp(id, account string, points int64) error {
	switch {
	case id == "":
		return invalid("ID", "must not be empty")
	case account == "":
		return invalid("Account", "must not be empty")
	case points <= 0:
		return invalid("Points", "must be positive, got %d", points)
	}
	return nil
}

// IDRetention is the minimum time a [LoyaltySource] remembers an operation
// ID after its reservation closed or its credit was made, so that a retry
// within it is recognised (a return weeks after the order still finds its
// reservation). An open reservation is remembered as long as it is open.
const IDRetention = 400 * 24 * time.Hour

// LoyaltySource is the platform's loyalty ledger, as the basket sees it:
// balances read in one call for many accounts, and points reserved at
// order, released on abandon, committed when burnt, credited when earned.
// Implementations are safe for concurrent use and enforce the invariants
// themselves (never check-then-write in the caller):
//
//   - Never overdraw: the points of open reservations never exceed what
//     the account holds; Available never goes negative, whatever the
//     concurrency.
//   - All or nothing: a call either fully succeeds or changes nothing.
//   - Idempotency by the caller's ID, one namespace for Reserve and Credit:
//     the first success is recorded with its content (kind, account,
//     points). A later call with the same ID and content succeeds without
//     doing anything again: Reserve returns the reservation as it is now
//     (possibly released or committed since), Credit adds nothing. With a
//     different content it returns a [*ConflictError]. A failed attempt is
//     not recorded: its ID may be retried, with any content. IDs are
//     remembered as [IDRetention] says.
//   - Release and Commit close an open reservation; each is idempotent
//     (repeating it succeeds and changes nothing), and each refuses a
//     reservation closed the other way with a [*ClosedError].
//   - Checks run in this order: malformed input ([ErrInvalid]), then the
//     ID (replay or [ErrConflict]), then state ([ErrNotFound],
//     [ErrInsufficientPoints]).
//   - A canceled context changes nothing and returns its error.
//
// Reservations do not expire: an order holds its points until it is paid
// or abandoned. Credit never fails for lack of points; clawing points back
// (a return of goods that earned them) is not part of this interface.
type LoyaltySource interface {
	// Balances returns one Balance per distinct known account among
	// accounts, sorted by account; an unknown account is absent. An empty
	// account ID is invalid.
	Balances(ctx context.Context, accounts []string) ([]Balance, error)
	// Reserve holds req.Points of req.Account, all or nothing. An unknown
	// account is a [*NotFoundError]; too few available points an
	// [*InsufficientError] naming the account.
	Reserve(ctx context.Context, req ReserveRequest) (Reservation, error)
	// Release ends the reservation: its points are available again. An
	// unknown ID is a [*NotFoundError]; a committed reservation a
	// [*ClosedError].
	Release(ctx context.Context, id string) (Reservation, error)
	// Commit spends the reservation's points: the account holds that many
	// fewer. An unknown ID is a [*NotFoundError]; a released reservation a
	// [*ClosedError].
	Commit(ctx context.Context, id string) (Reservation, error)
	// Credit adds req.Points to req.Account. An unknown account is a
	// [*NotFoundError]; a balance beyond int64 matches [ErrInvalid].
	Credit(ctx context.Context, req CreditRequest) error
}
