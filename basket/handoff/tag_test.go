package handoff_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/basket/handoff"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

var (
	tagParis = handoff.TagExpectation{Retailer: "acme", Location: "store-paris-01"}
	tagLyon  = handoff.TagExpectation{Retailer: "acme", Location: "store-lyon-02"}
	basket2  = uuid.MustParse("7c1f3a9e-55d2-4b8e-8f01-2a6e9d3c4b77")
)

func (f fixture) tag(t testing.TB, a handoff.Audience) (string, handoff.TagClaims) {
	t.Helper()
	tag, c, err := f.svc.LocationTag(a)
	require.NoError(t, err)
	return tag, c
}

func TestLocationTagRotation(t *testing.T) {
	f := newFixture(t)
	tag, c := f.tag(t, paris)
	assert.LessOrEqual(t, len(tag), handoff.MaxTagLen)
	assert.Equal(t, time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC), c.ValidFrom, "daily rotation aligned on midnight UTC")
	assert.Equal(t, time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC), c.ExpiresAt)
	assert.Equal(t, paris, c.Audience)

	f.clk.Advance(10 * time.Hour)
	again, _ := f.tag(t, paris)
	assert.Equal(t, tag, again, "the same tag for the whole rotation: printing it twice prints the same code")

	f.clk.Set(c.ExpiresAt)
	next, nc := f.tag(t, paris)
	assert.NotEqual(t, tag, next, "a new rotation, a new tag")
	assert.Equal(t, c.ExpiresAt, nc.ValidFrom)
}

func TestLocationTagOffset(t *testing.T) {
	f := newFixture(t, func(c *handoff.Config) {
		c.Tags = handoff.TagConfig{Rotation: 24 * time.Hour, Offset: 4 * time.Hour}
	})
	f.clk.Set(time.Date(2026, 11, 23, 3, 59, 59, 0, time.UTC))
	_, c := f.tag(t, paris)
	assert.Equal(t, time.Date(2026, 11, 22, 4, 0, 0, 0, time.UTC), c.ValidFrom, "before 04:00 it is still yesterday's tag")
	f.clk.Set(time.Date(2026, 11, 23, 4, 0, 0, 0, time.UTC))
	_, c = f.tag(t, paris)
	assert.Equal(t, time.Date(2026, 11, 23, 4, 0, 0, 0, time.UTC), c.ValidFrom)
}

func TestVerifyTag(t *testing.T) {
	f := newFixture(t)
	tag, c := f.tag(t, paris)
	token, _ := f.issue(t, handoff.Request{})
	approval, _, err := f.svc.IssueApproval(handoff.ApprovalRequest{Basket: basket1, Audience: paris, Approver: "mgr-7", Digest: sha256.Sum256([]byte("x")), TTL: time.Minute})
	require.NoError(t, err)

	raw := decode(t, tag)
	tampered := bytes.Clone(raw)
	tampered[len(tampered)-handoff.MACLen-1] ^= 1 // last byte of the location
	otherKey := newFixture(t, func(cfg *handoff.Config) {
		cfg.Keys = ring(t, handoff.Key{ID: "other", Secret: handoff.NewSecret(secretB)})
	})
	foreign, _ := otherKey.tag(t, paris)

	tests := []struct {
		name   string
		tag    string
		expect handoff.TagExpectation
		at     time.Time
		want   error
	}{
		{name: "the store's own tag", tag: tag, expect: tagParis},
		{name: "during the grace after the rotation", tag: tag, expect: tagParis, at: c.ExpiresAt.Add(handoff.DefaultTagGrace - time.Second)},
		{name: "another store's tag", tag: tag, expect: tagLyon, want: handoff.ErrWrongAudience},
		{name: "another retailer", tag: tag, expect: handoff.TagExpectation{Retailer: "globex", Location: "store-paris-01"}, want: handoff.ErrWrongAudience},
		{name: "an old rotation", tag: tag, expect: tagParis, at: c.ExpiresAt.Add(handoff.DefaultTagGrace + handoff.DefaultSkew), want: handoff.ErrExpired},
		{name: "a rotation not started", tag: tag, expect: tagParis, at: c.ValidFrom.Add(-handoff.DefaultSkew - time.Second), want: handoff.ErrNotYetValid},
		{name: "a check-in token", tag: token, expect: tagParis, want: handoff.ErrWrongPurpose},
		{name: "an approval", tag: approval, expect: tagParis, want: handoff.ErrWrongPurpose},
		{name: "a changed byte", tag: encode(tampered), expect: tagParis, want: handoff.ErrBadSignature},
		{name: "a key this ring does not hold", tag: foreign, expect: tagParis, want: handoff.ErrUnknownKey},
		{name: "garbage", tag: "not a tag!", expect: tagParis, want: handoff.ErrMalformed},
		{name: "empty", tag: "", expect: tagParis, want: handoff.ErrMalformed},
		{name: "truncated", tag: tag[:len(tag)-4], expect: tagParis, want: handoff.ErrMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			at := tc.at
			if at.IsZero() {
				at = t0
			}
			f.clk.Set(at)
			got, err := f.svc.VerifyTag(tc.tag, tc.expect)
			if tc.want == nil {
				require.NoError(t, err)
				assert.Equal(t, c, got)
				return
			}
			require.ErrorIs(t, err, tc.want)
			assert.ErrorIs(t, err, handoff.ErrRejected, "every refusal of a presented tag is a rejection")
			assert.Equal(t, handoff.TagClaims{}, got)
		})
	}
}

