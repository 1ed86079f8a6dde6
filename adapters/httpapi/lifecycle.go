package httpapi

import (
	"math"
	"strconv"
	"time"

	"github.com/omnibasket/omnibasket/basket"
)

// ExpireIdempotency is the body of expireIdempotency.
type ExpireIdempotency struct {
	// RetentionSeconds is how long records are kept (default 86400, at
	// least 3600).
	RetentionSeconds int64 `json:"retention_seconds,omitempty"`
}

// SweepAbandoned is the body of sweepAbandoned.
type SweepAbandoned struct {
	// InactiveSeconds is how long a basket must have been left unchanged
	// (default 2592000, 30 days; at least 3600).
	InactiveSeconds int64 `json:"inactive_seconds,omitempty"`
	// Statuses are those swept: cart when omitted; wishlist and quote may
	// be added, no other.
	Statuses []basket.Status `json:"statuses,omitempty"`
	// Max is the most baskets abandoned by this call (default and
	// largest [MaxSweepPerRequest]), so that a call ends within the
	// request's time limit; call again until abandoned is below it.
	Max int `json:"max,omitempty"`
}

// MaxSweepPerRequest bounds the baskets one sweepAbandoned call abandons.
const MaxSweepPerRequest = 1000

// lifecycleRoutes are the System's data lifecycle: forgetting idempotency
// records, sweeping abandoned carts, erasing a customer.
func (a *API) lifecycleRoutes() []route {
	return []route{
		{method: "POST", path: "/v1/maintenance/idempotency-expiry", id: "expireIdempotency", tag: "lifecycle",
			summary: "Forget idempotency records past their retention",
			doc: "The System only. Deletes the idempotency records stored longer ago than the retention (a day by default), " +
				"in batches; a retry with a forgotten Idempotency-Key runs its request again. Safe to call from several " +
				"instances at once and to repeat; cmd/omnibasketd runs it every few minutes by itself.",
			body: &ExpireIdempotency{}, reply: &basket.ExpiryReport{}, serve: a.expireIdempotency},
		{method: "POST", path: "/v1/maintenance/abandoned-sweep", id: "sweepAbandoned", tag: "lifecycle",
			summary: "Abandon the carts left alone, releasing their holds",
			doc: "The System only. The carts (and, when asked, wishlists and quotes) unchanged for longer than the inactivity " +
				"(30 days by default) become abandoned, the oldest first, each with a status event and its stock holds released " +
				"in the same write. A basket changed since it was listed is skipped. At most `max` per call: call again until " +
				"`abandoned` is below it. Safe to repeat and to run from several instances.",
			body: &SweepAbandoned{}, reply: &basket.SweepReport{}, serve: a.sweepAbandoned},
		{method: "POST", path: "/v1/erasures", id: "eraseCustomer", tag: "lifecycle",
			summary: "Erase a customer's personal data",
			doc: "The System only, once the platform has verified the request. Replaces the customer's identity, loyalty account " +
				"and free text by a pseudonym made from the request's `id` in every basket that was theirs (and the anonymous ones " +
				"merged into them): snapshots, histories, the outbox, checkpoints, invoices and credit notes, which keep their " +
				"amounts and numbers; deletes their idempotency records. The receipt names the request and the pseudonym, never " +
				"the customer. Repeating the request changes nothing and answers an empty receipt. The customer ID travels in the " +
				"body, never in the path, so that it stays out of access logs.",
			body: &basket.Erasure{}, reply: &basket.ErasureReceipt{}, serve: a.erase},
	}
}

// durationSeconds reads an optional number of seconds (0: the default).
func durationSeconds(field string, n int64) (time.Duration, error) {
	if n < 0 || n > math.MaxInt64/int64(time.Second) {
		return 0, &RequestError{In: "body", Field: field, Reason: "must be a positive number of seconds"}
	}
	return time.Duration(n) * time.Second, nil
}

func (a *API) expireIdempotency(x *exchange) (any, error) {
	var body ExpireIdempotency
	if err := x.decode(&body); err != nil {
		return nil, err
	}
	retention, err := durationSeconds("retention_seconds", body.RetentionSeconds)
	if err != nil {
		return nil, err
	}
	return a.opts.Service.ExpireIdempotency(x.ctx(), x.actor, basket.ExpiryOptions{Retention: retention})
}

func (a *API) sweepAbandoned(x *exchange) (any, error) {
	var body SweepAbandoned
	if err := x.decode(&body); err != nil {
		return nil, err
	}
	inactivity, err := durationSeconds("inactive_seconds", body.InactiveSeconds)
	if err != nil {
		return nil, err
	}
	switch {
	case body.Max < 0 || body.Max > MaxSweepPerRequest:
		return nil, &RequestError{In: "body", Field: "max", Reason: "must be from 1 to " + strconv.Itoa(MaxSweepPerRequest)}
	case body.Max == 0:
		body.Max = MaxSweepPerRequest
	}
	return a.opts.Service.SweepAbandoned(x.ctx(), x.actor, basket.SweepOptions{Inactivity: inactivity, Statuses: body.Statuses, Max: body.Max})
}

func (a *API) erase(x *exchange) (any, error) {
	var body basket.Erasure
	if err := x.decode(&body); err != nil {
		return nil, err
	}
	return a.opts.Service.Erase(x.ctx(), x.actor, body)
}
