package stock_test

import (
	"errors"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/omnibasket/omnibasket/stock"
)

func TestReserveRequestNormalize(t *testing.T) {
	exp := asOf.Add(time.Minute)
	req := stock.ReserveRequest{BasketID: "b", RequestKey: "k", LocationID: "x", ExpiresAt: exp,
		Lines: []stock.ReserveLine{{SKU: "c", Quantity: 1}, {SKU: "a", Quantity: 2}, {SKU: "c", Quantity: 4}}}
	n, err := req.Normalize()
	require.NoError(t, err)
	require.Equal(t, []stock.ReserveLine{{SKU: "a", Quantity: 2}, {SKU: "c", Quantity: 5}}, n.Lines)
	require.Equal(t, stock.ReserveLine{SKU: "c", Quantity: 1}, req.Lines[0], "input untouched")

	for _, tt := range []struct {
		name  string
		edit  func(r *stock.ReserveRequest)
		field string
	}{
		{"basket", func(r *stock.ReserveRequest) { r.BasketID = "" }, "BasketID"},
		{"key", func(r *stock.ReserveRequest) { r.RequestKey = "" }, "RequestKey"},
		{"location", func(r *stock.ReserveRequest) { r.LocationID = "" }, "LocationID"},
		{"no lines", func(r *stock.ReserveRequest) { r.Lines = nil }, "Lines"},
		{"expiry", func(r *stock.ReserveRequest) { r.ExpiresAt = time.Time{} }, "ExpiresAt"},
		{"sku", func(r *stock.ReserveRequest) { r.Lines = []stock.ReserveLine{{Quantity: 1}} }, "Lines[0].SKU"},
		{"zero qty", func(r *stock.ReserveRequest) { r.Lines = []stock.ReserveLine{{SKU: "a", Quantity: 1}, {SKU: "a"}} }, "Lines[1].Quantity"},
		{"negative qty", func(r *stock.ReserveRequest) { r.Lines = []stock.ReserveLine{{SKU: "a", Quantity: -1}} }, "Lines[0].Quantity"},
		{"overflow", func(r *stock.ReserveRequest) {
			r.Lines = []stock.ReserveLine{{SKU: "a", Quantity: math.MaxInt64}, {SKU: "a", Quantity: 1}}
		}, "Lines"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := req
			r.Lines = append([]stock.ReserveLine(nil), req.Lines...)
			tt.edit(&r)
			_, err := r.Normalize()
			require.ErrorIs(t, err, stock.ErrInvalid)
			var ie *stock.InputError
			require.ErrorAs(t, err, &ie)
			require.Equal(t, tt.field, ie.Field)
		})
	}
}

func TestPayloadDigest(t *testing.T) {
	base := stock.ReserveRequest{BasketID: "b", RequestKey: "k", LocationID: "x", ExpiresAt: asOf,
		Lines: []stock.ReserveLine{{SKU: "a", Quantity: 2}, {SKU: "b", Quantity: 1}}}
	same := base
	same.Lines = []stock.ReserveLine{{SKU: "b", Quantity: 1}, {SKU: "a", Quantity: 1}, {SKU: "a", Quantity: 1}}
	same.ExpiresAt = asOf.Add(time.Hour)
	require.Equal(t, base.PayloadDigest(), same.PayloadDigest(), "order, splitting and expiry do not matter")

	other := base
	other.LocationID = "y"
	require.NotEqual(t, base.PayloadDigest(), other.PayloadDigest())
	other = base
	other.Lines = []stock.ReserveLine{{SKU: "a", Quantity: 3}, {SKU: "b", Quantity: 1}}
	require.NotEqual(t, base.PayloadDigest(), other.PayloadDigest())
	// Length prefixes: "ab"+"c" differs from "a"+"bc".
	x := stock.ReserveRequest{LocationID: "x", Lines: []stock.ReserveLine{{SKU: "ab", Quantity: 1}}}
	y := stock.ReserveRequest{LocationID: "xa", Lines: []stock.ReserveLine{{SKU: "b", Quantity: 1}}}
	require.NotEqual(t, x.PayloadDigest(), y.PayloadDigest())

	tr := stock.TransferRequest{From: "x", To: "y", ExpiresAt: asOf}
	tr2 := tr
	tr2.ExpiresAt = time.Time{}
	require.Equal(t, tr.PayloadDigest(), tr2.PayloadDigest())
	tr2.To = "z"
	require.NotEqual(t, tr.PayloadDigest(), tr2.PayloadDigest())
	require.NotEqual(t, tr.PayloadDigest(), base.PayloadDigest())
}

