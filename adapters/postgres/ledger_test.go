package postgres

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/omnibasket/omnibasket/clock"
	"github.com/omnibasket/omnibasket/stock"
	"github.com/omnibasket/omnibasket/stock/stocktest"
)

// feedCounts feeds on-hand counts through a full feed of their locations,
// narrowed to their SKUs.
func feedCounts(t *testing.T, s *Store, id string, counts ...stock.Count) {
	t.Helper()
	f := stock.Feed{ID: id, Kind: stock.FullFeed, Counts: counts}
	for _, c := range counts {
		if !slices.Contains(f.Locations, c.LocationID) {
			f.Locations = append(f.Locations, c.LocationID)
		}
		if !slices.Contains(f.SKUs, c.SKU) {
			f.SKUs = append(f.SKUs, c.SKU)
		}
	}
	_, err := s.Feed(context.Background(), f)
	require.NoError(t, err)
}

func holdMove(loc string, exp time.Time, lines ...stock.ReserveLine) stock.Movement {
	return stock.Movement{Kind: stock.MoveHold, LocationID: loc, Lines: lines, ExpiresAt: exp}
}

func line(sku string, q int64) stock.ReserveLine { return stock.ReserveLine{SKU: sku, Quantity: q} }

// Of 50 baskets holding the last unit of a pair at once, half through
// Apply and half through Reserve, exactly one gets it; the others get a
// shortage naming the pair with nothing available.
func TestApplyFiftyRacersOneUnit(t *testing.T) {
	clk := clock.NewFake(stocktest.Epoch)
	s := newTestStore(t, clk)
	t.Parallel()
	ctx := context.Background()
	rounds := 10
	if testing.Short() {
		rounds = 3
	}
	exp := clk.Now().Add(time.Hour)
	for round := range rounds {
		sku := fmt.Sprintf("sku-%d", round)
		feedCounts(t, s, "set-"+sku, stock.Count{SKU: sku, LocationID: "x", Quantity: 1})
		var (
			wg      sync.WaitGroup
			start   = make(chan struct{})
			winners atomic.Int64
			errs    = make([]error, 50)
		)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				basketID := fmt.Sprintf("r%d-b%02d", round, i)
				var err error
				if i%2 == 0 {
					_, err = s.Apply(ctx, stock.Change{BasketID: basketID, Movements: []stock.Movement{holdMove("x", exp, line(sku, 1))}})
				} else {
					_, err = s.Reserve(ctx, stock.ReserveRequest{BasketID: basketID, RequestKey: "k", LocationID: "x",
						Lines: []stock.ReserveLine{line(sku, 1)}, ExpiresAt: exp})
				}
				if err == nil {
					winners.Add(1)
				}
				errs[i] = err
			}()
		}
		close(start)
		wg.Wait()
		require.Equal(t, int64(1), winners.Load(), "round %d: one winner", round)
		want := []stock.Shortage{{SKU: sku, LocationID: "x", Requested: 1, Available: 0}}
		for i, err := range errs {
			if err == nil {
				continue
			}
			var short *stock.ShortageError
			require.ErrorAs(t, err, &short, "racer %d", i)
			assert.Equal(t, want, short.Shortages, "racer %d", i)
		}
		holds, err := s.Holds(ctx, stock.Query{SKUs: []string{sku}, Locations: []string{"x"}})
		require.NoError(t, err)
		require.Len(t, holds, 1)
		assert.Equal(t, int64(1), holds[0].Quantity)
		assert.Zero(t, holds[0].AtRisk)
		levels, err := s.Levels(ctx, stock.Query{SKUs: []string{sku}, Locations: []string{"x"}})
		require.NoError(t, err)
		l, _ := levels.Get(sku, "x")
		assert.Equal(t, stock.Level{SKU: sku, LocationID: "x", OnHand: 1, Reserved: 1}, l)
	}
}

