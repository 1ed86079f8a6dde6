package stock_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/stock"
)

var asOf = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

const (
	carry   = channel.CarryOut
	collect = channel.ClickCollect
	shipTo  = channel.ShipToAddress
	shipFS  = channel.ShipFromStore
	xfer    = channel.Transfer
)

var allModes = []channel.FulfilmentMode{carry, collect, shipTo, shipFS, xfer}

func storeCtx(loc string, sources []string, modes ...channel.FulfilmentMode) channel.Context {
	if len(modes) == 0 {
		modes = allModes
	}
	return channel.Context{ChannelID: "store-" + loc, Kind: channel.Store, LocationID: loc,
		StockSources: sources, FulfilmentModes: modes, AsOf: asOf}
}

func webCtx(loc string, sources []string, modes ...channel.FulfilmentMode) channel.Context {
	if len(modes) == 0 {
		modes = allModes
	}
	return channel.Context{ChannelID: "web", Kind: channel.Web, LocationID: loc,
		StockSources: sources, FulfilmentModes: modes, AsOf: asOf}
}

func store(id string, modes ...channel.FulfilmentMode) stock.Location {
	if len(modes) == 0 {
		modes = []channel.FulfilmentMode{carry, collect, xfer, shipFS}
	}
	return stock.Location{ID: id, Kind: stock.Store, Modes: modes,
		LeadTimes: map[channel.FulfilmentMode]time.Duration{xfer: 24 * time.Hour, shipFS: 72 * time.Hour, collect: 2 * time.Hour}}
}

func warehouse(id string) stock.Location {
	return stock.Location{ID: id, Kind: stock.Warehouse, Modes: []channel.FulfilmentMode{shipTo},
		LeadTimes: map[channel.FulfilmentMode]time.Duration{shipTo: 48 * time.Hour}}
}

func lv(sku, loc string, onHand, reserved int64) stock.Level {
	return stock.Level{SKU: sku, LocationID: loc, OnHand: onHand, Reserved: reserved}
}

func al(loc string, m channel.FulfilmentMode, q int64, lead time.Duration) stock.Allocation {
	return stock.Allocation{LocationID: loc, Mode: m, Quantity: q, LeadTime: lead}
}