func TestTransferRequestValidate(t *testing.T) {
	ok := stock.TransferRequest{BasketID: "b", RequestKey: "k", From: "x", To: "y"}
	require.NoError(t, ok.Validate())
	for field, edit := range map[string]func(r *stock.TransferRequest){
		"BasketID":   func(r *stock.TransferRequest) { r.BasketID = "" },
		"RequestKey": func(r *stock.TransferRequest) { r.RequestKey = "" },
		"From":       func(r *stock.TransferRequest) { r.From = "" },
		"To":         func(r *stock.TransferRequest) { r.To = "x" },
	} {
		r := ok
		edit(&r)
		err := r.Validate()
		var ie *stock.InputError
		require.ErrorAs(t, err, &ie, field)
		require.Equal(t, field, ie.Field)
		require.ErrorIs(t, err, stock.ErrInvalid)
	}
}

func TestErrorKinds(t *testing.T) {
	short := &stock.ShortageError{Shortages: []stock.Shortage{{SKU: "a", LocationID: "x", Requested: 3, Available: 1}}}
	require.ErrorIs(t, short, stock.ErrInsufficientStock)
	require.ErrorIs(t, short, stock.ErrOutOfStock)
	require.NotErrorIs(t, short, stock.ErrUnknown)
	require.Equal(t, int64(2), short.Shortages[0].Missing())
	require.Contains(t, short.Error(), "a at x: requested 3, available 1, missing 2")

	unknown := &stock.ShortageError{Shortages: []stock.Shortage{
		{SKU: "a", LocationID: "x", Requested: 3, Available: 1},
		{SKU: "b", LocationID: "x", Requested: 1, Unknown: true},
	}}
	require.ErrorIs(t, unknown, stock.ErrUnknown)
	require.ErrorIs(t, unknown, stock.ErrInsufficientStock)
	require.Contains(t, unknown.Error(), "b at x: level unknown")

	wrapped := errors.Join(errors.New("context"), &stock.ConflictError{BasketID: "b", RequestKey: "k"})
	require.ErrorIs(t, wrapped, stock.ErrConflict)
	var ce *stock.ConflictError
	require.ErrorAs(t, wrapped, &ce)
	require.Equal(t, "k", ce.RequestKey)

	nf := error(&stock.NotFoundError{BasketID: "b", LocationID: "x"})
	require.ErrorIs(t, nf, stock.ErrNotFound)
	require.NotErrorIs(t, nf, stock.ErrInvalid)
	require.Contains(t, nf.Error(), `"x"`)
}

func TestMergeLines(t *testing.T) {
	a := []stock.ReserveLine{{SKU: "a", Quantity: 1}, {SKU: "c", Quantity: 2}}
	b := []stock.ReserveLine{{SKU: "b", Quantity: 5}, {SKU: "c", Quantity: 3}, {SKU: "d", Quantity: 1}}
	got := stock.MergeLines(a, b)
	want := []stock.ReserveLine{{SKU: "a", Quantity: 1}, {SKU: "b", Quantity: 5}, {SKU: "c", Quantity: 5}, {SKU: "d", Quantity: 1}}
	if !slices.Equal(got, want) {
		t.Fatalf("MergeLines = %v, want %v", got, want)
	}
	if got := stock.MergeLines(nil, b); !slices.Equal(got, b) {
		t.Fatalf("merging with nothing changed the lines: %v", got)
	}
}
