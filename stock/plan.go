package stock

import (
	"cmp"
	"errors"
	"fmt"
	"math/bits"
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
	lead  [groupCount]time.Duration // the location's lead time for modes[g]
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
	for g, m := range s.modes {
		if m != 0 {
			s.lead[g] = loc.LeadTimes[m]
		}
	}
	return s
}

// cell is the remaining availability of one SKU at one source.
type cell struct {
	avail int64
	left  int64 // avail, for the walk that counts allocations
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
	// Locations are found by ID through an index sorted by ID (in input
	// order among equal IDs), which also finds duplicates, with no map: a
	// plan is made on every pricing and a context has a handful of them.
	var locBuf [16]int32
	byID := locBuf[:0]
	if len(locations) > len(locBuf) {
		byID = make([]int32, 0, len(locations))
	}
	var badLoc error
	for i := range locations {
		if err := locations[i].Validate(); err != nil {
			var ie *InputError
			if errors.As(err, &ie) {
				err = invalid(fmt.Sprintf("locations[%d].%s", i, ie.Field), "%s", ie.Reason)
			}
			badLoc = err
			break
		}
		byID = append(byID, int32(i))
	}
	slices.SortStableFunc(byID, func(a, b int32) int { return strings.Compare(locations[a].ID, locations[b].ID) })
	// The first problem in input order wins: the earliest duplicate (the
	// second of its ID) or, before it, the location that failed validation.
	dup := -1
	for k := 1; k < len(byID); k++ {
		if i := int(byID[k]); locations[i].ID == locations[byID[k-1]].ID && (dup < 0 || i < dup) {
			dup = i
		}
	}
	if dup >= 0 {
		return FulfilmentPlan{}, invalid(fmt.Sprintf("locations[%d].ID", dup), "duplicate %q", locations[dup].ID)
	}
	if badLoc != nil {
		return FulfilmentPlan{}, badLoc
	}
	n := len(ctx.StockSources)
	var srcBuf [8]source
	sources := srcBuf[:0]
	if n > len(srcBuf) {
		sources = make([]source, 0, n)
	}
	var feasible [groupCount]bool
	for i, id := range ctx.StockSources {
		k, ok := slices.BinarySearchFunc(byID, id, func(x int32, id string) int { return strings.Compare(locations[x].ID, id) })
		if !ok {
			return FulfilmentPlan{}, invalid(fmt.Sprintf("ctx.StockSources[%d]", i), "no Location given for %q", id)
		}
		sources = append(sources, newSource(&locations[byID[k]], ctx))
		for g, m := range sources[i].modes {
			if m != 0 {
				feasible[g] = true
			}
		}
	}

	for i, d := range demands {
		if err := validateDemand(i, d); err != nil {
			return FulfilmentPlan{}, err
		}
	}
	lines := demands // read only; a basket gives them sorted already
	// One pass finds them strictly increasing, so sorted and distinct, as
	// a basket gives them; others are sorted, then checked for duplicates.
	increasing := true
	for i := 1; i < len(lines) && increasing; i++ {
		increasing = lines[i-1].LineID < lines[i].LineID
	}
	if !increasing {
		byLineID := func(a, b Demand) int { return cmp.Compare(a.LineID, b.LineID) }
		if !slices.IsSortedFunc(lines, byLineID) {
			lines = slices.Clone(demands)
			slices.SortFunc(lines, byLineID)
		}
		for i := 1; i < len(lines); i++ {
			if lines[i].LineID == lines[i-1].LineID {
				return FulfilmentPlan{}, invalid("demands", "duplicate LineID %q", lines[i].LineID)
			}
		}
	}

	// One row of cells per SKU that levels knows, one cell per source: row
	// r uses cells[r*n : (r+1)*n]. Lines of the same SKU share its row, so
	// they compete for the same units. A SKU is identified by where its
	// levels start in levels.sorted, so grouping lines by SKU is a small
	// open-addressing table of integers, and one map lookup per line is the
	// only hashing of strings; rows are numbered in line order (which row a
	// SKU gets decides nothing). A SKU that levels does not know has no
	// row: nothing is available anywhere.
	//
	// scratch holds, per line, its row (-1: none); per row, the range of
	// its levels (lo << 32 | hi); and, per location levels knows, the
	// source it is (-1: none). The table's slots hold 1 + a row, 0 when
	// empty. The working memory of a plan of up to 128 lines and 512 cells
	// stays on the stack, which the next plan finds in the cache.
	var scratchBuf [2*128 + 16]int64
	scratch := scratchBuf[:]
	if need := 2*len(lines) + len(levels.locs); need > len(scratch) {
		scratch = make([]int64, need)
	} else {
		scratch = scratch[:need]
	}
	rowOf, spans, srcOf := scratch[:len(lines)], scratch[len(lines):2*len(lines)], scratch[2*len(lines):]
	size := 1
	for size < 2*len(lines) {
		size <<= 1
	}
	var slotBuf [256]int32
	slots := slotBuf[:]
	if size > len(slotBuf) {
		slots = make([]int32, size)
	}
	slots = slots[:size]
	shift := 64 - bits.TrailingZeros(uint(size)) // 64 for one slot: x >> 64 is 0
	rows := 0
	for i, d := range lines {
		lo, known := levels.ofSKU(d.SKU)
		rowOf[i] = -1
		if len(known) == 0 {
			continue
		}
		// Fibonacci hashing: the high bits of the product, well mixed.
		for k := (uint64(lo) * 0x9e3779b97f4a7c15) >> shift; ; k = (k + 1) & uint64(size-1) {
			if slots[k] == 0 {
				spans[rows] = int64(lo)<<32 | int64(lo+len(known))
				rows++
				slots[k], rowOf[i] = int32(rows), int64(rows-1)
				break
			}
			if r := slots[k] - 1; spans[r]>>32 == int64(lo) {
				rowOf[i] = int64(r)
				break
			}
		}
	}
	// A SKU's levels are matched to the sources through the location
	// numbers of levels: each source's location is looked up once here,
	// and each level then finds its source by index, with no comparison of
	// location IDs per level.
	for k := range srcOf {
		srcOf[k] = -1
	}
	for j := range sources {
		if k, ok := slices.BinarySearch(levels.locs, sources[j].loc.ID); ok {
			srcOf[k] = int64(j)
		}
	}
	var cellBuf [512]cell
	cells := cellBuf[:]
	if rows*n > len(cells) {
		cells = make([]cell, rows*n)
	} else {
		cells = cells[:rows*n]
	}
	for r := range rows {
		lo, hi := spans[r]>>32, spans[r]&(1<<32-1)
		row := cells[r*n : (r+1)*n]
		for j := range row {
			row[j].level = -1
		}
		for a := lo; a < hi; a++ {
			if src := srcOf[levels.locOf[a]]; src >= 0 {
				avail := levels.sorted[a].Available()
				row[src] = cell{avail: avail, left: avail, level: int32(a)}
			}
		}
	}
	var none [0]cell // the row of an unknown SKU: no source has any

	// Two walks over the lines: the first counts the allocations (on the
	// cells' copies in left), so that the second writes them into one
	// array of the exact size, which the lines' plans share.
	count := 0
	for i, d := range lines {
		if rowOf[i] < 0 {
			continue
		}
		st, g := cells[rowOf[i]*int64(n):(rowOf[i]+1)*int64(n)], groupFor(d.Preferred, &feasible)
		for j, need := 0, d.Quantity; j < n && need > 0; j++ {
			if sources[j].modes[g] == 0 || st[j].left == 0 {
				continue
			}
			take := min(need, st[j].left)
			st[j].left -= take
			need -= take
			count++
		}
	}
	out := make([]LinePlan, len(lines))
	allocs := make([]Allocation, 0, count)
	for i, d := range lines {
		st, known := none[:], false
		if r := rowOf[i]; r >= 0 {
			st = cells[r*int64(n) : (r+1)*int64(n)]
			for j := range st {
				known = known || st[j].level >= 0
			}
		}
		g := groupFor(d.Preferred, &feasible)
		need, first := d.Quantity, len(allocs)
		for j := range st {
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
			allocs = append(allocs, Allocation{LocationID: sources[j].loc.ID, Mode: m, Quantity: take, LeadTime: sources[j].lead[g]})
		}
		lp := &out[i] // zeroed: written in place rather than copied in
		lp.LineID, lp.SKU, lp.Quantity, lp.Short, lp.Unknown = d.LineID, d.SKU, d.Quantity, need, !known
		if len(allocs) > first {
			lp.Allocations = allocs[first:len(allocs):len(allocs)]
		}
		if need > 0 {
			for j := range st {
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
	}
	return FulfilmentPlan{Lines: out}, nil
}

// groupFor is the mode group a line is sourced in: its preference's when
// some source offers a mode of it, else any.
func groupFor(preferred channel.FulfilmentMode, feasible *[groupCount]bool) modeGroup {
	if preferred != 0 && feasible[groupOf(preferred)] {
		return groupOf(preferred)
	}
	return anyGroup
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
