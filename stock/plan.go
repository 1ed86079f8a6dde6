package stock

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/omnibasket/omnibasket/channel"
)

// Demand is one basket line to source.
type Demand struct {
	// LineID identifies the line; unique within a call to [Plan].
	LineID string
	// SKU is the article; several lines may share it.
	SKU string
	// Quantity is the number of whole units wanted, > 0.
	Quantity int64
	// Preferred is the shopper's chosen fulfilment mode; 0 means no
	// preference. See [Plan] for how it is honoured.
	Preferred channel.FulfilmentMode
}

// Allocation is a quantity of a line sourced from one location in one mode.
type Allocation struct {
	// LocationID is the stock source.
	LocationID string `json:"location_id"`
	// Mode is how these units reach the shopper.
	Mode channel.FulfilmentMode `json:"mode"`
	// Quantity is > 0.
	Quantity int64 `json:"quantity"`
	// LeadTime comes from the source's [Location.LeadTimes] for Mode. It
	// travels in seconds ([Allocation.MarshalJSON]).
	LeadTime time.Duration `json:"lead_time_seconds"`
}

// LinePlan is the sourcing of one demand line.
type LinePlan struct {
	// LineID, SKU and Quantity repeat the demand.
	LineID   string `json:"line_id"`
	SKU      string `json:"sku"`
	Quantity int64  `json:"quantity"`
	// Allocations are in stock-source order, at most one per source.
	Allocations []Allocation `json:"allocations"`
	// Short is the quantity that could not be sourced; it is never dropped:
	// Σ Allocations[i].Quantity + Short = Quantity.
	Short int64 `json:"short"`
	// Unknown is true when no source of the context has a known level for
	// the SKU (then Short = Quantity). Unknown stock is never in stock.
	Unknown bool `json:"unknown"`
	// NextArrival is, for a short line, the earliest announced arrival not
	// before the context's AsOf among the sources the line could use; zero
	// when none is announced or the line is not short.
	NextArrival time.Time `json:"next_arrival,omitzero"`
}

// Allocated returns Quantity − Short, the sum of the allocations.
func (l LinePlan) Allocated() int64 { return l.Quantity - l.Short }

// FulfilmentPlan is the sourcing of a whole basket.
type FulfilmentPlan struct {
	// Lines are sorted by LineID.
	Lines []LinePlan `json:"lines"`
}

// Line returns the plan of the line with that ID.
func (p FulfilmentPlan) Line(lineID string) (LinePlan, bool) {
	i, ok := sort.Find(len(p.Lines), func(i int) int { return cmp.Compare(lineID, p.Lines[i].LineID) })
	if !ok {
		return LinePlan{}, false
	}
	return p.Lines[i], true
}

// Complete reports whether every line is fully sourced.
func (p FulfilmentPlan) Complete() bool {
	for _, l := range p.Lines {
		if l.Short != 0 {
			return false
		}
	}
	return true
}

// modeGroup gathers fulfilment modes by where and when the shopper gets the
// goods; a preferred mode is honoured by its group.
type modeGroup uint8

const (
	anyGroup    modeGroup = iota // no preference: the source's first mode
	takeNow                      // CarryOut
	collectHere                  // ClickCollect, Transfer
	deliverHome                  // ShipToAddress, ShipFromStore
	groupCount
)

func groupOf(m channel.FulfilmentMode) modeGroup {
	switch m {
	case channel.CarryOut:
		return takeNow
	case channel.ClickCollect, channel.Transfer:
		return collectHere
	case channel.ShipToAddress, channel.ShipFromStore:
		return deliverHome
	}
	return anyGroup
}

// source is a stock source with the mode it gives per group (0 = none).
type source struct {
	loc   *Location
	modes [groupCount]channel.FulfilmentMode
}

func newSource(loc *Location, ctx channel.Context) source {
	var cands [4]channel.FulfilmentMode
	n := 0
	add := func(m channel.FulfilmentMode) { cands[n] = m; n++ }
	switch {
	case ctx.LocationID != "" && loc.ID == ctx.LocationID:
		if ctx.Kind.IsPhysical() {
			add(channel.CarryOut)
		}
		add(channel.ClickCollect)
	case ctx.LocationID != "":
		add(channel.Transfer)
	}
	add(loc.Kind.shipMode())
	s := source{loc: loc}
	for _, m := range cands[:n] {
		if !ctx.Allows(m) || !loc.serves(m) {
			continue
		}
		if s.modes[anyGroup] == 0 {
			s.modes[anyGroup] = m
		}
		if g := groupOf(m); s.modes[g] == 0 {
			s.modes[g] = m
		}
	}
	return s
}

