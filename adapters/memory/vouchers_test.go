package memory_test

import (
	"testing"

	"github.com/omnibasket/omnibasket/adapters/memory"
	"github.com/omnibasket/omnibasket/clock"
	"github.com/omnibasket/omnibasket/payment/paymenttest"
)

func TestVoucherStore(t *testing.T) {
	paymenttest.RunVoucherSourceTests(t, func(t *testing.T) paymenttest.Harness {
		clk := clock.NewFake(paymenttest.Epoch)
		s := memory.NewVoucherStore(clk)
		return paymenttest.Harness{Source: s, Issue: s.Issue, Block: s.Block, Clock: clk}
	})
}