// A tag re-signed by hand following the documented wire format verifies:
// the format in the comment is the format in the code.
func TestLocationTagWireFormat(t *testing.T) {
	f := newFixture(t)
	tag, c := f.tag(t, lyon)
	raw := decode(t, tag)
	var want []byte
	want = append(want, 0xB1, byte(len(c.KeyID)))
	want = append(want, c.KeyID...)
	want = append(want, unix5(c.ValidFrom)...)
	want = append(want, unix5(c.ExpiresAt)...)
	want = append(want, byte(len("acme")))
	want = append(want, "acme"...)
	want = append(want, byte(len("store-lyon-02")))
	want = append(want, "store-lyon-02"...)
	h := hmac.New(sha256.New, secretA)
	h.Write([]byte("omnibasket/location-tag\x00"))
	h.Write(want)
	want = append(want, h.Sum(nil)[:handoff.MACLen]...)
	assert.Equal(t, want, raw)
}

func unix5(t time.Time) []byte {
	u := uint64(t.Unix())
	return []byte{byte(u >> 32), byte(u >> 24), byte(u >> 16), byte(u >> 8), byte(u)}
}

func TestRedeemTagAttemptsPerBasket(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, func(c *handoff.Config) { c.Tags = handoff.TagConfig{Attempts: 3, Window: 10 * time.Minute} })
	tag, _ := f.tag(t, paris)

	_, err := f.svc.RedeemTag(ctx, tag, basket1, tagParis)
	require.NoError(t, err)
	_, err = f.svc.RedeemTag(ctx, tag, basket1, tagLyon)
	require.ErrorIs(t, err, handoff.ErrWrongAudience, "a wrong attempt counts")
	f.clk.Advance(time.Minute)
	_, err = f.svc.RedeemTag(ctx, tag, basket1, tagParis)
	require.NoError(t, err)
	_, err = f.svc.RedeemTag(ctx, tag, basket1, tagParis)
	require.ErrorIs(t, err, handoff.ErrTooManyAttempts, "the fourth attempt in ten minutes")
	assert.ErrorIs(t, err, handoff.ErrRejected)

	_, err = f.svc.RedeemTag(ctx, tag, basket2, tagParis)
	require.NoError(t, err, "another basket has its own allowance")

	f.clk.Advance(9 * time.Minute) // ten minutes after the first two attempts
	for range 2 {
		_, err = f.svc.RedeemTag(ctx, tag, basket1, tagParis)
		require.NoError(t, err, "the first two attempts left the window")
	}
	_, err = f.svc.RedeemTag(ctx, tag, basket1, tagParis)
	require.ErrorIs(t, err, handoff.ErrTooManyAttempts, "the third is still in it, the refused one never counted")

	_, err = f.svc.RedeemTag(ctx, tag, uuid.Nil, tagParis)
	require.ErrorIs(t, err, handoff.ErrInvalid)
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_, err = f.svc.RedeemTag(cancelled, tag, basket2, tagParis)
	require.ErrorIs(t, err, context.Canceled)
}