func TestPlan(t *testing.T) {
	std := []stock.Location{store("s1"), store("s2"), warehouse("w1"), warehouse("w2")}
	tests := []struct {
		name      string
		demands   []stock.Demand
		ctx       channel.Context
		locations []stock.Location
		levels    []stock.Level
		want      []stock.LinePlan
	}{
		{
			name:    "carry out in store",
			demands: []stock.Demand{{LineID: "l1", SKU: "a", Quantity: 2}},
			ctx:     storeCtx("s1", []string{"s1", "s2", "w1"}),
			levels:  []stock.Level{lv("a", "s1", 5, 1), lv("a", "s2", 9, 0), lv("a", "w1", 9, 0)},
			want: []stock.LinePlan{{LineID: "l1", SKU: "a", Quantity: 2,
				Allocations: []stock.Allocation{al("s1", carry, 2, 0)}}},
		},
		{
			name:    "short line: transfer from neighbour, ship from warehouse, rest short with next arrival",
			demands: []stock.Demand{{LineID: "l1", SKU: "a", Quantity: 9}},
			ctx:     storeCtx("s1", []string{"s1", "s2", "w1"}),
			levels: []stock.Level{lv("a", "s1", 3, 1), lv("a", "s2", 1, 0),
				{SKU: "a", LocationID: "w1", OnHand: 4, NextArrival: asOf.Add(96 * time.Hour)},
				{SKU: "a", LocationID: "w2", OnHand: 0, NextArrival: asOf.Add(time.Hour)}, // not a source
			},
			want: []stock.LinePlan{{LineID: "l1", SKU: "a", Quantity: 9, Short: 2, NextArrival: asOf.Add(96 * time.Hour),
				Allocations: []stock.Allocation{al("s1", carry, 2, 0), al("s2", xfer, 1, 24*time.Hour), al("w1", shipTo, 4, 48*time.Hour)}}},
		},
		{
			name:    "split across sources on the web, in source order",
			demands: []stock.Demand{{LineID: "l1", SKU: "a", Quantity: 6}},
			ctx:     webCtx("", []string{"w2", "w1", "s2"}),
			levels:  []stock.Level{lv("a", "w1", 2, 0), lv("a", "w2", 3, 0), lv("a", "s2", 10, 0)},
			want: []stock.LinePlan{{LineID: "l1", SKU: "a", Quantity: 6,
				Allocations: []stock.Allocation{al("w2", shipTo, 3, 48*time.Hour), al("w1", shipTo, 2, 48*time.Hour), al("s2", shipFS, 1, 72*time.Hour)}}},
		},
		{
			name: "two lines of the same SKU compete, lower line ID first",
			demands: []stock.Demand{
				{LineID: "l2", SKU: "a", Quantity: 2},
				{LineID: "l1", SKU: "a", Quantity: 2},
				{LineID: "l3", SKU: "b", Quantity: 1},
			},
			ctx:    storeCtx("s1", []string{"s1"}),
			levels: []stock.Level{lv("a", "s1", 3, 0), lv("b", "s1", 1, 0)},
			want: []stock.LinePlan{
				{LineID: "l1", SKU: "a", Quantity: 2, Allocations: []stock.Allocation{al("s1", carry, 2, 0)}},
				{LineID: "l2", SKU: "a", Quantity: 2, Short: 1, Allocations: []stock.Allocation{al("s1", carry, 1, 0)}},
				{LineID: "l3", SKU: "b", Quantity: 1, Allocations: []stock.Allocation{al("s1", carry, 1, 0)}},
			},
		},
		{
			name: "preferred delivery in store uses only shipping sources",
			demands: []stock.Demand{
				{LineID: "l1", SKU: "a", Quantity: 3, Preferred: shipTo},
				{LineID: "l2", SKU: "a", Quantity: 1},
			},
			ctx:       storeCtx("s1", []string{"s1", "w1"}),
			locations: []stock.Location{store("s1", carry, collect), warehouse("w1")},
			levels:    []stock.Level{lv("a", "s1", 10, 0), lv("a", "w1", 2, 0)},
			want: []stock.LinePlan{
				{LineID: "l1", SKU: "a", Quantity: 3, Short: 1, Allocations: []stock.Allocation{al("w1", shipTo, 2, 48*time.Hour)}},
				{LineID: "l2", SKU: "a", Quantity: 1, Allocations: []stock.Allocation{al("s1", carry, 1, 0)}},
			},
		},
		{
			name:    "preferred ship-from-store is the delivery group: own store ships too",
			demands: []stock.Demand{{LineID: "l1", SKU: "a", Quantity: 3, Preferred: shipFS}},
			ctx:     storeCtx("s1", []string{"s1", "w1"}),
			levels:  []stock.Level{lv("a", "s1", 2, 0), lv("a", "w1", 2, 0)},
			want: []stock.LinePlan{{LineID: "l1", SKU: "a", Quantity: 3,
				Allocations: []stock.Allocation{al("s1", shipFS, 2, 72*time.Hour), al("w1", shipTo, 1, 48*time.Hour)}}},
		},
		{
			name:    "preferred click and collect: collect here, transfer from neighbour",
			demands: []stock.Demand{{LineID: "l1", SKU: "a", Quantity: 3, Preferred: collect}},
			ctx:     storeCtx("s1", []string{"s1", "s2", "w1"}),
			levels:  []stock.Level{lv("a", "s1", 1, 0), lv("a", "s2", 1, 0), lv("a", "w1", 5, 0)},
			want: []stock.LinePlan{{LineID: "l1", SKU: "a", Quantity: 3, Short: 1,
				Allocations: []stock.Allocation{al("s1", collect, 1, 2*time.Hour), al("s2", xfer, 1, 24*time.Hour)}}},
		},
		{
			name:    "infeasible preference is ignored",
			demands: []stock.Demand{{LineID: "l1", SKU: "a", Quantity: 1, Preferred: carry}},
			ctx:     webCtx("", []string{"w1"}),
			levels:  []stock.Level{lv("a", "w1", 5, 0)},
			want: []stock.LinePlan{{LineID: "l1", SKU: "a", Quantity: 1,
				Allocations: []stock.Allocation{al("w1", shipTo, 1, 48*time.Hour)}}},
		},
		{
			name: "unknown SKU versus known at zero",
			demands: []stock.Demand{
				{LineID: "l1", SKU: "ghost", Quantity: 2},
				{LineID: "l2", SKU: "zero", Quantity: 2},
				{LineID: "l3", SKU: "elsewhere", Quantity: 1},
			},
			ctx:    storeCtx("s1", []string{"s1", "w1"}),
			levels: []stock.Level{lv("zero", "s1", 0, 0), lv("elsewhere", "w2", 5, 0)},
			want: []stock.LinePlan{
				{LineID: "l1", SKU: "ghost", Quantity: 2, Short: 2, Unknown: true},
				{LineID: "l2", SKU: "zero", Quantity: 2, Short: 2},
				{LineID: "l3", SKU: "elsewhere", Quantity: 1, Short: 1, Unknown: true},
			},
		},
		{
			name:    "reserved beyond on hand makes nothing available",
			demands: []stock.Demand{{LineID: "l1", SKU: "a", Quantity: 1}},
			ctx:     storeCtx("s1", []string{"s1"}),
			levels:  []stock.Level{lv("a", "s1", 2, 5)},
			want:    []stock.LinePlan{{LineID: "l1", SKU: "a", Quantity: 1, Short: 1}},
		},
		{
			name:    "carry out not allowed by the context: click and collect at own store",
			demands: []stock.Demand{{LineID: "l1", SKU: "a", Quantity: 1}},
			ctx:     storeCtx("s1", []string{"s1"}, collect, shipTo),
			levels:  []stock.Level{lv("a", "s1", 2, 0)},
			want: []stock.LinePlan{{LineID: "l1", SKU: "a", Quantity: 1,
				Allocations: []stock.Allocation{al("s1", collect, 1, 2*time.Hour)}}},
		},
		{
			name:    "transfer not allowed: neighbour ships from store; location without any allowed mode is skipped",
			demands: []stock.Demand{{LineID: "l1", SKU: "a", Quantity: 4}},
			ctx:     storeCtx("s1", []string{"s1", "s2", "s3", "w1"}, carry, shipFS),
			locations: []stock.Location{store("s1"), store("s2"), store("s3", carry, collect, xfer),
				warehouse("w1")},
			levels: []stock.Level{lv("a", "s1", 1, 0), lv("a", "s2", 1, 0), lv("a", "s3", 5, 0), lv("a", "w1", 5, 0)},
			want: []stock.LinePlan{{LineID: "l1", SKU: "a", Quantity: 4, Short: 2,
				Allocations: []stock.Allocation{al("s1", carry, 1, 0), al("s2", shipFS, 1, 72*time.Hour)}}},
		},
		{
			name:    "web click and collect at a pickup store with transfer from the warehouse when it offers it",
			demands: []stock.Demand{{LineID: "l1", SKU: "a", Quantity: 3}},
			ctx:     webCtx("s2", []string{"s2", "w1"}, collect, xfer),
			locations: []stock.Location{store("s2"),
				{ID: "w1", Kind: stock.Warehouse, Modes: []channel.FulfilmentMode{shipTo, xfer}}},
			levels: []stock.Level{lv("a", "s2", 1, 0), lv("a", "w1", 5, 0)},
			want: []stock.LinePlan{{LineID: "l1", SKU: "a", Quantity: 3,
				Allocations: []stock.Allocation{al("s2", collect, 1, 2*time.Hour), al("w1", xfer, 2, 0)}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			locs := tt.locations
			if locs == nil {
				locs = std
			}
			levels, err := stock.NewLevels(tt.levels)
			require.NoError(t, err)
			plan, err := stock.Plan(tt.demands, tt.ctx, locs, levels)
			require.NoError(t, err)
			require.Equal(t, tt.want, plan.Lines)
			for _, want := range tt.want {
				got, ok := plan.Line(want.LineID)
				require.True(t, ok)
				require.Equal(t, want, got)
			}
			_, ok := plan.Line("no-such-line")
			require.False(t, ok)
			complete := true
			for _, l := range tt.want {
				complete = complete && l.Short == 0
			}
			require.Equal(t, complete, plan.Complete())
		})
	}
}

func TestPlanInvalid(t *testing.T) {
	locs := []stock.Location{store("s1"), warehouse("w1")}
	ctx := storeCtx("s1", []string{"s1", "w1"})
	ok := []stock.Demand{{LineID: "l1", SKU: "a", Quantity: 1}}
	tests := []struct {
		name    string
		demands []stock.Demand
		ctx     func(c channel.Context) channel.Context
		locs    []stock.Location
		field   string
	}{
		{"empty line ID", []stock.Demand{{SKU: "a", Quantity: 1}}, nil, nil, "demands[0].LineID"},
		{"empty SKU", []stock.Demand{{LineID: "l", Quantity: 1}}, nil, nil, "demands[0].SKU"},
		{"zero quantity", []stock.Demand{{LineID: "l", SKU: "a"}}, nil, nil, "demands[0].Quantity"},
		{"negative quantity", []stock.Demand{{LineID: "l", SKU: "a", Quantity: -3}}, nil, nil, "demands[0].Quantity"},
		{"unknown preferred mode", []stock.Demand{{LineID: "l", SKU: "a", Quantity: 1, Preferred: 42}}, nil, nil, "demands[0].Preferred"},
		{"duplicate line ID", []stock.Demand{{LineID: "l", SKU: "a", Quantity: 1}, {LineID: "l", SKU: "b", Quantity: 1}}, nil, nil, "demands"},
		{"source without location", ok, func(c channel.Context) channel.Context { c.StockSources = []string{"s1", "nowhere"}; return c }, nil, "ctx.StockSources[1]"},
		{"duplicate source", ok, func(c channel.Context) channel.Context { c.StockSources = []string{"s1", "s1"}; return c }, nil, "ctx.StockSources[1]"},
		{"empty source", ok, func(c channel.Context) channel.Context { c.StockSources = []string{""}; return c }, nil, "ctx.StockSources[0]"},
		{"bad channel kind", ok, func(c channel.Context) channel.Context { c.Kind = 0; return c }, nil, "ctx.Kind"},
		{"store without location", ok, func(c channel.Context) channel.Context { c.LocationID = ""; return c }, nil, "ctx.LocationID"},
		{"bad context mode", ok, func(c channel.Context) channel.Context { c.FulfilmentModes = []channel.FulfilmentMode{9}; return c }, nil, "ctx.FulfilmentModes[0]"},
		{"duplicate location", ok, nil, []stock.Location{store("s1"), store("s1"), warehouse("w1")}, "locations[1].ID"},
		{"location kind", ok, nil, []stock.Location{store("s1"), {ID: "w1"}}, "locations[1].Kind"},
		{"location mode", ok, nil, []stock.Location{store("s1"), {ID: "w1", Kind: stock.Warehouse, Modes: []channel.FulfilmentMode{0}}}, "locations[1].Modes[0]"},
		{"negative lead time", ok, nil, []stock.Location{store("s1"), {ID: "w1", Kind: stock.Warehouse,
			LeadTimes: map[channel.FulfilmentMode]time.Duration{shipTo: -time.Second}}}, "locations[1].LeadTimes"},
		{"lead time of unknown mode", ok, nil, []stock.Location{store("s1"), {ID: "w1", Kind: stock.Warehouse,
			LeadTimes: map[channel.FulfilmentMode]time.Duration{shipTo: time.Second, 77: time.Second}}}, "locations[1].LeadTimes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ctx.Clone()
			if tt.ctx != nil {
				c = tt.ctx(c)
			}
			l := locs
			if tt.locs != nil {
				l = tt.locs
			}
			plan, err := stock.Plan(tt.demands, c, l, stock.Levels{})
			require.ErrorIs(t, err, stock.ErrInvalid)
			var ie *stock.InputError
			require.ErrorAs(t, err, &ie)
			require.Equal(t, tt.field, ie.Field)
			require.Empty(t, plan.Lines)
		})
	}
}

