package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"
)

func TestStoreSystemGetsItsFulfilmentOrders(t *testing.T) {
	url := os.Getenv("OMNIBASKET_POSTGRES_URL")
	if url == "" {
		t.Skip("OMNIBASKET_POSTGRES_URL is not set: the relay reads the PostgreSQL outbox; see .ci/run for starting a local PostgreSQL")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out bytes.Buffer
	if err := run(ctx, &out, url); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"order placed at lyon-bellecour: 1 fulfilment orders, 1 for this store",
		"store system: prepare F1 (carry-out): 1 × LAMP-ARC, 1 × BULB-E27",
		"relay: 10 events published, 0 duplicates; saved position is the last published: true",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}
