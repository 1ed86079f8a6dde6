package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	erpcsv "github.com/omnibasket/omnibasket/adapters/csv"
	"github.com/omnibasket/omnibasket/adapters/httpapi"
	"github.com/omnibasket/omnibasket/adapters/httpstock"
	"github.com/omnibasket/omnibasket/adapters/memory"
	"github.com/omnibasket/omnibasket/adapters/postgres"
	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/basket/handoff"
	"github.com/omnibasket/omnibasket/catalog"
	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/clock"
	"github.com/omnibasket/omnibasket/demo"
	"github.com/omnibasket/omnibasket/insights"
	"github.com/omnibasket/omnibasket/pricing"
	"github.com/omnibasket/omnibasket/promotion"
	"github.com/omnibasket/omnibasket/stock"
)

// demoData is the demo retailer's prices, promotions and stock exported
// as CSV files (TestDemoDataIsTheDemo keeps them equal to the demo package),
// so that the default reads the same files a retailer would give.
//
//go:embed demodata/*.csv
var demoData embed.FS

// sources is the reference data the Service prices with, swapped whole
// on reload: it implements pricing.PriceSource, basket.PromotionSource,
// basket.TaxSource, basket.LocationSource and basket.FeeSource over the
// current catalogue. A request pinned to a catalogue ([sources.pin])
// reads that one throughout, so a reload never mixes old prices with new
// promotions in one answer: requests in flight finish on the catalogue
// they started with.
type sources struct {
	prices, promotions, stock string // CSV files; "" is the embedded demo data
	log                       *slog.Logger
	cur                       atomic.Pointer[memory.Catalog]

	// ledger holds the stock the baskets reserve and order from; it is
	// fed from the stock CSV, or synchronised from remote.
	ledger stock.Ledger
	// remote is the HTTP stock service (nil: stock comes from the CSV).
	remote stock.Provider

	mu         sync.Mutex // one load at a time
	feedPrefix string
	feeds      int
}

var (
	_ pricing.PriceSource    = (*sources)(nil)
	_ basket.PromotionSource = (*sources)(nil)
	_ basket.TaxSource       = (*sources)(nil)
	_ basket.LocationSource  = (*sources)(nil)
	_ basket.FeeSource       = (*sources)(nil)
)

type pinKey struct{}

// pin returns ctx bound to the current catalogue.
// historyMonthsAhead is how many months past the current one the
// maintenance keeps prepared in the PostgreSQL history.
const historyMonthsAhead = 2

// maintainHistory prepares the history's coming months, so that no write
// creates one, and with keep > 0 drops the months that ended more than
// keep months before now. A month a relay has not passed is kept and
// reported, not an error: the relay catches up, or its name is forgotten.
func maintainHistory(ctx context.Context, pg *postgres.Store, now time.Time, keep int, log *slog.Logger) error {
	months, err := pg.PrepareHistory(ctx, now.AddDate(0, historyMonthsAhead, 0))
	for _, m := range months {
		log.Info("maintenance: history month prepared", slog.String("table", m.Table))
	}
	if err != nil || keep == 0 {
		return err
	}
	_, err = pg.DropHistory(ctx, now.AddDate(0, -keep, 0), &postgres.DropHistoryOptions{
		Progress: func(d postgres.DroppedMonth) {
			log.Info("maintenance: history month dropped", slog.String("month", d.Start.Format("2006-01")), slog.Int64("events", d.Events))
		},
	})
	if held := (*postgres.HistoryHeldError)(nil); errors.As(err, &held) {
		log.Warn("maintenance: history month kept, a relay has not passed it", slog.String("month", held.Month.Start.Format("2006-01")),
			slog.String("relay", held.Relay), slog.String("position", held.Position.String()))
		return nil
	}
	return err
}

func (s *sources) pin(ctx context.Context) context.Context {
	return context.WithValue(ctx, pinKey{}, s.cur.Load())
}

// catalog is the catalogue ctx is pinned to, else the current one.
func (s *sources) catalog(ctx context.Context) *memory.Catalog {
	if c, ok := ctx.Value(pinKey{}).(*memory.Catalog); ok && c != nil {
		return c
	}
	return s.cur.Load()
}

// Prices implements pricing.PriceSource.
func (s *sources) Prices(ctx context.Context, q pricing.PriceQuery) ([]pricing.Price, error) {
	return s.catalog(ctx).Prices(ctx, q)
}