func TestPlanDoesNotModifyInputs(t *testing.T) {
	demands := []stock.Demand{{LineID: "l2", SKU: "a", Quantity: 2}, {LineID: "l1", SKU: "a", Quantity: 2}}
	before := slices.Clone(demands)
	levels, err := stock.NewLevels([]stock.Level{lv("a", "s1", 3, 0)})
	require.NoError(t, err)
	_, err = stock.Plan(demands, storeCtx("s1", []string{"s1"}), []stock.Location{store("s1")}, levels)
	require.NoError(t, err)
	require.Equal(t, before, demands)
	got, _ := levels.Get("a", "s1")
	require.Equal(t, int64(3), got.Available())
}

// planWorld is a random but valid planning problem.
type planWorld struct {
	ctx       channel.Context
	locations []stock.Location
	levels    []stock.Level
	demands   []stock.Demand
}

var planSKUs = []string{"a", "b", "c"}

func drawWorld(t *rapid.T) planWorld {
	nLoc := rapid.IntRange(1, 5).Draw(t, "locations")
	var w planWorld
	for i := range nLoc {
		kind := rapid.SampledFrom([]stock.LocationKind{stock.Store, stock.Warehouse, stock.DarkStore}).Draw(t, "kind")
		modes := rapid.SliceOfDistinct(rapid.SampledFrom(allModes), func(m channel.FulfilmentMode) channel.FulfilmentMode { return m }).Draw(t, "modes")
		lead := map[channel.FulfilmentMode]time.Duration{}
		for _, m := range modes {
			lead[m] = time.Duration(rapid.IntRange(0, 100).Draw(t, "lead")) * time.Hour
		}
		w.locations = append(w.locations, stock.Location{ID: fmt.Sprintf("loc%d", i), Kind: kind, Modes: modes, LeadTimes: lead})
	}
	ids := make([]string, nLoc)
	for i, l := range w.locations {
		ids[i] = l.ID
	}
	sources := rapid.Permutation(ids).Draw(t, "sources")
	sources = sources[:rapid.IntRange(0, len(sources)).Draw(t, "nsources")]
	kind := rapid.SampledFrom([]channel.Kind{channel.Store, channel.Kiosk, channel.Web, channel.App}).Draw(t, "channel")
	loc := rapid.SampledFrom(append([]string{""}, ids...)).Draw(t, "ctxloc")
	if kind.IsPhysical() && loc == "" {
		loc = ids[0]
	}
	ctxModes := rapid.SliceOfNDistinct(rapid.SampledFrom(allModes), 1, 5, func(m channel.FulfilmentMode) channel.FulfilmentMode { return m }).Draw(t, "ctxmodes")
	w.ctx = channel.Context{ChannelID: "c", Kind: kind, LocationID: loc, StockSources: sources, FulfilmentModes: ctxModes, AsOf: asOf}
	for _, sku := range planSKUs {
		for _, id := range ids {
			if rapid.IntRange(0, 3).Draw(t, "known") == 0 {
				continue
			}
			l := lv(sku, id, rapid.Int64Range(0, 10).Draw(t, "onhand"), rapid.Int64Range(0, 12).Draw(t, "reserved"))
			if rapid.Bool().Draw(t, "arrival") {
				l.NextArrival = asOf.Add(time.Duration(rapid.IntRange(-5, 5).Draw(t, "arrivalh")) * time.Hour)
			}
			w.levels = append(w.levels, l)
		}
	}
	nLines := rapid.IntRange(0, 8).Draw(t, "lines")
	for i := range nLines {
		w.demands = append(w.demands, stock.Demand{
			LineID:    fmt.Sprintf("line%02d", rapid.IntRange(0, 99).Draw(t, "lineid")*10+i%10),
			SKU:       rapid.SampledFrom(planSKUs).Draw(t, "sku"),
			Quantity:  rapid.Int64Range(1, 15).Draw(t, "qty"),
			Preferred: channel.FulfilmentMode(rapid.IntRange(0, 5).Draw(t, "preferred")),
		})
	}
	slices.SortFunc(w.demands, func(a, b stock.Demand) int { return compareStr(a.LineID, b.LineID) })
	w.demands = slices.CompactFunc(w.demands, func(a, b stock.Demand) bool { return a.LineID == b.LineID })
	return w
}