// cell is the remaining availability of one SKU at one source.
type cell struct {
	avail int64
	level int32 // index of the Level in levels.sorted, -1 when unknown
}

// Plan sources every demand line across the context's stock sources. It is
// pure and deterministic: the result depends only on its arguments, not on
// the order of demands, of locations or of the levels.
//
// Rules:
//
//   - Sources are ctx.StockSources, in that order; each must have a
//     [Location] in locations (other locations are ignored).
//   - Lines are processed in LineID order. Demand is summed per SKU: lines
//     of the same SKU compete for the same units, the lower LineID first.
//     Each line takes as much as it can from the first usable source, then
//     the next (a split across sources is allowed).
//   - The mode of a source: this context's own location (ctx.LocationID)
//     gives CarryOut in a physical channel (store, kiosk), else
//     ClickCollect; another location gives Transfer (to ctx.LocationID,
//     when there is one); failing those, a store gives ShipFromStore and a
//     warehouse or dark store ShipToAddress. A mode is used only if
//     ctx.Allows it and the location lists it in [Location.Modes]; the
//     first candidate in that order that passes is the source's mode, and a
//     source with none is skipped.
//   - A line's Preferred mode, when set and feasible (some source offers a
//     mode of its group), restricts the line to that group: CarryOut alone;
//     ClickCollect and Transfer (collect here); ShipToAddress and
//     ShipFromStore (delivery). A shopper in a store who wants home delivery
//     is sourced only through ShipToAddress and ShipFromStore, and any rest
//     is Short rather than carried out. An infeasible preference is ignored.
//   - Availability is [Level.Available]; a pair absent from levels is
//     unknown and supplies nothing. A line whose SKU is unknown at every
//     source is marked Unknown.
//   - What cannot be sourced is reported in LinePlan.Short; no line is
//     dropped. Lead times come from [Location.LeadTimes].
//
// Invalid input (empty or duplicate line ID, quantity not positive, unknown
// preferred mode, invalid location, stock source without a location,
// invalid kind, modes or sources in ctx) returns an [*InputError].
func Plan(demands []Demand, ctx channel.Context, locations []Location, levels Levels) (FulfilmentPlan, error) {
	if err := validatePlanContext(ctx); err != nil {
		return FulfilmentPlan{}, err
	}
	byID := make(map[string]*Location, len(locations))
	for i := range locations {
		loc := &locations[i]
		if err := loc.Validate(); err != nil {
			var ie *InputError
			if errors.As(err, &ie) {
				return FulfilmentPlan{}, invalid(fmt.Sprintf("locations[%d].%s", i, ie.Field), "%s", ie.Reason)
			}
			return FulfilmentPlan{}, err
		}
		if _, dup := byID[loc.ID]; dup {
			return FulfilmentPlan{}, invalid(fmt.Sprintf("locations[%d].ID", i), "duplicate %q", loc.ID)
		}
		byID[loc.ID] = loc
	}
	sources := make([]source, len(ctx.StockSources))
	var feasible [groupCount]bool
	for i, id := range ctx.StockSources {
		loc, ok := byID[id]
		if !ok {
			return FulfilmentPlan{}, invalid(fmt.Sprintf("ctx.StockSources[%d]", i), "no Location given for %q", id)
		}
		sources[i] = newSource(loc, ctx)
		for g, m := range sources[i].modes {
			if m != 0 {
				feasible[g] = true
			}
		}
	}

	lines := slices.Clone(demands)
	for i, d := range demands {
		if err := validateDemand(i, d); err != nil {
			return FulfilmentPlan{}, err
		}
	}
	slices.SortFunc(lines, func(a, b Demand) int { return cmp.Compare(a.LineID, b.LineID) })
	for i := 1; i < len(lines); i++ {
		if lines[i].LineID == lines[i-1].LineID {
			return FulfilmentPlan{}, invalid("demands", "duplicate LineID %q", lines[i].LineID)
		}
	}

	// Number the SKUs; cells holds one cell per SKU and source: SKU k uses
	// cells[k*len(sources) : (k+1)*len(sources)].
	n := len(sources)
	skuIndex := make(map[string]int, len(lines))
	lineSKU := make([]int, len(lines))
	var skus []string
	for i, d := range lines {
		k, ok := skuIndex[d.SKU]
		if !ok {
			k = len(skus)
			skuIndex[d.SKU] = k
			skus = append(skus, d.SKU)
		}
		lineSKU[i] = k
	}
	bySourceID := make([]int, n) // source indexes in location-ID order
	for j := range bySourceID {
		bySourceID[j] = j
	}
	slices.SortFunc(bySourceID, func(a, b int) int { return strings.Compare(sources[a].loc.ID, sources[b].loc.ID) })
	cells := make([]cell, len(skus)*n)
	anyKnown := make([]bool, len(skus))
	for k, sku := range skus {
		row := cells[k*n : (k+1)*n]
		for j := range row {
			row[j].level = -1
		}
		// The SKU's levels and the sources, both sorted by location ID, are
		// matched by a merge walk: linear, no search per pair.
		lo, known := levels.ofSKU(sku) // one map lookup per SKU
		for i, j := 0, 0; i < len(known) && j < len(bySourceID); {
			switch c := strings.Compare(known[i].LocationID, sources[bySourceID[j]].loc.ID); {
			case c < 0:
				i++
			case c > 0:
				j++
			default:
				row[bySourceID[j]] = cell{avail: known[i].Available(), level: int32(lo + i)}
				anyKnown[k] = true
				i, j = i+1, j+1
			}
		}
	}

	out := make([]LinePlan, len(lines))
	ends := make([]int, len(lines))
	allocs := make([]Allocation, 0, len(lines))
	for i, d := range lines {
		k := lineSKU[i]
		st, known := cells[k*n:(k+1)*n], anyKnown[k]
		g := anyGroup
		if d.Preferred != 0 && feasible[groupOf(d.Preferred)] {
			g = groupOf(d.Preferred)
		}
		need := d.Quantity
		for j := range sources {
			if need == 0 {
				break
			}
			m := sources[j].modes[g]
			if m == 0 || st[j].avail == 0 {
				continue
			}
			take := min(need, st[j].avail)
			st[j].avail -= take
			need -= take
			loc := sources[j].loc
			allocs = append(allocs, Allocation{LocationID: loc.ID, Mode: m, Quantity: take, LeadTime: loc.LeadTimes[m]})
		}
		ends[i] = len(allocs)
		lp := LinePlan{LineID: d.LineID, SKU: d.SKU, Quantity: d.Quantity, Short: need, Unknown: !known}
		if need > 0 {
			for j := range sources {
				if st[j].level < 0 || sources[j].modes[g] == 0 {
					continue
				}
				a := levels.sorted[st[j].level].NextArrival
				if a.IsZero() || a.Before(ctx.AsOf) {
					continue
				}
				if lp.NextArrival.IsZero() || a.Before(lp.NextArrival) {
					lp.NextArrival = a
				}
			}
		}
		out[i] = lp
	}
	start := 0
	for i, end := range ends {
		if end > start {
			out[i].Allocations = allocs[start:end:end]
		}
		start = end
	}
	return FulfilmentPlan{Lines: out}, nil
}

