package basket_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/adapters/memory"
	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/basket/handoff"
	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/clock"
	"github.com/omnibasket/omnibasket/demo"
	"github.com/omnibasket/omnibasket/loyalty"
	"github.com/omnibasket/omnibasket/payment"
	"github.com/omnibasket/omnibasket/pricing"
	"github.com/stretchr/testify/require"
)

// Golden events are the stability promise of the event history (see
// docs/stability.md): testdata/golden-events/vN holds one stored event of
// every event type as the library wrote it when the PostgreSQL schema was
// at version N. Every file of every version must still decode, with the
// package's own decoder, and encode again to the same bytes; a new event
// type needs its file. Files are never rewritten: -golden-events only adds
// the missing ones, written by the current code into goldenEventsDir.
var addGoldenEvents = flag.Bool("golden-events", false,
	"write the golden event files that are missing (existing files are never rewritten)")

// goldenEventsDir is where new golden events go: the schema version they
// are written under. Raise it with the migration that changes what an
// event holds, and keep the older directories.
const goldenEventsDir = "testdata/golden-events/v6"

// declaredEventTypes reads every EventType constant declared in the
// package's source, so that a new one cannot be forgotten here.
func declaredEventTypes(t *testing.T) []basket.EventType {
	t.Helper()
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	var out []basket.EventType
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, 0)
		require.NoError(t, err)
		for _, d := range f.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != "EventType" {
					continue
				}
				for _, v := range vs.Values {
					lit, ok := v.(*ast.BasicLit)
					require.True(t, ok, "EventType constant %s is not a string literal", vs.Names[0])
					s, err := strconv.Unquote(lit.Value)
					require.NoError(t, err)
					out = append(out, basket.EventType(s))
				}
			}
		}
	}
	slices.Sort(out)
	return out
}

// encodeGolden is the form of a golden file: the stored event, indented,
// with a final newline.
func encodeGolden(e basket.Event) ([]byte, error) {
	data, err := json.MarshalIndent(e, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(data, '\n'), nil
}

// TestGoldenEventsDecode: every stored event of every schema version
// decodes to its typed payload, which encodes to the same JSON, and the
// event to the same file, byte for byte; every event type has a file.
func TestGoldenEventsDecode(t *testing.T) {
	if *addGoldenEvents {
		writeMissingGoldenEvents(t)
	}
	versions, err := filepath.Glob("testdata/golden-events/v*")
	require.NoError(t, err)
	require.NotEmpty(t, versions, "no golden events: run go test ./basket -run GoldenEvents -golden-events")
	covered := map[basket.EventType]bool{}
	for _, dir := range versions {
		files, err := filepath.Glob(filepath.Join(dir, "*.json"))
		require.NoError(t, err)
		for _, file := range files {
			t.Run(filepath.Base(dir)+"/"+strings.TrimSuffix(filepath.Base(file), ".json"), func(t *testing.T) {
				raw, err := os.ReadFile(file)
				require.NoError(t, err)
				dec := json.NewDecoder(bytes.NewReader(raw))
				dec.DisallowUnknownFields()
				var e basket.Event
				require.NoError(t, dec.Decode(&e), "the stored event no longer decodes")
				require.Equal(t, string(e.Type)+".json", filepath.Base(file), "one file per type, named after it")
				payload, err := e.Decode()
				require.NoError(t, err, "its payload no longer decodes")

				strict := json.NewDecoder(bytes.NewReader(e.Data))
				strict.DisallowUnknownFields()
				require.NoError(t, strict.Decode(payload), "a field of the stored payload is no longer known")
				again, err := json.Marshal(payload)
				require.NoError(t, err)
				var stored bytes.Buffer
				require.NoError(t, json.Compact(&stored, e.Data))
				require.Equal(t, stored.String(), string(again), "the payload encodes differently: a field was renamed, dropped or re-typed")

				e.Data = again
				out, err := encodeGolden(e)
				require.NoError(t, err)
				require.Equal(t, string(raw), string(out), "the event encodes differently")
				covered[e.Type] = true
			})
		}
	}
	declared := declaredEventTypes(t)
	for typ := range covered {
		if !slices.Contains(declared, typ) {
			t.Errorf("%s has golden events but is no longer declared: stored events of that type would not replay", typ)
		}
	}
	var missing []string
	for _, typ := range declared {
		if !covered[typ] {
			missing = append(missing, string(typ))
		}
	}
	if len(missing) > 0 {
		t.Fatalf("event types without a golden file: %s\n(go test ./basket -run GoldenEvents -golden-events writes them into %s)",
			strings.Join(missing, ", "), goldenEventsDir)
	}
}

// writeMissingGoldenEvents runs real journeys through a Service on the
// demo retailer (web, check-in, click & collect, transfers, returns,
// invoices, tenders, overrides, loyalty, merges, self check-in, claims)
// and writes the first event of every type that has no file yet.
func writeMissingGoldenEvents(t *testing.T) {
	g := newGoldenJourneys(t)
	g.run(t)
	require.NoError(t, os.MkdirAll(goldenEventsDir, 0o755))
	var have []string
	existing, err := filepath.Glob("testdata/golden-events/v*/*.json")
	require.NoError(t, err)
	for _, f := range existing {
		have = append(have, filepath.Base(f))
	}
	for _, id := range g.ids {
		events, err := g.store.Events(context.Background(), id, 0)
		require.NoError(t, err)
		for _, e := range events {
			name := string(e.Type) + ".json"
			if slices.Contains(have, name) {
				continue
			}
			data, err := encodeGolden(e)
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(filepath.Join(goldenEventsDir, name), data, 0o644))
			have = append(have, name)
			t.Logf("wrote %s", filepath.Join(goldenEventsDir, name))
		}
	}
}