// Promotions implements basket.PromotionSource.
func (s *sources) Promotions(ctx context.Context, ch channel.Context) (*promotion.Set, error) {
	return s.catalog(ctx).Promotions(ctx, ch)
}

// TaxTable implements basket.TaxSource.
func (s *sources) TaxTable(ctx context.Context, zone string) (*pricing.TaxTable, error) {
	return s.catalog(ctx).TaxTable(ctx, zone)
}

// Locations implements basket.LocationSource.
func (s *sources) Locations(ctx context.Context, ids []string) ([]stock.Location, error) {
	return s.catalog(ctx).Locations(ctx, ids)
}

// Fees implements basket.FeeSource.
func (s *sources) Fees(ctx context.Context, ch channel.Context) ([]basket.FeeRule, error) {
	return s.catalog(ctx).Fees(ctx, ch)
}

// reload reads every source again and swaps the catalogue in; on any
// failure it keeps the data it had and says why. Stock is fed into the
// ledger before the swap (a feed is one step in the ledger).
func (s *sources) reload(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	start := time.Now()
	cat, skus, levels, err := s.load(ctx)
	if err == nil {
		err = s.feed(ctx, cat, skus, levels)
	}
	if err != nil {
		if s.cur.Load() != nil {
			s.log.Error("reload failed: keeping the data loaded before", slog.Any("error", err))
		}
		return err
	}
	s.cur.Store(cat)
	s.log.Info("data loaded", slog.String("prices", source(s.prices)), slog.String("promotions", source(s.promotions)),
		slog.String("stock", s.stockSource()), slog.Int("stock_levels", len(levels)), slog.Float64("took_ms", float64(time.Since(start).Microseconds())/1000))
	return nil
}

func source(path string) string {
	if path == "" {
		return "embedded demo data"
	}
	return path
}

func (s *sources) stockSource() string {
	if s.remote != nil {
		return fmt.Sprint(s.remote)
	}
	return source(s.stock)
}

// load reads the CSV sources and builds a catalogue from them: the prices
// and promotions of the files, and the demo retailer's tax rules, sites
// and fees (those have no CSV form). It also returns the SKUs priced,
// sorted, and the stock levels of the CSV (none with an HTTP stock
// service).
func (s *sources) load(ctx context.Context) (*memory.Catalog, []string, []stock.Level, error) {
	prices, err := loadCSV(ctx, s.prices, "prices.csv", erpcsv.LoadPrices)
	if err != nil {
		return nil, nil, nil, err
	}
	promos, err := loadCSV(ctx, s.promotions, "promotions.csv", erpcsv.LoadPromotions)
	if err != nil {
		return nil, nil, nil, err
	}
	var levels []stock.Level
	if s.remote == nil {
		if levels, err = loadCSV(ctx, s.stock, "stock.csv", erpcsv.LoadStock); err != nil {
			return nil, nil, nil, err
		}
	}
	cat, err := catalogOf(prices, promos)
	if err != nil {
		return nil, nil, nil, err
	}
	skus := make([]string, 0, len(prices))
	for _, p := range prices {
		skus = append(skus, p.SKU)
	}
	slices.Sort(skus)
	return cat, slices.Compact(skus), levels, nil
}

// catalogOf builds the catalogue as demo.Catalog does, from prices and
// promotions read from files.
func catalogOf(prices []pricing.Price, promos []promotion.Promotion) (*memory.Catalog, error) {
	return memory.NewCatalog(memory.CatalogData{Prices: prices, Promotions: promos, TaxRules: demo.TaxRules(), Sites: demo.Sites(), Fees: demo.Fees()})
}