func compareStr(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// oracleModes restates the documented mode rules for one source, in order.
func oracleModes(ctx channel.Context, loc stock.Location) []channel.FulfilmentMode {
	var c []channel.FulfilmentMode
	switch {
	case ctx.LocationID != "" && loc.ID == ctx.LocationID:
		if ctx.Kind.IsPhysical() {
			c = append(c, carry)
		}
		c = append(c, collect)
	case ctx.LocationID != "":
		c = append(c, xfer)
	}
	if loc.Kind == stock.Store {
		c = append(c, shipFS)
	} else {
		c = append(c, shipTo)
	}
	return slices.DeleteFunc(c, func(m channel.FulfilmentMode) bool {
		return !ctx.Allows(m) || !slices.Contains(loc.Modes, m)
	})
}

func group(m channel.FulfilmentMode) int {
	switch m {
	case carry:
		return 1
	case collect, xfer:
		return 2
	case shipTo, shipFS:
		return 3
	}
	return 0
}

func TestPlanProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		w := drawWorld(t)
		levels, err := stock.NewLevels(w.levels)
		if err != nil {
			t.Fatal(err)
		}
		plan, err := stock.Plan(w.demands, w.ctx, w.locations, levels)
		if err != nil {
			t.Fatal(err)
		}
		locByID := map[string]stock.Location{}
		for _, l := range w.locations {
			locByID[l.ID] = l
		}
		srcIndex := map[string]int{}
		for i, s := range w.ctx.StockSources {
			srcIndex[s] = i
		}
		// Which groups some source offers, by the documented rules.
		feasible := map[int]bool{}
		for _, s := range w.ctx.StockSources {
			for _, m := range oracleModes(w.ctx, locByID[s]) {
				feasible[group(m)] = true
			}
		}
		if len(plan.Lines) != len(w.demands) {
			t.Fatalf("%d lines planned for %d demands", len(plan.Lines), len(w.demands))
		}
		used := map[[2]string]int64{}
		for i, lp := range plan.Lines {
			d := w.demands[i] // demands are sorted by line ID
			if lp.LineID != d.LineID || lp.SKU != d.SKU || lp.Quantity != d.Quantity {
				t.Fatalf("line %d: %+v does not repeat demand %+v", i, lp, d)
			}
			if lp.Short < 0 || lp.Short > lp.Quantity {
				t.Fatalf("line %s: short %d out of range", lp.LineID, lp.Short)
			}
			sum := lp.Short
			last := -1
			for _, a := range lp.Allocations {
				if a.Quantity <= 0 || a.LeadTime < 0 {
					t.Fatalf("line %s: bad allocation %+v", lp.LineID, a)
				}
				j, ok := srcIndex[a.LocationID]
				if !ok || j <= last {
					t.Fatalf("line %s: allocation %+v not from a source in order", lp.LineID, a)
				}
				last = j
				loc := locByID[a.LocationID]
				modes := oracleModes(w.ctx, loc)
				if !slices.Contains(modes, a.Mode) || !w.ctx.Allows(a.Mode) || !slices.Contains(loc.Modes, a.Mode) {
					t.Fatalf("line %s: mode %s not usable at %s", lp.LineID, a.Mode, a.LocationID)
				}
				if a.LeadTime != loc.LeadTimes[a.Mode] {
					t.Fatalf("line %s: lead time %s, want %s", lp.LineID, a.LeadTime, loc.LeadTimes[a.Mode])
				}
				if d.Preferred != 0 && feasible[group(d.Preferred)] && group(a.Mode) != group(d.Preferred) {
					t.Fatalf("line %s: feasible preference %s not honoured: %s", lp.LineID, d.Preferred, a.Mode)
				}
				if d.Preferred == 0 || !feasible[group(d.Preferred)] {
					if a.Mode != modes[0] {
						t.Fatalf("line %s: mode %s, want the source's first mode %s", lp.LineID, a.Mode, modes[0])
					}
				}
				used[[2]string{lp.SKU, a.LocationID}] += a.Quantity
				sum += a.Quantity
			}
			if sum != lp.Quantity {
				t.Fatalf("line %s: allocations + short = %d, want %d", lp.LineID, sum, lp.Quantity)
			}
			anyKnown := false
			for _, s := range w.ctx.StockSources {
				if _, ok := levels.Get(lp.SKU, s); ok {
					anyKnown = true
				}
			}
			if lp.Unknown == anyKnown {
				t.Fatalf("line %s: Unknown=%t but known somewhere=%t", lp.LineID, lp.Unknown, anyKnown)
			}
			if got, ok := plan.Line(lp.LineID); !ok || got.LineID != lp.LineID {
				t.Fatalf("Line(%q) not found", lp.LineID)
			}
		}
		remaining := map[[2]string]int64{}
		for k, q := range used {
			l, ok := levels.Get(k[0], k[1])
			if !ok {
				t.Fatalf("allocated %d of unknown %v", q, k)
			}
			if q > l.Available() {
				t.Fatalf("allocated %d of %v, only %d available", q, k, l.Available())
			}
		}
		for _, l := range levels.All() {
			remaining[[2]string{l.SKU, l.LocationID}] = l.Available() - used[[2]string{l.SKU, l.LocationID}]
		}
		// Greedy maximality: a short line leaves nothing behind at any source
		// it could have used.
		for i, lp := range plan.Lines {
			if lp.Short == 0 {
				continue
			}
			d := w.demands[i]
			for _, s := range w.ctx.StockSources {
				modes := oracleModes(w.ctx, locByID[s])
				usable := len(modes) > 0
				if d.Preferred != 0 && feasible[group(d.Preferred)] {
					usable = slices.ContainsFunc(modes, func(m channel.FulfilmentMode) bool { return group(m) == group(d.Preferred) })
				}
				if usable && remaining[[2]string{lp.SKU, s}] > 0 {
					t.Fatalf("line %s short %d while %d left at %s", lp.LineID, lp.Short, remaining[[2]string{lp.SKU, s}], s)
				}
			}
		}

		// Deterministic and independent of input order.
		shuffledLevels, err := stock.NewLevels(rapid.Permutation(w.levels).Draw(t, "levelorder"))
		if err != nil {
			t.Fatal(err)
		}
		again, err := stock.Plan(rapid.Permutation(w.demands).Draw(t, "demandorder"), w.ctx,
			rapid.Permutation(w.locations).Draw(t, "locorder"), shuffledLevels)
		if err != nil {
			t.Fatal(err)
		}
		if !equalPlans(plan, again) {
			t.Fatalf("plan depends on input order:\n%+v\n%+v", plan, again)
		}
	})
}

