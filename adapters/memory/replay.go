package memory

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/omnibasket/omnibasket/basket/handoff"
	"github.com/omnibasket/omnibasket/clock"
)

// ReplayStore is an in-memory [handoff.ReplayStore]: it remembers the nonces
// of redeemed handoff tokens so that each token is redeemed at most once. It
// is safe for concurrent use; of any number of concurrent Consume calls with
// the same nonce exactly one succeeds.
//
// A nonce is remembered until the expiresAt given to Consume, as told by the
// injected clock; after that the token it belongs to is refused anyway, so
// the store forgets it. Expired nonces are pruned lazily, when the number of
// remembered nonces has doubled since the last pruning, so the store holds
// at most about twice the peak number of live nonces, at an amortized O(1)
// cost per call. It holds one process's memory: a deployment with several instances
// needs a shared store (PostgreSQL).
type ReplayStore struct {
	clock clock.Clock

	mu      sync.Mutex
	seen    map[string]time.Time // nonce → expiresAt
	pruneAt int                  // prune when len(seen) reaches this
}

// NewReplayStore returns an empty store that judges expiry with clk (nil
// means [clock.System]).
func NewReplayStore(clk clock.Clock) *ReplayStore {
	if clk == nil {
		clk = clock.System{}
	}
	return &ReplayStore{clock: clk, seen: make(map[string]time.Time), pruneAt: minPrune}
}

const minPrune = 1024

// Consume records nonce as used until expiresAt. It returns
// [handoff.ErrAlreadyUsed] if nonce is already recorded and not yet expired,
// [handoff.ErrInvalid] for an empty nonce, and ctx's error if ctx is done;
// in those cases nothing changes.
func (s *ReplayStore) Consume(ctx context.Context, nonce []byte, expiresAt time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(nonce) == 0 {
		return fmt.Errorf("%w: empty nonce", handoff.ErrInvalid)
	}
	now := s.clock.Now()
	key := string(nonce) // a copy: the caller's slice is not retained

	s.mu.Lock()
	defer s.mu.Unlock()
	if exp, ok := s.seen[key]; ok && now.Before(exp) {
		return handoff.ErrAlreadyUsed
	}
	s.seen[key] = expiresAt
	if len(s.seen) >= s.pruneAt {
		for k, exp := range s.seen {
			if !now.Before(exp) {
				delete(s.seen, k)
			}
		}
		s.pruneAt = max(minPrune, 2*len(s.seen))
	}
	return nil
}

// Len returns the number of nonces currently held, expired or not (pruning
// is lazy). It is meant for tests and metrics.
func (s *ReplayStore) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.seen)
}