type goldenJourneys struct {
	ctx      context.Context
	clk      *clock.Fake
	store    *memory.BasketStore
	svc      *basket.Service
	tokens   *handoff.Service
	vouchers *memory.VoucherStore
	ids      []uuid.UUID
	n        int
}

var (
	goldenLea     = basket.Actor{Kind: basket.Associate, ID: "lea", LocationID: demo.Bellecour, Role: "associate"}
	goldenManager = basket.Actor{Kind: basket.Associate, ID: "mgr-3", LocationID: demo.Bellecour, Role: "manager"}
	goldenOps     = basket.Actor{Kind: basket.System, ID: "ops"}
)

func newGoldenJourneys(t *testing.T) *goldenJourneys {
	ctx := context.Background()
	clk := clock.NewFake(demo.Start())
	cat, err := demo.Catalog()
	require.NoError(t, err)
	ledger := memory.NewStockStore(clk)
	for _, l := range demo.Stock() {
		require.NoError(t, ledger.SetOnHand(ctx, l.SKU, l.LocationID, l.OnHand))
	}
	keys, err := handoff.NewKeyRing(handoff.Key{ID: "golden", Secret: handoff.NewSecret([]byte("golden-events-golden-events-gold")),
		ActiveFrom: demo.Start().Add(-time.Hour)})
	require.NoError(t, err)
	tokens, err := handoff.New(handoff.Config{Keys: keys, Replay: memory.NewReplayStore(clk), Clock: clk})
	require.NoError(t, err)
	vouchers := memory.NewVoucherStore(clk)
	require.NoError(t, vouchers.Issue(ctx, demo.GiftCard, pricing.MustParse("30.00", "EUR"), clk.Now().AddDate(1, 0, 0)))
	points := memory.NewLoyaltyStore()
	require.NoError(t, points.SetAccount(ctx, "card-42", "gold", 5000))
	scheme, err := loyalty.Compile(loyalty.Program{
		Rules: []loyalty.Rule{{ID: "base", Kind: loyalty.Base, Points: 1, Per: pricing.MustParse("1.00", "EUR")}},
		Tiers: []loyalty.Tier{{ID: "gold", Multiplier: pricing.MustRate("1.5")}},
		Burn: loyalty.BurnPolicy{Mode: loyalty.Discount, MinPoints: 500, Step: 100,
			Rates: []loyalty.Conversion{{Points: 100, Value: pricing.MustParse("1.00", "EUR")}}},
	})
	require.NoError(t, err)
	store := memory.NewBasketStore(memory.WithLedger(ledger))
	svc, err := basket.NewService(basket.Config{Store: store, Prices: cat, Promotions: cat, Tax: cat, Stock: ledger,
		Locations: cat, Fees: cat, Clock: clk, Handoff: tokens, Retailer: demo.Retailer, Vouchers: vouchers,
		Loyalty: points, LoyaltyScheme: scheme, Overrides: storePolicy()})
	require.NoError(t, err)
	return &goldenJourneys{ctx: ctx, clk: clk, store: store, svc: svc, tokens: tokens, vouchers: vouchers}
}

