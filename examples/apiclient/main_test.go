package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTheClientPlaysACheckIn(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, "", "", ""))
	s := out.String()
	assert.Contains(t, s, "phone: 2 lines on the web")
	assert.Contains(t, s, "412 urn:omnibasket:problem:stale-version")
	assert.Contains(t, s, "tablet: checked in at lyon-bellecour")
	assert.Contains(t, s, "tablet: order placed (ordered)")
	t.Log("\n" + s)
}