func validateDemand(i int, d Demand) error {
	field := func(f string) string { return fmt.Sprintf("demands[%d].%s", i, f) }
	switch {
	case d.LineID == "":
		return invalid(field("LineID"), "must not be empty")
	case d.SKU == "":
		return invalid(field("SKU"), "must not be empty")
	case d.Quantity <= 0:
		return invalid(field("Quantity"), "must be positive, got %d", d.Quantity)
	case d.Preferred != 0 && !d.Preferred.Valid():
		return invalid(field("Preferred"), "unknown fulfilment mode %d", uint8(d.Preferred))
	}
	return nil
}

// validatePlanContext checks the fields of ctx that Plan reads.
func validatePlanContext(ctx channel.Context) error {
	switch {
	case !ctx.Kind.Valid():
		return invalid("ctx.Kind", "unknown channel kind %d", uint8(ctx.Kind))
	case ctx.Kind.IsPhysical() && ctx.LocationID == "":
		return invalid("ctx.LocationID", "required for a %s channel", ctx.Kind)
	}
	for i, s := range ctx.StockSources {
		if s == "" {
			return invalid(fmt.Sprintf("ctx.StockSources[%d]", i), "must not be empty")
		}
		if slices.Contains(ctx.StockSources[:i], s) {
			return invalid(fmt.Sprintf("ctx.StockSources[%d]", i), "duplicate %q", s)
		}
	}
	for i, m := range ctx.FulfilmentModes {
		if !m.Valid() {
			return invalid(fmt.Sprintf("ctx.FulfilmentModes[%d]", i), "unknown fulfilment mode %d", uint8(m))
		}
	}
	return nil
}