// Feeds (full and delta), changes of several movements over several
// locations (holds, transfers both ways, deducts, releases, restocks of
// pairs nobody knows yet) and reservations run at once on the same pairs,
// each movement list in an order chosen to cross the others'. With
// retries disabled, a deadlock would surface as an error: none may. Units
// are conserved at the locations no full feed counts, the reserved
// counters match the lines, and Holds ranks and covers what is left as
// stock.Cover does.
func TestLedgerRaceNoDeadlock(t *testing.T) {
	clk := clock.NewFake(stocktest.Epoch)
	s := newTestStore(t, clk)
	s.retries = 0
	t.Parallel()
	ctx := context.Background()
	iterations := 40
	if testing.Short() {
		iterations = 10
	}
	skus := []string{"a", "b", "c", "d"}
	var newSKUs []string // at z, unknown until a restock or a feed creates them, often both at once
	for i := range 2 * iterations {
		newSKUs = append(newSKUs, fmt.Sprintf("n%03d", i))
	}
	conserved := []string{"x", "y"} // no full feed counts them
	var initial int64
	var counts []stock.Count
	for _, loc := range conserved {
		for _, sku := range skus {
			counts = append(counts, stock.Count{SKU: sku, LocationID: loc, Quantity: 20})
			initial += 20
		}
	}
	feedCounts(t, s, "initial", counts...)
	exp := clk.Now().Add(time.Hour)

	var (
		delta  atomic.Int64 // Σ changes of on-hand at x and y by successful calls
		wg     sync.WaitGroup
		start  = make(chan struct{})
		failed = make(chan error, 64)
	)
	expected := func(err error) bool {
		return err == nil || errors.Is(err, stock.ErrInsufficientStock) || errors.Is(err, stock.ErrNotFound)
	}
	baskets := []string{"p1", "p2", "p3", "p4", "p5", "p6"}
	for g, basketID := range baskets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(g), 1))
			pick := func(xs []string) string { return xs[rng.IntN(len(xs))] }
			from, to := "x", "y"
			if g%2 == 1 {
				from, to = to, from
			}
			<-start
			for range iterations {
				var c stock.Change
				var change int64
				c.BasketID = basketID
				switch rng.IntN(5) {
				case 0: // holds at both locations, the later-sorted first
					c.Movements = []stock.Movement{
						holdMove(to, exp, line(pick(skus), 1+rng.Int64N(3)), line(pick(skus), 1)),
						holdMove(from, exp, line(pick(skus), 1+rng.Int64N(3))),
					}
				case 1: // a hold sent on at once
					sku := pick(skus)
					c.Movements = []stock.Movement{
						holdMove(from, exp, line(sku, 2)),
						{Kind: stock.MoveTransfer, LocationID: from, To: to, Lines: []stock.ReserveLine{line(sku, 1)}, ExpiresAt: exp},
					}
				case 2: // a hand-over and two units back on a shelf
					c.Movements = []stock.Movement{
						{Kind: stock.MoveDeduct, LocationID: to, Lines: []stock.ReserveLine{line(pick(skus), 1)}},
						{Kind: stock.MoveRestock, LocationID: from, Lines: []stock.ReserveLine{line(pick(skus), 2)}},
					}
					change = 1
				case 3: // pairs at z, likely new, then a release
					j := rng.IntN(len(newSKUs) - 1)
					c.Movements = []stock.Movement{
						{Kind: stock.MoveRestock, LocationID: "z", Lines: []stock.ReserveLine{line(newSKUs[j+1], 1), line(newSKUs[j], 1)}},
						{Kind: stock.MoveRelease, LocationID: from},
					}
				case 4: // a reservation and a transfer through the Reserver
					key := fmt.Sprintf("k%d", rng.Uint64())
					_, err := s.Reserve(ctx, stock.ReserveRequest{BasketID: basketID, RequestKey: key, LocationID: from,
						Lines: []stock.ReserveLine{line(pick(skus), 1), line(pick(skus), 1)}, ExpiresAt: exp})
					if err == nil {
						_, err = s.Transfer(ctx, stock.TransferRequest{BasketID: basketID, RequestKey: key + "t", From: from, To: to})
					}
					if !expected(err) {
						failed <- fmt.Errorf("%s: reserve or transfer: %w", basketID, err)
						return
					}
					continue
				}
				_, err := s.Apply(ctx, c)
				if !expected(err) {
					failed <- fmt.Errorf("%s: apply %+v: %w", basketID, c, err)
					return
				}
				if err == nil {
					delta.Add(change)
				}
			}
		}()
	}
	for g := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(100+g), 2))
			<-start
			for i := range iterations {
				var f stock.Feed
				if g == 0 { // full counts of z, creating the pairs restocks create too
					f = stock.Feed{ID: fmt.Sprintf("full-%d", i), Kind: stock.FullFeed, Locations: []string{"z"}}
					for _, j := range []int{2*i + 1, 2 * i, i} { // fresh pairs, in reverse order
						f.Counts = append(f.Counts, stock.Count{SKU: newSKUs[j], LocationID: "z", Quantity: rng.Int64N(5)})
					}
					f.Counts = slices.CompactFunc(f.Counts, func(a, b stock.Count) bool { return a.SKU == b.SKU })
				} else { // deltas at x and y, in reverse order of the locks
					f = stock.Feed{ID: fmt.Sprintf("delta-%d-%d", g, i), Kind: stock.DeltaFeed}
					for _, loc := range slices.Backward(conserved) {
						for _, sku := range slices.Backward(skus) {
							if rng.IntN(3) == 0 {
								f.Counts = append(f.Counts, stock.Count{SKU: sku, LocationID: loc, Quantity: rng.Int64N(7) - 3})
							}
						}
					}
					f.Counts = slices.DeleteFunc(f.Counts, func(c stock.Count) bool { return c.Quantity == 0 })
					if len(f.Counts) == 0 {
						continue
					}
				}
				rep, err := s.Feed(ctx, f)
				switch {
				case err == nil && f.Kind == stock.DeltaFeed:
					delta.Add(rep.OnHandAfter - rep.OnHandBefore)
				case err == nil, errors.Is(err, stock.ErrInvalid) && f.Kind == stock.DeltaFeed: // a delta below zero
				default:
					failed <- fmt.Errorf("feed %s: %w", f.ID, err)
					return
				}
			}
		}()
	}
	close(start)
	wg.Wait()
	close(failed)
	for err := range failed {
		t.Error(err)
	}
	if t.Failed() {
		return
	}

	all := append(slices.Clone(skus), newSKUs...)
	locs := []string{"x", "y", "z"}
	require.NoError(t, stocktest.CheckConservation(ctx, s, s, clk.Now(), baskets, all, locs))
	levels, err := s.Levels(ctx, stock.Query{SKUs: skus, Locations: conserved})
	require.NoError(t, err)
	var total int64
	for _, l := range levels.All() {
		total += l.OnHand
	}
	assert.Equal(t, initial+delta.Load(), total, "on-hand at x and y after every successful feed and movement")

	holds, err := s.Holds(ctx, stock.Query{SKUs: all, Locations: locs})
	require.NoError(t, err)
	require.NotEmpty(t, holds, "the race left holds to rank")
	levels, err = s.Levels(ctx, stock.Query{SKUs: all, Locations: locs})
	require.NoError(t, err)
	for _, l := range levels.All() {
		var got []stock.Hold
		for _, h := range holds {
			if h.SKU == l.SKU && h.LocationID == l.LocationID {
				got = append(got, h)
			}
		}
		if len(got) > 0 {
			assert.Equal(t, stock.Cover(l.OnHand, clk.Now(), got), got, "%s at %s", l.SKU, l.LocationID)
		}
	}
}