// create starts a basket with a fixed ID (so that files written again
// differ only where the code changed) for owner (anonymous when it starts
// with "anon-") and lines (SKU, quantity …).
func (g *goldenJourneys) create(t *testing.T, actor basket.Actor, owner string, c channel.Context, lines ...any) *basket.Basket {
	t.Helper()
	g.n++
	id := uuid.MustParse(fmt.Sprintf("00000000-0000-4000-8000-%012d", g.n))
	o := basket.Owner{CustomerID: owner}
	if strings.HasPrefix(owner, "anon-") {
		o = basket.Owner{AnonymousID: owner}
	}
	b, err := g.svc.Create(g.ctx, actor, basket.CreateRequest{ID: id, Owner: o, Context: c})
	require.NoError(t, err)
	g.ids = append(g.ids, id)
	for i := 0; i < len(lines); i += 2 {
		sku := lines[i].(string)
		b, err = g.svc.AddLine(g.ctx, actor, id, basket.NewLine{SKU: sku, Quantity: int64(lines[i+1].(int)), Product: demo.Product(sku)})
		require.NoError(t, err)
	}
	return b
}

func goldenLineID(t *testing.T, b *basket.Basket, sku string) string {
	t.Helper()
	for _, l := range b.Lines {
		if l.SKU == sku {
			return l.ID
		}
	}
	t.Fatalf("no line of %s", sku)
	return ""
}

