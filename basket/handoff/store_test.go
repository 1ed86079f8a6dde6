package handoff_test

import (
	"testing"

	"github.com/omnibasket/omnibasket/basket/handoff"
	"github.com/omnibasket/omnibasket/basket/handoff/handofftest"
)

// The in-memory stores are the reference: they pass the suites every
// shared store must pass.

func TestMemoryCodeStore(t *testing.T) {
	handofftest.RunCodeStoreTests(t, func(t *testing.T) handoff.CodeStore { return handoff.NewMemoryCodeStore() })
}

func TestMemoryAttemptStore(t *testing.T) {
	handofftest.RunAttemptStoreTests(t, func(t *testing.T) handoff.AttemptStore { return handoff.NewMemoryAttemptStore() })
}