// applyChange runs inside the caller's transaction: what it did is seen
// there, and is gone when the caller rolls back (a hold, a pair made known
// by a restock or a transfer, on-hand handed over), or stored when it
// commits. Until then, other callers wait for its locks.
func TestApplyChangeInCallerTransaction(t *testing.T) {
	clk := clock.NewFake(stocktest.Epoch)
	s := newTestStore(t, clk)
	t.Parallel()
	ctx := context.Background()
	feedCounts(t, s, "set", stock.Count{SKU: "a", LocationID: "x", Quantity: 5})
	exp := clk.Now().Add(time.Hour)
	change := stock.Change{BasketID: "b1", Movements: []stock.Movement{
		holdMove("x", exp, line("a", 3)),
		{Kind: stock.MoveRestock, LocationID: "new", Lines: []stock.ReserveLine{line("n", 4)}},
		{Kind: stock.MoveTransfer, LocationID: "x", To: "y", Lines: []stock.ReserveLine{line("a", 1)}, ExpiresAt: exp},
	}}
	now := clk.Now()
	want := []stock.Reservation{
		{BasketID: "b1", LocationID: "x", Lines: []stock.ReserveLine{{SKU: "a", Quantity: 2, HeldSince: now}}, ExpiresAt: exp},
		{BasketID: "b1", LocationID: "y", Lines: []stock.ReserveLine{{SKU: "a", Quantity: 1, HeldSince: now}}, ExpiresAt: exp},
	}
	query := stock.Query{SKUs: []string{"a", "n"}, Locations: []string{"new", "x", "y"}}
	before, err := s.Levels(ctx, query)
	require.NoError(t, err)

	for _, commit := range []bool{false, true} {
		tx, err := s.pool.Begin(ctx)
		require.NoError(t, err)
		got, err := s.applyChange(ctx, tx, change)
		require.NoError(t, err)
		assert.Equal(t, want, got)
		var inTx int64
		require.NoError(t, tx.QueryRow(ctx, "SELECT on_hand FROM "+s.ident+".stock_levels WHERE sku = 'n' AND location_id = 'new'").Scan(&inTx))
		assert.Equal(t, int64(4), inTx, "the transaction sees its own restock")

		// Another basket's reservation of the pair waits for the caller.
		errc := make(chan error, 1)
		go func() {
			_, err := s.Reserve(ctx, stock.ReserveRequest{BasketID: "b2", RequestKey: fmt.Sprint(commit), LocationID: "x",
				Lines: []stock.ReserveLine{line("a", 4)}, ExpiresAt: exp})
			errc <- err
		}()
		var pid uint32
		require.NoError(t, tx.QueryRow(ctx, "SELECT pg_backend_pid()").Scan(&pid))
		blockedBy(t, s.pool, pid)
		if !commit {
			require.NoError(t, tx.Rollback(ctx))
			require.NoError(t, <-errc, "the rolled-back hold freed a's units at x")

			rs, err := s.Reservations(ctx, "b1")
			require.NoError(t, err)
			assert.Empty(t, rs)
			after, err := s.Levels(ctx, query)
			require.NoError(t, err)
			assert.Equal(t, []stock.Level{{SKU: "a", LocationID: "x", OnHand: 5}}, before.All())
			assert.Equal(t, []stock.Level{{SKU: "a", LocationID: "x", OnHand: 5, Reserved: 4}}, after.All(),
				"b2 holds 4; n at new and a at y stay unknown")
			require.NoError(t, s.Release(ctx, "b2", "x"))
			continue
		}
		require.NoError(t, tx.Commit(ctx))
		var short *stock.ShortageError
		require.ErrorAs(t, <-errc, &short, "the committed hold keeps a's units at x")
		assert.Equal(t, []stock.Shortage{{SKU: "a", LocationID: "x", Requested: 4, Available: 2}}, short.Shortages)
		rs, err := s.Reservations(ctx, "b1")
		require.NoError(t, err)
		assert.Equal(t, want, rs)
		after, err := s.Levels(ctx, query)
		require.NoError(t, err)
		assert.Equal(t, []stock.Level{
			{SKU: "a", LocationID: "x", OnHand: 4, Reserved: 2},
			{SKU: "a", LocationID: "y", OnHand: 1, Reserved: 1},
			{SKU: "n", LocationID: "new", OnHand: 4},
		}, after.All())
	}
}

