package httpstock_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/omnibasket/omnibasket/adapters/httpstock"
	"github.com/omnibasket/omnibasket/stock"
)

// store is a minimal in-memory stock.Provider for the tests.
type store struct {
	mu     sync.Mutex
	levels map[[2]string]stock.Level
}

func newStore(levels ...stock.Level) *store {
	s := &store{levels: map[[2]string]stock.Level{}}
	for _, l := range levels {
		s.levels[[2]string{l.SKU, l.LocationID}] = l
	}
	return s
}

func (s *store) SetOnHand(ctx context.Context, sku, loc string, n int64) error {
	if sku == "" || loc == "" || n < 0 {
		return &stock.InputError{Field: "SetOnHand", Reason: "invalid"}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.levels[[2]string{sku, loc}] = stock.Level{SKU: sku, LocationID: loc, OnHand: n}
	return ctx.Err()
}

func (s *store) Levels(ctx context.Context, q stock.Query) (stock.Levels, error) {
	if err := q.Validate(); err != nil {
		return stock.Levels{}, err
	}
	return stock.NewLevels(s.find(q))
}

func (s *store) find(q stock.Query) []stock.Level {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []stock.Level
	for _, sku := range q.SKUs {
		for _, loc := range q.Locations {
			if l, ok := s.levels[[2]string{sku, loc}]; ok && !slices.Contains(out, l) {
				out = append(out, l)
			}
		}
	}
	return out
}

// serve answers the documented JSON schema from s.
func serve(t testing.TB, s *store) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var req httpstock.Request
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		if err := json.NewEncoder(w).Encode(httpstock.NewResponse(s.find(stock.Query{SKUs: req.SKUs, Locations: req.Locations}))); err != nil {
			t.Errorf("encode: %v", err)
		}
	}
}

// newServer starts a loopback server closed at the end of the test.
func newServer(t testing.TB, h http.Handler) *httptest.Server {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// newClient returns a client of srv with fast retries and the options
// changed by edit.
func newClient(t testing.TB, srv *httptest.Server, edit func(*httpstock.Options)) *httpstock.Client {
	t.Helper()
	opts := httpstock.Options{HTTPClient: srv.Client(), BaseBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond}
	if edit != nil {
		edit(&opts)
	}
	c, err := httpstock.New(srv.URL+"/stock/levels", opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func level(sku, loc string, onHand int64) stock.Level {
	return stock.Level{SKU: sku, LocationID: loc, OnHand: onHand}
}
