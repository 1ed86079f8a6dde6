package httpapi

import (
	"strconv"
	"time"

	"github.com/omnibasket/omnibasket/stock"
)

// The most SKUs and locations one getStock request may ask for: a
// product page or a basket's lines at the stores near the shopper, not
// the catalogue.
const (
	MaxStockSKUs      = 100
	MaxStockLocations = 20
)

// StockLevels is the reply of getStock.
type StockLevels struct {
	// Levels are sorted by SKU, then location; a pair the stock source
	// does not know is left out.
	Levels []StockLevel `json:"levels"`
}

// StockLevel is the stock of one SKU at one location.
type StockLevel struct {
	SKU        string `json:"sku"`
	LocationID string `json:"location_id"`
	// OnHand is the physical count; Reserved the part baskets hold;
	// Available what is left to sell (never below 0).
	OnHand    int64 `json:"on_hand"`
	Reserved  int64 `json:"reserved"`
	Available int64 `json:"available"`
	// NextArrival is when more units are announced; absent when none is.
	NextArrival time.Time `json:"next_arrival,omitzero"`
}

// stockRoutes are the availability of SKUs at locations, when the API has
// a stock source.
func (a *API) stockRoutes() []route {
	if a.opts.Stock == nil {
		return nil
	}
	return []route{
		{method: "GET", path: "/v1/stock", id: "getStock", tag: "stock",
			summary: "Read stock levels",
			doc: "The stock of every SKU asked for at every location asked for, in one read: on hand, held by baskets, and " +
				"available. Repeat `sku` and `location` for several: `?sku=LAMP-ARC&sku=CANDLE-FIG&location=lyon-bellecour`.",
			query: []param{
				{name: "sku", kind: "string", required: true, doc: "A SKU; repeat for several, at most " + strconv.Itoa(MaxStockSKUs) + "."},
				{name: "location", kind: "string", required: true, doc: "A location ID; repeat for several, at most " + strconv.Itoa(MaxStockLocations) + "."},
			},
			reply: &StockLevels{}, serve: a.stockLevels},
	}
}

func (a *API) stockLevels(x *exchange) (any, error) {
	q := x.r.URL.Query()
	skus, err := listQuery(q["sku"], "sku", MaxStockSKUs)
	if err != nil {
		return nil, err
	}
	locations, err := listQuery(q["location"], "location", MaxStockLocations)
	if err != nil {
		return nil, err
	}
	levels, err := a.opts.Stock.Levels(x.ctx(), stock.Query{SKUs: skus, Locations: locations})
	if err != nil {
		return nil, err
	}
	reply := StockLevels{Levels: make([]StockLevel, 0, levels.Len())}
	for _, l := range levels.All() {
		reply.Levels = append(reply.Levels, StockLevel{SKU: l.SKU, LocationID: l.LocationID,
			OnHand: l.OnHand, Reserved: l.Reserved, Available: l.Available(), NextArrival: l.NextArrival})
	}
	return reply, nil
}

// listQuery reads a repeated query parameter: 1 to most non-empty values.
func listQuery(vs []string, name string, most int) ([]string, error) {
	if len(vs) == 0 || len(vs) > most {
		return nil, &RequestError{In: "query", Field: name, Reason: "must be given 1 to " + strconv.Itoa(most) + " times"}
	}
	for _, v := range vs {
		if v == "" {
			return nil, &RequestError{In: "query", Field: name, Reason: "must not be empty"}
		}
	}
	return vs, nil
}