// A change refused inside the caller's transaction returns the stock
// package's typed error, and the pairs it was about to make known are not
// known once the caller rolls back.
func TestApplyChangeRefusalInCallerTransaction(t *testing.T) {
	clk := clock.NewFake(stocktest.Epoch)
	s := newTestStore(t, clk)
	t.Parallel()
	ctx := context.Background()
	feedCounts(t, s, "set", stock.Count{SKU: "a", LocationID: "x", Quantity: 1})
	tx, err := s.pool.Begin(ctx)
	require.NoError(t, err)
	defer func() { _ = tx.Rollback(ctx) }()
	_, err = s.applyChange(ctx, tx, stock.Change{BasketID: "b1", Movements: []stock.Movement{
		{Kind: stock.MoveRestock, LocationID: "z", Lines: []stock.ReserveLine{line("n", 1)}},
		holdMove("x", clk.Now().Add(time.Hour), line("a", 2)),
	}})
	var short *stock.ShortageError
	require.ErrorAs(t, err, &short)
	assert.Equal(t, []stock.Shortage{{SKU: "a", LocationID: "x", Requested: 2, Available: 1}}, short.Shortages)
	require.NoError(t, tx.Rollback(ctx))
	levels, err := s.Levels(ctx, stock.Query{SKUs: []string{"a", "n"}, Locations: []string{"x", "z"}})
	require.NoError(t, err)
	assert.Equal(t, []stock.Level{{SKU: "a", LocationID: "x", OnHand: 1}}, levels.All())
}

