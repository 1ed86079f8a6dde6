package stock_test

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/omnibasket/omnibasket/stock"
)

func TestMoveKindString(t *testing.T) {
	for k, want := range map[stock.MoveKind]string{
		stock.MoveHold: "hold", stock.MoveRelease: "release", stock.MoveDeduct: "deduct",
		stock.MoveTransfer: "transfer", stock.MoveRestock: "restock", 0: "move-kind(0)", 9: "move-kind(9)",
	} {
		require.Equal(t, want, k.String())
	}
}

// validChange has one movement of every kind, each valid.
func validChange() stock.Change {
	exp := asOf.Add(time.Hour)
	lines := func() []stock.ReserveLine { return []stock.ReserveLine{{SKU: "a", Quantity: 1}} }
	return stock.Change{BasketID: "b1", Movements: []stock.Movement{
		{Kind: stock.MoveHold, LocationID: "x", Lines: lines(), ExpiresAt: exp},
		{Kind: stock.MoveRelease, LocationID: "x"},
		{Kind: stock.MoveDeduct, LocationID: "x", Lines: lines()},
		{Kind: stock.MoveTransfer, LocationID: "x", To: "y", Lines: lines(), ExpiresAt: exp},
		{Kind: stock.MoveRestock, LocationID: "x", Lines: lines()},
	}}
}

func TestChangeValidate(t *testing.T) {
	require.NoError(t, validChange().Validate())
	exp := asOf.Add(time.Hour)
	for _, tt := range []struct {
		name  string
		edit  func(c *stock.Change)
		field string
	}{
		{"no basket", func(c *stock.Change) { c.BasketID = "" }, "BasketID"},
		{"no movement", func(c *stock.Change) { c.Movements = nil }, "Movements"},
		{"zero kind", func(c *stock.Change) { c.Movements[1].Kind = 0 }, "Movements[1].Kind"},
		{"unknown kind", func(c *stock.Change) { c.Movements[4].Kind = stock.MoveRestock + 1 }, "Movements[4].Kind"},
		{"no location", func(c *stock.Change) { c.Movements[2].LocationID = "" }, "Movements[2].LocationID"},
		{"transfer without destination", func(c *stock.Change) { c.Movements[3].To = "" }, "Movements[3].To"},
		{"transfer to its source", func(c *stock.Change) { c.Movements[3].To = "x" }, "Movements[3].To"},
		{"hold with a destination", func(c *stock.Change) { c.Movements[0].To = "y" }, "Movements[0].To"},
		{"restock with a destination", func(c *stock.Change) { c.Movements[4].To = "y" }, "Movements[4].To"},
		{"hold without expiry", func(c *stock.Change) { c.Movements[0].ExpiresAt = time.Time{} }, "Movements[0].ExpiresAt"},
		{"transfer without expiry", func(c *stock.Change) { c.Movements[3].ExpiresAt = time.Time{} }, "Movements[3].ExpiresAt"},
		{"release with expiry", func(c *stock.Change) { c.Movements[1].ExpiresAt = exp }, "Movements[1].ExpiresAt"},
		{"deduct with expiry", func(c *stock.Change) { c.Movements[2].ExpiresAt = exp }, "Movements[2].ExpiresAt"},
		{"restock with expiry", func(c *stock.Change) { c.Movements[4].ExpiresAt = exp }, "Movements[4].ExpiresAt"},
		{"hold without lines", func(c *stock.Change) { c.Movements[0].Lines = nil }, "Movements[0].Lines"},
		{"deduct without lines", func(c *stock.Change) { c.Movements[2].Lines = nil }, "Movements[2].Lines"},
		{"transfer without lines", func(c *stock.Change) { c.Movements[3].Lines = nil }, "Movements[3].Lines"},
		{"restock without lines", func(c *stock.Change) { c.Movements[4].Lines = []stock.ReserveLine{} }, "Movements[4].Lines"},
		{"empty SKU", func(c *stock.Change) { c.Movements[2].Lines[0].SKU = "" }, "Movements[2].Lines[0].SKU"},
		{"zero quantity", func(c *stock.Change) {
			c.Movements[1].Lines = []stock.ReserveLine{{SKU: "a", Quantity: 1}, {SKU: "b"}}
		}, "Movements[1].Lines[1].Quantity"},
		{"negative quantity", func(c *stock.Change) { c.Movements[4].Lines[0].Quantity = -2 }, "Movements[4].Lines[0].Quantity"},
		{"overflow", func(c *stock.Change) {
			c.Movements[4].Lines = []stock.ReserveLine{{SKU: "a", Quantity: math.MaxInt64}, {SKU: "a", Quantity: 1}}
		}, "Movements[4].Lines"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := validChange()
			tt.edit(&c)
			for _, err := range []error{c.Validate(), func() error { _, err := c.Normalize(); return err }()} {
				require.ErrorIs(t, err, stock.ErrInvalid)
				var ie *stock.InputError
				require.ErrorAs(t, err, &ie)
				require.Equal(t, tt.field, ie.Field)
			}
		})
	}
}

// The first malformed part is the one reported.
func TestChangeValidateReportsFirst(t *testing.T) {
	c := validChange()
	c.Movements[1].LocationID = ""
	c.Movements[3].Lines = nil
	var ie *stock.InputError
	require.ErrorAs(t, c.Validate(), &ie)
	require.Equal(t, "Movements[1].LocationID", ie.Field)
}

func TestChangeNormalize(t *testing.T) {
	exp := asOf.Add(time.Hour)
	c := stock.Change{BasketID: "b1", Movements: []stock.Movement{
		{Kind: stock.MoveHold, LocationID: "x", ExpiresAt: exp, Lines: []stock.ReserveLine{
			{SKU: "c", Quantity: 1, HeldSince: asOf, AtRisk: 1}, {SKU: "a", Quantity: 2}, {SKU: "c", Quantity: 4}}},
		{Kind: stock.MoveRelease, LocationID: "x"},
		{Kind: stock.MoveTransfer, LocationID: "x", To: "y", ExpiresAt: exp, Lines: []stock.ReserveLine{{SKU: "b", Quantity: 3, AtRisk: 2}}},
	}}
	n, err := c.Normalize()
	require.NoError(t, err)
	require.Equal(t, stock.Change{BasketID: "b1", Movements: []stock.Movement{
		{Kind: stock.MoveHold, LocationID: "x", ExpiresAt: exp, Lines: []stock.ReserveLine{{SKU: "a", Quantity: 2}, {SKU: "c", Quantity: 5}}},
		{Kind: stock.MoveRelease, LocationID: "x"},
		{Kind: stock.MoveTransfer, LocationID: "x", To: "y", ExpiresAt: exp, Lines: []stock.ReserveLine{{SKU: "b", Quantity: 3}}},
	}}, n)
	// The input is untouched and shares nothing with the result.
	require.Equal(t, stock.ReserveLine{SKU: "c", Quantity: 1, HeldSince: asOf, AtRisk: 1}, c.Movements[0].Lines[0])
	require.Equal(t, int64(2), c.Movements[2].Lines[0].AtRisk)
	n.Movements[0].Kind = stock.MoveDeduct
	require.Equal(t, stock.MoveHold, c.Movements[0].Kind)

	_, err = stock.Change{}.Normalize()
	require.ErrorIs(t, err, stock.ErrInvalid)
}
