package natsjs_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/omnibasket/omnibasket/adapters/natsjs"
	"github.com/omnibasket/omnibasket/basket"
)

// ExampleSubject shows the subjects a store system and a fulfilment
// service subscribe to.
func ExampleSubject() {
	e := basket.Event{
		BasketID:   uuid.MustParse("5b0c3c1e-4f57-4a39-9d4e-0c1f3a7d2b11"),
		Seq:        7,
		Type:       basket.EventFulfilmentOrdered,
		LocationID: "lyon-bellecour",
	}
	fmt.Println(natsjs.Subject("omnibasket.acme", e))
	fmt.Println(natsjs.EventID(e))
	e.LocationID = ""
	fmt.Println(natsjs.Subject("omnibasket.acme", e))
	// Output:
	// omnibasket.acme.lyon-bellecour.5b0c3c1e-4f57-4a39-9d4e-0c1f3a7d2b11.basket.fulfilment_ordered
	// 5b0c3c1e-4f57-4a39-9d4e-0c1f3a7d2b11:7
	// omnibasket.acme.-.5b0c3c1e-4f57-4a39-9d4e-0c1f3a7d2b11.basket.fulfilment_ordered
}

func TestSubjectLocations(t *testing.T) {
	id := uuid.MustParse("5b0c3c1e-4f57-4a39-9d4e-0c1f3a7d2b11")
	for _, c := range []struct{ location, token string }{
		{"", "-"},
		{"-", "%2D"},
		{"lyon-bellecour", "lyon-bellecour"},
		{"store_12", "store_12"},
		{"paris.opera", "paris%2Eopera"},
		{"a b", "a%20b"},
		{"*", "%2A"},
		{">", "%3E"},
		{"50%", "50%25"},
		{"zürich", "z%C3%BCrich"},
	} {
		got := natsjs.Subject("p", basket.Event{BasketID: id, Type: basket.EventCreated, LocationID: c.location})
		assert.Equal(t, "p."+c.token+"."+id.String()+".basket.created", got, "location %q", c.location)
	}
}

// Two different locations never share a subject token, and a token is
// always one literal token.
func TestSubjectTokensAreDistinctAndLiteral(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		a, b := rapid.String().Draw(t, "a"), rapid.String().Draw(t, "b")
		sa := natsjs.Subject("p", basket.Event{LocationID: a, Type: basket.EventCreated})
		sb := natsjs.Subject("p", basket.Event{LocationID: b, Type: basket.EventCreated})
		tokA := strings.Split(sa, ".")[1]
		if a != b && sa == sb {
			t.Fatalf("%q and %q share the subject %s", a, b, sa)
		}
		if tokA == "" || strings.ContainsAny(tokA, " \t\r\n*>") || len(strings.Split(sa, ".")) != 5 {
			t.Fatalf("%q gives the subject %q", a, sa)
		}
	})
}

func TestDecodeEvent(t *testing.T) {
	id := uuid.New()
	good, err := json.Marshal(basket.Event{BasketID: id, Seq: 3, Type: basket.EventCouponAdded, ChannelID: "web", Actor: basket.Actor{Kind: basket.System, ID: "test"}, Data: json.RawMessage(`{"code":"X"}`)})
	require.NoError(t, err)
	e, err := natsjs.DecodeEvent(good)
	require.NoError(t, err)
	assert.Equal(t, id.String()+":3", natsjs.EventID(e))
	for name, data := range map[string]string{
		"not JSON":   `{`,
		"no basket":  `{"seq":1,"type":"basket.created","data":{}}`,
		"zero seq":   `{"basket_id":"` + id.String() + `","seq":0,"type":"basket.created","data":{}}`,
		"no type":    `{"basket_id":"` + id.String() + `","seq":1,"data":{}}`,
		"bad uuid":   `{"basket_id":"nope","seq":1,"type":"basket.created"}`,
		"an array":   `[]`,
		"bad seq":    `{"basket_id":"` + id.String() + `","seq":"1","type":"basket.created"}`,
		"empty body": ``,
		"no actor":   `{"basket_id":"` + id.String() + `","seq":1,"type":"basket.created","data":{}}`,
	} {
		_, err := natsjs.DecodeEvent([]byte(data))
		assert.ErrorIs(t, err, basket.ErrInvalid, name)
	}
}

func FuzzDecodeEvent(f *testing.F) {
	f.Add([]byte(`{"basket_id":"5b0c3c1e-4f57-4a39-9d4e-0c1f3a7d2b11","seq":1,"type":"basket.created","at":"2026-11-23T10:00:00Z","channel_id":"web","actor":{"kind":"system","id":"x"},"data":{}}`))
	f.Add([]byte(`{"seq":-1}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := natsjs.DecodeEvent(data)
		if err != nil {
			require.ErrorIs(t, err, basket.ErrInvalid)
			return
		}
		require.NotEqual(t, uuid.Nil, e.BasketID)
		require.Positive(t, e.Seq)
		require.NotEmpty(t, e.Type)
		again, err := json.Marshal(e)
		require.NoError(t, err)
		back, err := natsjs.DecodeEvent(again)
		require.NoError(t, err, "what the relay would send decodes")
		require.Equal(t, natsjs.EventID(e), natsjs.EventID(back))
	})
}