func equalPlans(a, b stock.FulfilmentPlan) bool {
	return slices.EqualFunc(a.Lines, b.Lines, func(x, y stock.LinePlan) bool {
		return x.LineID == y.LineID && x.SKU == y.SKU && x.Quantity == y.Quantity && x.Short == y.Short &&
			x.Unknown == y.Unknown && x.NextArrival.Equal(y.NextArrival) && slices.Equal(x.Allocations, y.Allocations)
	})
}

func TestPlanErrorsAreTyped(t *testing.T) {
	_, err := stock.Plan([]stock.Demand{{LineID: "l", SKU: "a"}}, webCtx("", nil), nil, stock.Levels{})
	require.True(t, errors.Is(err, stock.ErrInvalid))
	require.False(t, errors.Is(err, stock.ErrInsufficientStock))
}

func BenchmarkPlan(b *testing.B) {
	const nSources, nLines, nSKUs = 10, 100, 60
	var locs []stock.Location
	var sources []string
	for i := range nSources {
		id := fmt.Sprintf("loc%02d", i)
		sources = append(sources, id)
		if i%3 == 2 {
			locs = append(locs, warehouse(id))
		} else {
			locs = append(locs, store(id))
		}
	}
	var levels []stock.Level
	for s := range nSKUs {
		for i, src := range sources {
			levels = append(levels, lv(fmt.Sprintf("sku%03d", s), src, int64((s+i)%4), int64(i%2)))
		}
	}
	lvls, err := stock.NewLevels(levels)
	if err != nil {
		b.Fatal(err)
	}
	var demands []stock.Demand
	for i := range nLines {
		d := stock.Demand{LineID: fmt.Sprintf("line%03d", (i*37)%nLines), SKU: fmt.Sprintf("sku%03d", i%nSKUs), Quantity: int64(1 + i%5)}
		if i%7 == 0 {
			d.Preferred = shipTo
		}
		demands = append(demands, d)
	}
	ctx := storeCtx(sources[0], sources)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := stock.Plan(demands, ctx, locs, lvls); err != nil {
			b.Fatal(err)
		}
	}
}
