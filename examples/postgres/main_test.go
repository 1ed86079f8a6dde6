package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
)

func TestTwoInstancesShareOneDatabase(t *testing.T) {
	url := os.Getenv("OMNIBASKET_POSTGRES_URL")
	if url == "" {
		t.Skip("OMNIBASKET_POSTGRES_URL is not set; see .ci/run for starting a local PostgreSQL")
	}
	var out bytes.Buffer
	if err := run(context.Background(), &out, url); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"store instance: checked in at lyon-bellecour",
		"the same token at the other instance: handoff: token already used",
		"after 8 concurrent additions from both instances: 9 lines",
		"outbox: 9 line additions, 1 check-in",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}