func TestTagConfigValidation(t *testing.T) {
	for name, cfg := range map[string]handoff.TagConfig{
		"rotation under a minute":  {Rotation: 30 * time.Second},
		"rotation over 31 days":    {Rotation: 32 * 24 * time.Hour},
		"rotation not whole":       {Rotation: time.Hour + time.Millisecond},
		"offset past the rotation": {Rotation: time.Hour, Offset: time.Hour},
		"negative offset":          {Offset: -time.Second},
		"grace over the rotation":  {Rotation: time.Hour, Grace: 2 * time.Hour},
		"negative attempts":        {Attempts: -1},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := handoff.New(handoff.Config{Keys: ring(t), Replay: newFixture(t).store, Tags: cfg})
			require.ErrorIs(t, err, handoff.ErrInvalid)
		})
	}
	f := newFixture(t)
	for _, a := range []handoff.Audience{anyAcm, {Location: "x"}, {Retailer: "acme", Location: string(bytes.Repeat([]byte("x"), 33))}} {
		_, _, err := f.svc.LocationTag(a)
		require.ErrorIs(t, err, handoff.ErrInvalid, "%+v", a)
	}
	_, err := f.svc.VerifyTag("x", handoff.TagExpectation{Retailer: "acme"})
	require.ErrorIs(t, err, handoff.ErrInvalid)
}

// Whatever the time, rotation and offset, the tag issued now covers now,
// spans one rotation, starts on the schedule, and verifies at its own
// location only.
func TestLocationTagProperties(t *testing.T) {
	outer := t
	rapid.Check(t, func(t *rapid.T) {
		rotation := time.Duration(rapid.Int64Range(60, 31*24*3600).Draw(t, "rotation")) * time.Second
		offset := time.Duration(rapid.Int64Range(0, int64(rotation/time.Second)-1).Draw(t, "offset")) * time.Second
		now := time.Unix(rapid.Int64Range(32*24*3600, 1<<39).Draw(t, "now"), rapid.Int64Range(0, 999_999_999).Draw(t, "nanos")).UTC()
		f := newFixture(outer, func(c *handoff.Config) { c.Tags = handoff.TagConfig{Rotation: rotation, Offset: offset} })
		f.clk.Set(now)
		tag, c, err := f.svc.LocationTag(paris)
		if err != nil {
			t.Fatal(err)
		}
		if now.Before(c.ValidFrom) || !now.Before(c.ExpiresAt) {
			t.Fatalf("tag %v..%v does not cover %v", c.ValidFrom, c.ExpiresAt, now)
		}
		if c.ExpiresAt.Sub(c.ValidFrom) != rotation {
			t.Fatalf("tag spans %v, not %v", c.ExpiresAt.Sub(c.ValidFrom), rotation)
		}
		if (c.ValidFrom.Unix()-int64(offset/time.Second))%int64(rotation/time.Second) != 0 {
			t.Fatalf("rotation starts at %v, off the schedule", c.ValidFrom)
		}
		if _, err := f.svc.VerifyTag(tag, tagParis); err != nil {
			t.Fatalf("own tag: %v", err)
		}
		if _, err := f.svc.VerifyTag(tag, tagLyon); !errors.Is(err, handoff.ErrWrongAudience) {
			t.Fatalf("another store: %v", err)
		}
	})
}
