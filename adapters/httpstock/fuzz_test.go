package httpstock_test

import (
	"encoding/json"
	"errors"
	"slices"
	"testing"

	"github.com/omnibasket/omnibasket/adapters/httpstock"
	"github.com/omnibasket/omnibasket/stock"
)

// FuzzDecodeResponse: the decoder never panics; what it accepts is valid
// for stock.NewLevels and survives a round trip through NewResponse; what
// it refuses matches ErrMalformed.
func FuzzDecodeResponse(f *testing.F) {
	for _, seed := range []string{
		`{"levels": []}`,
		`{"levels": [{"sku": "KETTLE", "location": "paris-01", "on_hand": 12, "reserved": 2}]}`,
		`{"levels": [{"sku": "a", "location": "x", "on_hand": 0, "next_arrival": "2026-11-25T08:00:00Z"}, {"sku": "b", "location": "x", "on_hand": 3}]}`,
		`{"levels": [{"sku": "a", "location": "x", "on_hand": 1}, {"sku": "a", "location": "x", "on_hand": 2}]}`,
		`{"levels": [{"sku": "a", "location": "x", "on_hand": -1}]}`,
		`{"levels": null}`,
		`{"levels": [{"sku": "a", "location": "x"}]}`,
		`{"levels": [], "extra": {"nested": [1, 2, 3]}}`,
		`{"levels": [{"sku": "a", "location": "x", "on_hand": 1e2}]}`,
		`[`,
		``,
	} {
		f.Add([]byte(seed))
	}
	q := stock.Query{SKUs: []string{"a"}, Locations: []string{"x"}}
	f.Fuzz(func(t *testing.T, body []byte) {
		levels, err := httpstock.DecodeResponse(body, q)
		if err != nil {
			if !errors.Is(err, httpstock.ErrMalformed) {
				t.Fatalf("error %v does not match ErrMalformed", err)
			}
			if levels != nil {
				t.Fatalf("levels returned with an error: %+v", levels)
			}
			return
		}
		if _, err := stock.NewLevels(levels); err != nil {
			t.Fatalf("accepted levels are invalid: %v", err)
		}
		again, err := json.Marshal(httpstock.NewResponse(levels))
		if err != nil {
			t.Fatal(err)
		}
		back, err := httpstock.DecodeResponse(again, q)
		if err != nil {
			t.Fatalf("round trip of %s: %v", again, err)
		}
		if !slices.EqualFunc(levels, back, func(a, b stock.Level) bool {
			return a.SKU == b.SKU && a.LocationID == b.LocationID && a.OnHand == b.OnHand &&
				a.Reserved == b.Reserved && a.NextArrival.Equal(b.NextArrival)
		}) {
			t.Fatalf("round trip changed %+v into %+v", levels, back)
		}
	})
}