func (g *goldenJourneys) run(t *testing.T) {
	ctx, svc := g.ctx, g.svc
	must := func(what string, err error) {
		t.Helper()
		require.NoError(t, err, what)
	}
	ines := basket.Actor{Kind: basket.Shopper, ID: "cust-ines"}

	// The web basket: every wallet and line command, then a check-in at
	// Bellecour and a check-out back to the web.
	b := g.create(t, ines, "cust-ines", demo.Web(time.Time{}), "LAMP-DESK", 1, "CANDLE-FIG", 2, "MUG-STONE", 1)
	var err error
	b, err = svc.SetQuantity(ctx, ines, b.ID, goldenLineID(t, b, "CANDLE-FIG"), 3)
	must("set quantity", err)
	b, err = svc.RemoveLine(ctx, ines, b.ID, goldenLineID(t, b, "MUG-STONE"))
	must("remove line", err)
	_, err = svc.AddCoupon(ctx, ines, b.ID, "WELCOME10")
	must("add coupon", err)
	_, err = svc.AddCoupon(ctx, ines, b.ID, "MERCI5")
	must("add coupon", err)
	_, err = svc.RemoveCoupon(ctx, ines, b.ID, "MERCI5")
	must("remove coupon", err)
	_, err = svc.AddVoucher(ctx, ines, b.ID, "VOUCHER-2026")
	must("add voucher", err)
	_, err = svc.SetFulfilment(ctx, ines, b.ID, goldenLineID(t, b, "LAMP-DESK"), channel.ShipFromStore)
	must("set fulfilment", err)
	_, err = svc.Transition(ctx, ines, b.ID, basket.Wishlist, time.Time{})
	must("to wishlist", err)
	_, err = svc.Transition(ctx, ines, b.ID, basket.Cart, time.Time{})
	must("back to cart", err)
	g.clk.Advance(time.Hour)
	ticket, err := svc.IssueCheckIn(ctx, ines, b.ID, basket.HandoffRequest{Location: demo.Bellecour, TTL: 5 * time.Minute})
	must("issue check-in", err)
	_, err = svc.CheckIn(ctx, goldenLea, basket.CheckInRequest{Token: ticket.Token, Method: "qr", Target: demo.Store(demo.Bellecour, time.Time{})})
	must("check in", err)
	_, err = svc.CheckOut(ctx, ines, b.ID, demo.Web(time.Time{}))
	must("check out", err)

	// Click & collect with a transfer: holds, fulfilment orders, arrival
	// and collection, then payment, invoice, a return and its credit note.
	b = g.create(t, ines, "cust-ines", demo.WebCollect(demo.Bellecour, time.Time{}), "LAMP-ARC", 2, "BULB-E27", 2)
	b, err = svc.PlaceOrder(ctx, ines, b.ID)
	must("place order", err)
	fos := b.Order.Fulfilment
	g.clk.Advance(48 * time.Hour)
	_, err = svc.Arrived(ctx, goldenLea, b.ID, fos[1].ID)
	must("arrived", err)
	for _, fo := range fos {
		_, err = svc.Collect(ctx, goldenLea, b.ID, fo.ID)
		must("collect", err)
	}
	_, err = svc.AddTender(ctx, ines, b.ID, payment.Tender{Kind: payment.GiftCard, Code: demo.GiftCard})
	must("add gift card", err)
	_, err = svc.RemoveTender(ctx, ines, b.ID, payment.GiftCard, demo.GiftCard)
	must("remove gift card", err)
	_, err = svc.AddTender(ctx, ines, b.ID, payment.Tender{Kind: payment.Card})
	must("add card", err)
	_, err = svc.Pay(ctx, ines, b.ID)
	must("pay", err)
	_, err = svc.Invoice(ctx, goldenOps, b.ID)
	must("invoice", err)
	g.clk.Advance(24 * time.Hour)
	_, err = svc.Return(ctx, goldenOps, b.ID, basket.ReturnRequest{LocationID: demo.Bellecour,
		Lines: []basket.ReturnLine{{LineID: goldenLineID(t, b, "BULB-E27"), Quantity: 1}}, Reason: "changed mind"})
	must("return", err)

	// Shipped from the warehouse: dispatched. Collected later: a no-show.
	b = g.create(t, ines, "cust-ines", demo.Web(time.Time{}), "RUG-JUTE", 1)
	b, err = svc.PlaceOrder(ctx, ines, b.ID)
	must("place a shipped order", err)
	_, err = svc.Dispatch(ctx, goldenOps, b.ID, b.Order.Fulfilment[0].ID)
	must("dispatch", err)
	b = g.create(t, ines, "cust-ines", demo.WebCollect(demo.Bellecour, time.Time{}), "MUG-STONE", 1)
	b, err = svc.PlaceOrder(ctx, ines, b.ID)
	must("place a collect order", err)
	g.clk.Set(b.Order.Fulfilment[0].HoldUntil)
	_, err = svc.NoShow(ctx, goldenLea, b.ID, b.Order.Fulfilment[0].ID)
	must("no-show", err)

	// A cart hold that expires.
	b = g.create(t, ines, "cust-ines", demo.WebCollect(demo.Bellecour, time.Time{}), "MUG-STONE", 1)
	_, err = svc.Hold(ctx, ines, b.ID, g.clk.Now().Add(time.Hour))
	must("hold", err)
	g.clk.Advance(2 * time.Hour)
	_, err = svc.Expire(ctx, goldenOps, b.ID)
	must("expire", err)

	// An associate's override above the limit, approved, removed, and one
	// that ends when the basket leaves the store.
	b = g.create(t, goldenLea, "cust-42", demo.Store(demo.Bellecour, time.Time{}), "LAMP-ARC", 1, "MUG-STONE", 2)
	lamp := goldenLineID(t, b, "LAMP-ARC")
	req := basket.OverrideRequest{LineID: lamp, Terms: basket.SetPrice(pricing.MustParse("129.00", "EUR")), Reason: "price-match"}
	ap, err := svc.ApproveOverride(ctx, goldenManager, b.ID, req)
	must("approve", err)
	req.Approval = ap.Token
	_, err = svc.OverridePrice(ctx, goldenLea, b.ID, req)
	must("override", err)
	_, err = svc.RemoveOverride(ctx, goldenLea, b.ID, lamp)
	must("remove override", err)
	mug := goldenLineID(t, b, "MUG-STONE")
	_, err = svc.OverridePrice(ctx, goldenLea, b.ID, basket.OverrideRequest{LineID: mug, Terms: basket.SetPrice(pricing.MustParse("14.00", "EUR")), Reason: "damaged"})
	must("small override", err)
	_, err = svc.CheckOut(ctx, goldenLea, b.ID, demo.Web(time.Time{}))
	must("leave the store", err)

	// Loyalty points: set, burnt, reserved by the order, committed by the
	// payment, credited.
	b = g.create(t, goldenLea, "cust-42", demo.Store(demo.Bellecour, time.Time{}), "LAMP-DESK", 1)
	_, err = svc.SetLoyalty(ctx, goldenLea, b.ID, &basket.Loyalty{Account: "card-42"})
	must("loyalty", err)
	_, err = svc.UseLoyaltyPoints(ctx, goldenLea, b.ID, 500)
	must("use points", err)
	_, err = svc.PlaceOrder(ctx, goldenLea, b.ID)
	must("order with points", err)
	_, err = svc.AddTender(ctx, goldenLea, b.ID, payment.Tender{Kind: payment.Card})
	must("card", err)
	_, err = svc.Pay(ctx, goldenLea, b.ID)
	must("pay with points", err)

	// A gift-card redemption whose payment was never recorded (the save
	// was lost after the card was debited) is reversed.
	b = g.create(t, ines, "cust-ines", demo.WebCollect(demo.Bellecour, time.Time{}), "CANDLE-FIG", 1)
	b, err = svc.PlaceOrder(ctx, ines, b.ID)
	must("order paid by gift card", err)
	b, err = svc.AddTender(ctx, ines, b.ID, payment.Tender{Kind: payment.GiftCard, Code: demo.GiftCard})
	must("add gift card", err)
	must("debit the card", g.vouchers.Redeem(ctx, payment.Redemption{ID: b.RedemptionID(),
		Debits: []payment.Debit{{Code: demo.GiftCard, Amount: b.Result.Totals.Total}}}))
	_, err = svc.ReleaseRedemption(ctx, ines, b.ID)
	must("release the redemption", err)

	// A merge vouched for by the system, an anonymous basket claimed on a
	// phone, and a self check-in on the store's tag.
	target := g.create(t, ines, "cust-ines", demo.Web(time.Time{}), "TEA-EARL", 1)
	source := g.create(t, goldenOps, "anon-7", demo.Web(time.Time{}), "TEA-GREEN", 2)
	_, err = svc.Merge(ctx, ines, basket.MergeRequest{Target: target.ID, Source: source.ID, SourceHolder: goldenOps, Policy: basket.MergeSum})
	if errors.Is(err, basket.ErrForbidden) {
		_, err = svc.Merge(ctx, goldenOps, basket.MergeRequest{Target: target.ID, Source: source.ID, SourceHolder: goldenOps, Policy: basket.MergeSum})
	}
	must("merge", err)
	walkIn := g.create(t, goldenLea, "anon-9", demo.Store(demo.Bellecour, time.Time{}), "VASE-GLASS", 1)
	out, err := svc.IssueCheckOut(ctx, goldenLea, walkIn.ID, basket.HandoffRequest{TTL: 5 * time.Minute})
	must("issue check-out", err)
	_, err = svc.ClaimCheckOut(ctx, ines, basket.ClaimRequest{Token: out.Token, Target: demo.Web(time.Time{})})
	must("claim", err)
	tag, err := svc.LocationTag(ctx, goldenOps, demo.Bellecour)
	must("location tag", err)
	b = g.create(t, ines, "cust-ines", demo.Web(time.Time{}), "CANDLE-FIG", 1)
	_, err = svc.SelfCheckIn(ctx, ines, b.ID, basket.SelfCheckInRequest{Tag: tag.Tag, Method: "qr", Target: demo.Store(demo.Bellecour, time.Time{})})
	must("self check-in", err)
}