// loadCSV reads a CSV file, or the embedded demo file of that name when
// path is empty.
func loadCSV[T any](ctx context.Context, path, demoName string, load func(context.Context, io.Reader, erpcsv.Options) ([]T, error)) ([]T, error) {
	var r io.Reader
	name := path
	if path == "" {
		data, err := demoData.ReadFile("demodata/" + demoName)
		if err != nil {
			return nil, err
		}
		r, name = bytes.NewReader(data), "demodata/"+demoName
	} else {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	return load(ctx, r, erpcsv.Options{File: name})
}

// feed brings the ledger's on-hand counts to the stock source's: a full
// feed of the CSV's levels at every site, or a sync from the HTTP stock
// service of every priced SKU at every site.
func (s *sources) feed(ctx context.Context, cat *memory.Catalog, skus []string, levels []stock.Level) error {
	s.feeds++
	id := s.feedPrefix + strconv.Itoa(s.feeds)
	var locs []string
	for _, l := range cat.Sites {
		locs = append(locs, l.ID)
	}
	if s.remote != nil {
		q := stock.Query{SKUs: skus, Locations: locs}
		if _, err := stock.Sync(ctx, s.remote, s.ledger, id, q); err != nil {
			return fmt.Errorf("stock from %s: %w", s.remote, err)
		}
		return nil
	}
	f := stock.Feed{ID: id, Kind: stock.FullFeed}
	for _, l := range levels {
		locs = append(locs, l.LocationID)
		f.Counts = append(f.Counts, stock.Count{SKU: l.SKU, LocationID: l.LocationID, Quantity: max(l.OnHand-l.Reserved, 0)})
	}
	slices.Sort(locs)
	f.Locations = slices.Compact(locs)
	if _, err := s.ledger.Feed(ctx, f); err != nil {
		return fmt.Errorf("stock: feeding the ledger: %w", err)
	}
	if arrivals, ok := s.ledger.(interface {
		SetNextArrival(ctx context.Context, sku, location string, at time.Time) error
	}); ok {
		for _, l := range levels {
			if !l.NextArrival.IsZero() {
				if err := arrivals.SetNextArrival(ctx, l.SKU, l.LocationID, l.NextArrival); err != nil {
					return fmt.Errorf("stock: next arrival of %s at %s: %w", l.SKU, l.LocationID, err)
				}
			}
		}
	}
	return nil
}

// shop is the retailer the server serves: the Service over its stores and
// sources, and what the server needs around it.
type shop struct {
	service  *basket.Service
	src      *sources
	contexts []channel.Context
	// available answers the availability endpoint: the ledger, or the
	// cached HTTP stock service netted of the baskets' holds.
	available stock.Provider
	// ping checks that the store answers (nil: memory, always).
	ping func(ctx context.Context) error
	// store names the basket store in logs ("memory", "postgres").
	store string
	// ephemeralKeys: the check-in keys were made at start-up.
	ephemeralKeys bool
	// feed tells the live streams that a basket changed: the memory store
	// publishes to it after each save; on PostgreSQL follow feeds it from
	// the outbox, so that changes made by other instances reach them too.
	feed   *httpapi.Broker
	follow func(ctx context.Context)
	// insights answers GET /v1/insights from the store's event feed.
	insights *insights.Tracker
	// prune deletes what the store no longer needs (expired reservations,
	// request keys, nonces); nil on memory, whose ledger prunes itself.
	prune func(ctx context.Context) error
	close func()
}

// followEvery is how often an instance on PostgreSQL reads the outbox
// for the live streams: well within the second a tablet may wait.
const followEvery = 250 * time.Millisecond

// followOutbox publishes the basket of every event of pg's outbox,
// from its head at start-up, until ctx is done; a failure is logged and
// retried from where it stopped.
func followOutbox(pg *postgres.Store, broker *httpapi.Broker, log *slog.Logger) func(ctx context.Context) {
	return func(ctx context.Context) {
		var after postgres.Cursor
		started := false
		for ctx.Err() == nil {
			if !started {
				head, err := pg.OutboxHead(ctx)
				if err != nil {
					if ctx.Err() == nil {
						log.Warn("live streams: reading the outbox head failed; retrying", slog.Any("error", err))
						sleep(ctx, time.Second)
					}
					continue
				}
				after, started = head, true
			}
			err := pg.Follow(ctx, after, followEvery, func(batch []postgres.OutboxEvent) error {
				for _, e := range batch {
					broker.Publish(e.Event.BasketID)
					after = e.Cursor
				}
				return nil
			})
			if ctx.Err() == nil {
				log.Warn("live streams: following the outbox failed; retrying", slog.Any("error", err))
				sleep(ctx, time.Second)
			}
		}
	}
}

// outboxFeed reads the PostgreSQL outbox for the insights read model.
// A tracker counts positions in an int64 and the outbox places events by
// a postgres.Cursor, so the feed numbers the events it hands over (1, 2,
// …) and keeps the cursor of the last one: a tracker always reads on from
// the last position it was given, and keeps its positions in memory only.
func outboxFeed(pg *postgres.Store) insights.Feed {
	var (
		mu     sync.Mutex
		cursor postgres.Cursor // of the last event handed over
		count  int64           // events handed over
	)
	return insights.FeedFunc(func(ctx context.Context, after int64, limit int) ([]insights.Positioned, error) {
		mu.Lock()
		defer mu.Unlock()
		if after != count {
			return nil, fmt.Errorf("insights feed: asked to read after position %d, but %d is the last one handed over", after, count)
		}
		batch, err := pg.ReadOutbox(ctx, cursor, limit)
		if err != nil {
			return nil, err
		}
		out := make([]insights.Positioned, len(batch))
		for i, e := range batch {
			count++
			out[i] = insights.Positioned{Position: count, Event: e.Event}
			cursor = e.Cursor
		}
		return out, nil
	})
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// openShop wires the server's retailer from the configuration.
func openShop(ctx context.Context, cfg *config, log *slog.Logger, clk clock.Clock) (_ *shop, err error) {
	sh := &shop{store: "memory", feed: httpapi.NewBroker(), follow: func(context.Context) {}, close: func() {}}
	defer func() {
		if err != nil {
			sh.close()
		}
	}()
	var store basket.Store
	var ledger stock.Ledger
	var replay handoff.ReplayStore
	// Short codes and tag attempts: this process's memory (nil) unless the
	// store is shared, so that every instance on one database sees them.
	var codes handoff.CodeStore
	var tagAttempts handoff.AttemptStore
	var events insights.Feed
	if cfg.postgres == "" {
		mem := memory.NewStockStore(clk)
		var outbox *insights.Outbox
		publish := memory.WithAfterSave(func(id uuid.UUID, version int64) {
			sh.feed.Publish(id)
			outbox.Note(id, version)
		})
		memStore := memory.NewBasketStore(memory.WithLedger(mem), publish)
		outbox = insights.NewOutbox(memStore)
		store, ledger, replay, events = memStore, mem, memory.NewReplayStore(clk), outbox
	} else {
		pool, err := pgxpool.New(ctx, cfg.postgres)
		if err != nil {
			return nil, fmt.Errorf("postgres: %w", err)
		}
		sh.close = pool.Close
		if err := pool.Ping(ctx); err != nil {
			return nil, fmt.Errorf("postgres: connecting: %w", err)
		}
		pg := postgres.New(pool, postgres.Options{Schema: cfg.postgresSchema, Clock: clk})
		if cfg.migrate {
			if err := pg.Migrate(ctx); err != nil {
				return nil, err
			}
			log.Info("migrations applied", slog.String("schema", cfg.postgresSchema), slog.Int("version", postgres.SchemaVersion()))
		}
		store, ledger, replay, sh.store = pg, pg.Ledger(), pg, "postgres"
		codes, tagAttempts = pg, pg
		sh.ping = pool.Ping
		sh.follow = followOutbox(pg, sh.feed, log)
		sh.prune = func(ctx context.Context) error {
			if _, err := pg.Prune(ctx); err != nil {
				return err
			}
			if _, err := pg.PruneHandoff(ctx); err != nil {
				return err
			}
			return maintainHistory(ctx, pg, clk.Now(), cfg.historyMonths, log)
		}
		events = outboxFeed(pg)
	}
	if sh.insights, err = insights.NewTracker(events, insights.TrackerOptions{}); err != nil {
		return nil, err
	}

	src := &sources{prices: cfg.prices, promotions: cfg.promotions, stock: cfg.stock, log: log, ledger: ledger,
		feedPrefix: "omnibasketd-" + strconv.FormatInt(clk.Now().UnixNano(), 36) + "-"}
	sh.src, sh.available = src, ledger
	if cfg.stockURL != "" {
		client, err := httpstock.New(cfg.stockURL, httpstock.Options{Clock: clk})
		if err != nil {
			return nil, err
		}
		cache, err := httpstock.NewCache(client, httpstock.CacheOptions{TTL: cfg.stockTTL, MaxStale: 10 * cfg.stockTTL, Clock: clk, Logger: log})
		if err != nil {
			return nil, err
		}
		src.remote, sh.available = client, stock.NetOfHolds(cache, ledger)
	}
	if err := src.reload(ctx); err != nil {
		if sh.store == "postgres" && !cfg.migrate {
			return nil, fmt.Errorf("%w (is the schema migrated? run once with -migrate)", err)
		}
		return nil, err
	}

	keys, ephemeral, err := handoffKeys(cfg.handoffKeys)
	if err != nil {
		return nil, err
	}
	sh.ephemeralKeys = ephemeral
	tokens, err := handoff.New(handoff.Config{Keys: keys, Replay: replay, Codes: codes, TagAttempts: tagAttempts, Clock: clk})
	if err != nil {
		return nil, err
	}
	if sh.contexts, err = channelContexts(cfg.contexts, clk.Now()); err != nil {
		return nil, err
	}
	products, err := memory.NewProducts(demo.Products()...)
	if err != nil {
		return nil, err
	}
	labels, err := catalog.NewDecoder(demo.ScaleLayout())
	if err != nil {
		return nil, err
	}
	vouchers := memory.NewVoucherStore(clk)
	if cfg.demo() {
		if err := vouchers.Issue(ctx, demo.GiftCard, pricing.MustParse("30.00", "EUR"), clk.Now().AddDate(1, 0, 0)); err != nil {
			return nil, err
		}
	}
	sh.service, err = basket.NewService(basket.Config{
		Store: store, Prices: src, Promotions: src, Tax: src, Stock: sh.available, Locations: src, Fees: src,
		Reservations: ledger, Clock: clk, Handoff: tokens, Retailer: demo.Retailer,
		Products: products, Barcodes: labels, Vouchers: vouchers, Logger: log,
	})
	if err != nil {
		return nil, err
	}
	return sh, nil
}

// demo reports whether the server runs as the demo: no token secret was
// configured, so it makes one and logs demo tokens.
func (c *config) demo() bool { return c.tokenSecretFile == "" && c.tokenSecret == nil }

// keyFile is one key of a -handoff-keys file.
type keyFile struct {
	ID         string         `json:"id"`
	Secret     handoff.Secret `json:"secret"`
	ActiveFrom time.Time      `json:"active_from"`
	RetireAt   time.Time      `json:"retire_at"`
}

// handoffKeys reads the check-in key ring from path, or makes one random
// key when path is empty (ephemeral: tokens and short codes issued before
// a restart stop working, and instances do not share it).
func handoffKeys(path string) (*handoff.KeyRing, bool, error) {
	if path == "" {
		secret := make([]byte, handoff.MinSecretLen)
		if _, err := rand.Read(secret); err != nil {
			return nil, false, err
		}
		ring, err := handoff.NewKeyRing(handoff.Key{ID: "ephemeral", Secret: handoff.NewSecret(secret)})
		clear(secret)
		return ring, true, err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, false, &configError{Setting: "-handoff-keys", Reason: err.Error()}
	}
	ring, err := decodeKeys(data)
	if err != nil {
		return nil, false, &configError{Setting: "-handoff-keys", Reason: path + ": " + err.Error()}
	}
	return ring, false, nil
}

// decodeKeys reads a key file: a JSON list of keys, nothing else.
func decodeKeys(data []byte) (*handoff.KeyRing, error) {
	var fileKeys []keyFile
	if err := strictJSON(data, &fileKeys); err != nil {
		return nil, err
	}
	keys := make([]handoff.Key, len(fileKeys))
	for i, k := range fileKeys {
		keys[i] = handoff.Key(k)
	}
	return handoff.NewKeyRing(keys...)
}

// channelContexts reads the contexts clients may name from path, or gives
// the demo retailer's: its web shop, the web shop with click & collect at
// each store, and each store's tablet. at is a placeholder: each
// resolution sets the time.
func channelContexts(path string, at time.Time) ([]channel.Context, error) {
	if path == "" {
		return []channel.Context{
			demo.Web(at), demo.WebCollect(demo.Bellecour, at), demo.WebCollect(demo.PartDieu, at),
			demo.Store(demo.Bellecour, at), demo.Store(demo.PartDieu, at),
		}, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &configError{Setting: "-contexts", Reason: err.Error()}
	}
	cs, err := decodeContexts(data)
	if err != nil {
		return nil, &configError{Setting: "-contexts", Reason: path + ": " + err.Error()}
	}
	return cs, nil
}

// decodeContexts reads a contexts file: a non-empty JSON list of channel
// contexts, each valid but for its time (set when it is served).
func decodeContexts(data []byte) ([]channel.Context, error) {
	var cs []channel.Context
	if err := strictJSON(data, &cs); err != nil {
		return nil, err
	}
	if len(cs) == 0 {
		return nil, errors.New("lists no context")
	}
	for i, c := range cs {
		if c.AsOf.IsZero() {
			c.AsOf = time.Unix(0, 0) // set when served
		}
		if err := c.Validate(); err != nil {
			return nil, fmt.Errorf("context %d (%q): %w", i, c.ChannelID, err)
		}
	}
	return cs, nil
}

// strictJSON decodes one JSON value with no field v does not know.
func strictJSON(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("holds more than one JSON value")
	}
	return nil
}