// A pair that a change or a feed is making known is inserted before any
// level lock is taken: a second creator waits for the first while holding
// no level lock, then finds the pair known. Retries are disabled, so a
// deadlock would be an error.
func TestCreatingPairsWaitsWithoutDeadlock(t *testing.T) {
	clk := clock.NewFake(stocktest.Epoch)
	s := newTestStore(t, clk)
	s.retries = 0
	t.Parallel()
	ctx := context.Background()
	feedCounts(t, s, "set", stock.Count{SKU: "a", LocationID: "x", Quantity: 10})
	exp := clk.Now().Add(time.Hour)

	// The first creator holds n at z (new) and a at x until it commits.
	tx, err := s.pool.Begin(ctx)
	require.NoError(t, err)
	defer func() { _ = tx.Rollback(ctx) }()
	_, err = s.applyChange(ctx, tx, stock.Change{BasketID: "b1", Movements: []stock.Movement{
		holdMove("x", exp, line("a", 1)),
		{Kind: stock.MoveRestock, LocationID: "z", Lines: []stock.ReserveLine{line("n", 1)}},
	}})
	require.NoError(t, err)
	var pid uint32
	require.NoError(t, tx.QueryRow(ctx, "SELECT pg_backend_pid()").Scan(&pid))

	// A change and a feed create n at z too, and want a at x.
	applied := make(chan error, 1)
	go func() {
		_, err := s.Apply(ctx, stock.Change{BasketID: "b2", Movements: []stock.Movement{
			holdMove("x", exp, line("a", 2)),
			{Kind: stock.MoveRestock, LocationID: "z", Lines: []stock.ReserveLine{line("n", 2)}},
		}})
		applied <- err
	}()
	blockedBy(t, s.pool, pid)
	fed := make(chan stock.FeedReport, 1)
	fedErr := make(chan error, 1)
	go func() {
		rep, err := s.Feed(ctx, stock.Feed{ID: "d1", Kind: stock.DeltaFeed, Counts: []stock.Count{
			{SKU: "n", LocationID: "z", Quantity: 4}, {SKU: "a", LocationID: "x", Quantity: 1},
		}})
		fed <- rep
		fedErr <- err
	}()
	deadline := time.Now().Add(10 * time.Second)
	for waiting := 0; waiting < 2; {
		require.True(t, time.Now().Before(deadline), "both wait for the first creator")
		require.NoError(t, s.pool.QueryRow(ctx, "SELECT count(*) FROM pg_stat_activity WHERE $1::int = ANY (pg_blocking_pids(pid))", int32(pid)).Scan(&waiting))
		time.Sleep(5 * time.Millisecond)
	}
	require.NoError(t, tx.Commit(ctx))
	require.NoError(t, <-applied)
	require.NoError(t, <-fedErr)
	rep := <-fed
	assert.Equal(t, 2, rep.Pairs)
	levels, err := s.Levels(ctx, stock.Query{SKUs: []string{"a", "n"}, Locations: []string{"x", "z"}})
	require.NoError(t, err)
	assert.Equal(t, []stock.Level{
		{SKU: "a", LocationID: "x", OnHand: 11, Reserved: 3},
		{SKU: "n", LocationID: "z", OnHand: 7},
	}, levels.All())
}

// Within a change, a pair made known by a later movement is still unknown
// to an earlier one, although its row is created before the locks.
func TestApplyPairKnownOnlyFromItsMovement(t *testing.T) {
	clk := clock.NewFake(stocktest.Epoch)
	s := newTestStore(t, clk)
	t.Parallel()
	ctx := context.Background()
	exp := clk.Now().Add(time.Hour)
	restock := stock.Movement{Kind: stock.MoveRestock, LocationID: "z", Lines: []stock.ReserveLine{line("n", 2)}}

	_, err := s.Apply(ctx, stock.Change{BasketID: "b1", Movements: []stock.Movement{holdMove("z", exp, line("n", 1)), restock}})
	var short *stock.ShortageError
	require.ErrorAs(t, err, &short)
	assert.Equal(t, []stock.Shortage{{SKU: "n", LocationID: "z", Requested: 1, Unknown: true}}, short.Shortages)
	assert.ErrorIs(t, err, stock.ErrUnknown)

	got, err := s.Apply(ctx, stock.Change{BasketID: "b1", Movements: []stock.Movement{restock, holdMove("z", exp, line("n", 1))}})
	require.NoError(t, err)
	assert.Equal(t, []stock.Reservation{{BasketID: "b1", LocationID: "z", ExpiresAt: exp,
		Lines: []stock.ReserveLine{{SKU: "n", Quantity: 1, HeldSince: clk.Now()}}}}, got)
}

