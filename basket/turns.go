package basket

import (
	"context"

	"github.com/google/uuid"
)

// turns queues the commands of one Service instance per basket. Optimistic
// concurrency lets only one writer of a version win, so writers of one
// basket inside one process gain nothing by racing: they would re-read,
// re-price and lose again. Waiting for their turn instead means conflicts
// only come from other instances, and those the backoff spreads out.
// Baskets share one of a fixed number of turnstiles by ID, so memory does
// not grow with the number of baskets; two baskets that share one merely
// queue behind each other.
type turns struct {
	gates []chan struct{}
}

const turnstiles = 256

func newTurns() *turns {
	t := &turns{gates: make([]chan struct{}, turnstiles)}
	for i := range t.gates {
		t.gates[i] = make(chan struct{}, 1)
	}
	return t
}

// wait takes the basket's turn, or gives up when ctx is done; the returned
// function gives the turn back.
func (t *turns) wait(ctx context.Context, id uuid.UUID) (func(), error) {
	g := t.gates[(uint(id[14])<<8|uint(id[15]))%turnstiles]
	select {
	case g <- struct{}{}:
		return func() { <-g }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
