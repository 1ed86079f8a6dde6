package natsjs_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"

	"github.com/omnibasket/omnibasket/adapters/natsjs"
	"github.com/omnibasket/omnibasket/adapters/postgres"
	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/basket/baskettest"
)

const skipMessage = "OMNIBASKET_POSTGRES_URL is not set: the relay reads the PostgreSQL outbox; see .ci/run for starting a local PostgreSQL"

// newStore returns a migrated store in a fresh schema, dropped at the end.
func newStore(tb testing.TB) *postgres.Store {
	tb.Helper()
	dsn := os.Getenv("OMNIBASKET_POSTGRES_URL")
	if dsn == "" {
		tb.Skip(skipMessage)
	}
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, dsn)
	require.NoError(tb, err)
	var b [6]byte
	_, _ = rand.Read(b[:])
	s := postgres.New(pool, postgres.Options{Schema: "omnibasket_test_nats_" + hex.EncodeToString(b[:])})
	tb.Cleanup(func() {
		if err := s.DropSchema(context.Background()); err != nil {
			tb.Errorf("dropping the schema: %v", err)
		}
		pool.Close()
	})
	require.NoError(tb, s.Migrate(ctx))
	return s
}

// cluster is n NATS servers with JetStream, in this process.
type cluster struct {
	servers []*server.Server
	urls    []string
}

// freePorts returns n distinct TCP ports nobody listened on just now.
func freePorts(tb testing.TB, n int) []int {
	var ports []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(tb, err)
		defer l.Close()
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports
}

// startCluster starts n servers (1: standalone) and stops them at the end.
func startCluster(tb testing.TB, n int) *cluster {
	tb.Helper()
	ports := freePorts(tb, n)
	var routes []*url.URL
	for _, p := range ports {
		routes = append(routes, &url.URL{Scheme: "nats", Host: fmt.Sprintf("127.0.0.1:%d", p)})
	}
	// The stores' directories first: cleanups run last registered first,
	// so the servers are stopped, and done writing, before their
	// directories are removed.
	dirs := make([]string, n)
	for i := range dirs {
		dirs[i] = tb.TempDir()
	}
	c := &cluster{}
	tb.Cleanup(func() {
		for _, s := range c.servers {
			stop(s)
		}
	})
	for i := range n {
		opts := &server.Options{
			ServerName: fmt.Sprintf("n%d", i+1), Host: "127.0.0.1", Port: -1,
			NoLog: true, NoSigs: true, JetStream: true, StoreDir: dirs[i],
		}
		if n > 1 {
			opts.Cluster = server.ClusterOpts{Name: "omnibasket", Host: "127.0.0.1", Port: ports[i]}
			opts.Routes = routes
		}
		s, err := server.NewServer(opts)
		require.NoError(tb, err)
		go s.Start()
		require.True(tb, s.ReadyForConnections(30*time.Second), "server %d ready", i+1)
		c.servers = append(c.servers, s)
		c.urls = append(c.urls, s.ClientURL())
	}
	return c
}

// connect connects to every server of c, reconnecting without end.
func (c *cluster) connect(tb testing.TB) *nats.Conn {
	tb.Helper()
	nc, err := nats.Connect(strings.Join(c.urls, ","), nats.MaxReconnects(-1), nats.ReconnectWait(50*time.Millisecond))
	require.NoError(tb, err)
	tb.Cleanup(nc.Close)
	return nc
}

// stream creates the relay's stream with one replica per server, waiting
// for the cluster to elect its leaders.
func (c *cluster) stream(tb testing.TB, nc *nats.Conn, name, prefix string) jetstream.Stream {
	tb.Helper()
	js, err := jetstream.New(nc)
	require.NoError(tb, err)
	deadline := time.Now().Add(20 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		st, err := js.CreateOrUpdateStream(ctx, natsjs.StreamConfig(name, prefix, len(c.servers)))
		cancel()
		if err == nil {
			return st
		}
		require.True(tb, time.Now().Before(deadline), "stream not created: %v", err)
		time.Sleep(100 * time.Millisecond)
	}
}

// stop shuts s down and waits until it has: JetStream flushes its store
// as it stops.
func stop(s *server.Server) {
	s.Shutdown()
	s.WaitForShutdown()
}

// kill shuts down the server named name.
func (c *cluster) kill(tb testing.TB, name string) {
	tb.Helper()
	for _, s := range c.servers {
		if s.Name() == name {
			stop(s)
			return
		}
	}
	tb.Fatalf("no server named %q", name)
}

// addCoupon changes b and returns the write that stores the change.
func addCoupon(tb testing.TB, b *basket.Basket, code string) basket.Write {
	tb.Helper()
	before := b.Version
	e, err := b.AddCoupon(basket.Meta{Actor: basket.Actor{Kind: basket.System, ID: "natsjs-test"}, At: time.Now()}, code)
	require.NoError(tb, err)
	return basket.Write{Basket: b.Clone(), ExpectedVersion: before, Events: []basket.Event{e}}
}

// newBasket saves a fresh basket.
func newBasket(tb testing.TB, s *postgres.Store, customer string) *basket.Basket {
	tb.Helper()
	b, w := baskettest.NewBasket(tb, customer)
	require.NoError(tb, s.Save(context.Background(), w))
	return b
}

// committed returns every event of the baskets ids, from the store.
func committed(tb testing.TB, s *postgres.Store, ids []uuid.UUID) map[uuid.UUID][]basket.Event {
	tb.Helper()
	out := map[uuid.UUID][]basket.Event{}
	for _, id := range ids {
		es, err := s.Events(context.Background(), id, 0)
		require.NoError(tb, err)
		out[id] = es
	}
	return out
}