// The store keeps instants as int64 nanoseconds: an expiry it cannot keep
// is refused as input, before any work.
func TestApplyExpiryOutOfRange(t *testing.T) {
	s := newTestStore(t, clock.NewFake(stocktest.Epoch))
	t.Parallel()
	far := time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC)
	_, err := s.Apply(context.Background(), stock.Change{BasketID: "b1", Movements: []stock.Movement{
		{Kind: stock.MoveRestock, LocationID: "x", Lines: []stock.ReserveLine{line("a", 1)}},
		holdMove("x", far, line("a", 1)),
	}})
	var in *stock.InputError
	require.ErrorAs(t, err, &in)
	assert.Equal(t, "Movements[1].ExpiresAt", in.Field)
	levels, err := s.Levels(context.Background(), stock.Query{SKUs: []string{"a"}, Locations: []string{"x"}})
	require.NoError(t, err)
	assert.Zero(t, levels.Len())
}

// Feed IDs are remembered for FeedRetention: a re-delivery within it is a
// replay; at it, the ID is forgotten (the feed applies again) whether or
// not Prune has deleted it, and Prune deletes it then, not before.
func TestFeedRetentionAndPrune(t *testing.T) {
	clk := clock.NewFake(stocktest.Epoch)
	s := newTestStore(t, clk)
	t.Parallel()
	ctx := context.Background()
	delta := stock.Feed{ID: "receipt-1", Kind: stock.DeltaFeed, Counts: []stock.Count{{SKU: "a", LocationID: "x", Quantity: 3}}}
	other := stock.Feed{ID: "receipt-2", Kind: stock.DeltaFeed, Counts: []stock.Count{{SKU: "a", LocationID: "x", Quantity: 1}}}
	onHand := func() int64 {
		levels, err := s.Levels(ctx, stock.Query{SKUs: []string{"a"}, Locations: []string{"x"}})
		require.NoError(t, err)
		l, _ := levels.Get("a", "x")
		return l.OnHand
	}
	start := clk.Now()
	rep, err := s.Feed(ctx, delta)
	require.NoError(t, err)
	assert.Equal(t, stock.FeedReport{Pairs: 1, OnHandBefore: 0, OnHandAfter: 3}, rep)
	clk.Advance(time.Hour)
	_, err = s.Feed(ctx, other)
	require.NoError(t, err)

	clk.Set(start.Add(FeedRetention - time.Nanosecond))
	p, err := s.Prune(ctx)
	require.NoError(t, err)
	assert.Equal(t, Pruned{}, p)
	rep, err = s.Feed(ctx, delta)
	require.NoError(t, err)
	assert.Equal(t, stock.FeedReport{Replayed: true}, rep)
	assert.Equal(t, int64(4), onHand())

	clk.Set(start.Add(FeedRetention))
	rep, err = s.Feed(ctx, delta) // forgotten: applied again, and remembered anew
	require.NoError(t, err)
	assert.Equal(t, stock.FeedReport{Pairs: 1, OnHandBefore: 4, OnHandAfter: 7}, rep)
	p, err = s.Prune(ctx)
	require.NoError(t, err)
	assert.Equal(t, Pruned{}, p, "receipt-1 was recorded again just now; receipt-2 is 1h younger")

	clk.Set(start.Add(time.Hour + FeedRetention))
	p, err = s.Prune(ctx)
	require.NoError(t, err)
	assert.Equal(t, Pruned{Feeds: 1}, p)
	rep, err = s.Feed(ctx, other)
	require.NoError(t, err)
	assert.False(t, rep.Replayed, "pruned: applied again")
	rep, err = s.Feed(ctx, delta)
	require.NoError(t, err)
	assert.True(t, rep.Replayed)
	assert.Equal(t, int64(8), onHand())
}
