package basket

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every enumeration round-trips through its text form, and unknown names
// are refused.
func TestEnumsRoundTrip(t *testing.T) {
	check := func(name string, marshal func() ([]byte, error), unmarshal func([]byte) error, again func() string) {
		t.Helper()
		b, err := marshal()
		require.NoError(t, err, name)
		require.NoError(t, unmarshal(b), name)
		assert.Equal(t, string(b), again(), name)
		assert.ErrorIs(t, unmarshal([]byte("no-such-"+name)), ErrInvalid, name)
	}
	for v := Wishlist; v <= Abandoned; v++ {
		var got Status
		check(v.String(), v.MarshalText, got.UnmarshalText, func() string { return got.String() })
	}
	for v := Shopper; v <= System; v++ {
		var got ActorKind
		check(v.String(), v.MarshalText, got.UnmarshalText, func() string { return got.String() })
	}
	for v := BasisNone; v <= BasisQuoteLocked; v++ {
		var got PriceBasis
		check(v.String(), v.MarshalText, got.UnmarshalText, func() string { return got.String() })
	}
	for v := ChangeCurrency; v <= ChangeTotal; v++ {
		var got ChangeKind
		check(v.String(), v.MarshalText, got.UnmarshalText, func() string { return got.String() })
	}
	for v := TargetPrice; v <= PriceProtection; v++ {
		var got Policy
		check(v.String(), v.MarshalText, got.UnmarshalText, func() string { return got.String() })
	}
	for v := MergeSum; v <= MergeMax; v++ {
		var got MergePolicy
		check(v.String(), v.MarshalText, got.UnmarshalText, func() string { return got.String() })
	}
}
