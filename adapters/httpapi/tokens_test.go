package httpapi

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/clock"
	"github.com/omnibasket/omnibasket/demo"
)

var (
	tokenSecret      = []byte("0123456789abcdef0123456789abcdef") // 32 bytes
	tokenOtherSecret = []byte("fedcba9876543210fedcba9876543210")
	authAssociate    = basket.Actor{Kind: basket.Associate, ID: "staff-17", LocationID: demo.Bellecour, Role: "manager"}
	authShopper      = basket.Actor{Kind: basket.Shopper, ID: "cust-42"}
	authSystem       = basket.Actor{Kind: basket.System, ID: "pos-bellecour"}
)

func newTestTokens(t testing.TB, secret []byte) (*Tokens, *clock.Fake) {
	clk := clock.NewFake(demo.Start())
	tok, err := NewTokens(secret, clk)
	require.NoError(t, err)
	return tok, clk
}

// request builds a GET with the given Authorization headers.
func authRequest(auth ...string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "/v1/baskets", nil)
	for _, a := range auth {
		r.Header.Add("Authorization", a)
	}
	return r
}

// reasonOf returns the reason of a *CredentialsError, failing otherwise.
func reasonOf(t testing.TB, err error) CredentialsReason {
	t.Helper()
	require.ErrorIs(t, err, ErrUnauthenticated)
	var ce *CredentialsError
	require.ErrorAs(t, err, &ce)
	return ce.Reason
}

func TestNewTokensRefusesWeakSecrets(t *testing.T) {
	clk := clock.NewFake(demo.Start())
	_, err := NewTokens(tokenSecret[:MinTokenSecret-1], clk)
	assert.ErrorContains(t, err, "at least 32 bytes")
	_, err = NewTokens(nil, clk)
	assert.Error(t, err)
	_, err = NewTokens(tokenSecret, nil)
	assert.Error(t, err)
	_, err = NewTokens(tokenSecret, clk)
	assert.NoError(t, err)
}

func TestTokensRoundTrip(t *testing.T) {
	tok, _ := newTestTokens(t, tokenSecret)
	for _, actor := range []basket.Actor{authAssociate, authShopper, authSystem, {Kind: basket.Shopper, ID: "anon-é✓\"<>"}} {
		s, err := tok.Mint(actor, time.Hour)
		require.NoError(t, err)
		assert.Len(t, strings.Split(s, "."), 2, "compact: claims.mac")
		got, err := tok.Authenticate(authRequest("Bearer " + s))
		require.NoError(t, err)
		assert.Equal(t, actor, got)
		got, err = tok.Authenticate(authRequest("bearer  " + s + " "))
		require.NoError(t, err, "the scheme is case-insensitive, spaces around the token do not matter")
		assert.Equal(t, actor, got)
	}
}

func TestTokenClaimsAreTheDocumentedOnes(t *testing.T) {
	tok, clk := newTestTokens(t, tokenSecret)
	s, err := tok.Mint(authAssociate, 90*time.Minute)
	require.NoError(t, err)
	payload, _, _ := strings.Cut(s, ".")
	raw, err := base64.RawURLEncoding.DecodeString(payload)
	require.NoError(t, err)
	var claims map[string]any
	require.NoError(t, json.Unmarshal(raw, &claims))
	assert.Equal(t, map[string]any{
		"kid": tok.keys[0].id, "kind": "associate", "id": "staff-17", "location_id": demo.Bellecour, "role": "manager",
		"exp": float64(clk.Now().Add(90 * time.Minute).Unix()),
	}, claims)
}

func TestTokensExpire(t *testing.T) {
	tok, clk := newTestTokens(t, tokenSecret)
	clk.Advance(250 * time.Millisecond) // the expiry is in whole seconds
	s, err := tok.Mint(authShopper, 10*time.Minute)
	require.NoError(t, err)
	exp := time.Unix(clk.Now().Add(10*time.Minute).Unix(), 0)

	clk.Set(exp.Add(-time.Nanosecond))
	_, err = tok.Authenticate(authRequest("Bearer " + s))
	require.NoError(t, err, "valid until its expiry")
	clk.Set(exp)
	_, err = tok.Authenticate(authRequest("Bearer " + s))
	assert.Equal(t, ReasonExpired, reasonOf(t, err))
}

func TestMintRefusesBadInput(t *testing.T) {
	tok, _ := newTestTokens(t, tokenSecret)
	long := strings.Repeat("x", MaxClaimLen+1)
	for name, c := range map[string]struct {
		actor basket.Actor
		ttl   time.Duration
	}{
		"no kind":                 {basket.Actor{ID: "x"}, time.Hour},
		"unknown kind":            {basket.Actor{Kind: 9, ID: "x"}, time.Hour},
		"no ID":                   {basket.Actor{Kind: basket.Shopper}, time.Hour},
		"associate nowhere":       {basket.Actor{Kind: basket.Associate, ID: "x"}, time.Hour},
		"ID too long":             {basket.Actor{Kind: basket.Shopper, ID: long}, time.Hour},
		"role too long":           {basket.Actor{Kind: basket.System, ID: "x", Role: long}, time.Hour},
		"no lifetime":             {authShopper, 0},
		"under a second":          {authShopper, 999 * time.Millisecond},
		"longer than MaxTokenTTL": {authShopper, MaxTokenTTL + time.Second},
	} {
		_, err := tok.Mint(c.actor, c.ttl)
		assert.Error(t, err, name)
	}
}

// forge signs arbitrary claims with tok's key, as only a holder of the
// secret could: it checks what Authenticate does after the signature.
func forgeToken(tok *Tokens, claims string) string {
	payload := base64.RawURLEncoding.EncodeToString([]byte(claims))
	return payload + "." + base64.RawURLEncoding.EncodeToString(sign(tok.keys[0], payload))
}

func TestTokensRefusals(t *testing.T) {
	tok, clk := newTestTokens(t, tokenSecret)
	other, _ := newTestTokens(t, tokenOtherSecret)
	good, err := tok.Mint(authAssociate, time.Hour)
	require.NoError(t, err)
	foreign, err := other.Mint(authAssociate, time.Hour)
	require.NoError(t, err)
	payload, mac, _ := strings.Cut(good, ".")
	altered := forgeToken(other, `{"kid":"x","kind":"system","id":"root","exp":9999999999}`)
	altPayload, _, _ := strings.Cut(altered, ".")
	exp := clk.Now().Add(time.Hour).Unix()
	kid := tok.keys[0].id

	for _, c := range []struct {
		name   string
		auth   []string
		reason CredentialsReason
	}{
		{"no header", nil, ReasonMissing},
		{"another scheme", []string{"Basic c3RhZmY6cGFzcw=="}, ReasonMissing},
		{"an API key", []string{"ApiKey pos-bellecour-0123456789abcdef"}, ReasonMissing},
		{"scheme alone", []string{"Bearer"}, ReasonMalformed},
		{"scheme and spaces", []string{"Bearer    "}, ReasonMalformed},
		{"two headers", []string{"Bearer " + good, "Bearer " + good}, ReasonMalformed},
		{"no dot", []string{"Bearer " + payload + mac}, ReasonMalformed},
		{"three parts", []string{"Bearer " + good + ".x"}, ReasonMalformed},
		{"empty claims", []string{"Bearer ." + mac}, ReasonMalformed},
		{"MAC not base64", []string{"Bearer " + payload + ".!!!"}, ReasonMalformed},
		{"MAC padded", []string{"Bearer " + good + "="}, ReasonMalformed},
		{"MAC truncated", []string{"Bearer " + payload + "." + mac[:len(mac)-2]}, ReasonMalformed},
		{"control character", []string{"Bearer " + payload + "\x01." + mac}, ReasonMalformed},
		{"too long", []string{"Bearer " + strings.Repeat("a", MaxTokenLen) + "." + mac}, ReasonMalformed},
		{"another secret", []string{"Bearer " + foreign}, ReasonBadSignature},
		{"claims swapped", []string{"Bearer " + altPayload + "." + mac}, ReasonBadSignature},
		{"MAC of zeros", []string{"Bearer " + payload + "." + base64.RawURLEncoding.EncodeToString(make([]byte, 32))}, ReasonBadSignature},
		{"signed, another key ID", []string{"Bearer " + forgeToken(tok, fmt.Sprintf(`{"kid":"other","kind":"shopper","id":"x","exp":%d}`, exp))}, ReasonBadSignature},
		{"signed, unknown claim", []string{"Bearer " + forgeToken(tok, fmt.Sprintf(`{"kid":%q,"kind":"shopper","id":"x","exp":%d,"admin":true}`, kid, exp))}, ReasonMalformed},
		{"signed, unknown kind", []string{"Bearer " + forgeToken(tok, fmt.Sprintf(`{"kid":%q,"kind":"root","id":"x","exp":%d}`, kid, exp))}, ReasonMalformed},
		{"signed, no ID", []string{"Bearer " + forgeToken(tok, fmt.Sprintf(`{"kid":%q,"kind":"shopper","exp":%d}`, kid, exp))}, ReasonMalformed},
		{"signed, associate nowhere", []string{"Bearer " + forgeToken(tok, fmt.Sprintf(`{"kid":%q,"kind":"associate","id":"x","exp":%d}`, kid, exp))}, ReasonMalformed},
		{"signed, trailing data", []string{"Bearer " + forgeToken(tok, fmt.Sprintf(`{"kid":%q,"kind":"shopper","id":"x","exp":%d}{}`, kid, exp))}, ReasonMalformed},
		{"signed, no expiry", []string{"Bearer " + forgeToken(tok, fmt.Sprintf(`{"kid":%q,"kind":"shopper","id":"x"}`, kid))}, ReasonExpired},
	} {
		t.Run(c.name, func(t *testing.T) {
			actor, err := tok.Authenticate(authRequest(c.auth...))
			assert.Equal(t, c.reason, reasonOf(t, err))
			assert.Zero(t, actor)
			assert.NotContains(t, err.Error(), string(tokenSecret))
		})
	}
}

// TestAlteredTokensNeverAuthenticate: changing any one character of a
// token to any other makes it fail (strict base64 has no two spellings of
// the same bytes).
func TestAlteredTokensNeverAuthenticate(t *testing.T) {
	tok, _ := newTestTokens(t, tokenSecret)
	good, err := tok.Mint(authAssociate, time.Hour)
	require.NoError(t, err)
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."
	rapid.Check(t, func(t *rapid.T) {
		i := rapid.IntRange(0, len(good)-1).Draw(t, "at")
		c := alphabet[rapid.IntRange(0, len(alphabet)-1).Draw(t, "char")]
		if good[i] == c {
			t.Skip("same character")
		}
		bad := good[:i] + string(c) + good[i+1:]
		if _, err := tok.Authenticate(authRequest("Bearer " + bad)); err == nil {
			t.Fatalf("%q authenticated", bad)
		}
	})
}

func TestTokensRotation(t *testing.T) {
	old, clk := newTestTokens(t, tokenOtherSecret)
	oldToken, err := old.Mint(authShopper, time.Hour)
	require.NoError(t, err)

	current, err := NewTokens(tokenSecret, clk)
	require.NoError(t, err)
	_, err = current.Authenticate(authRequest("Bearer " + oldToken))
	assert.Equal(t, ReasonBadSignature, reasonOf(t, err), "the new key alone does not know the old one")

	rotating, err := current.WithPrevious(tokenOtherSecret)
	require.NoError(t, err)
	got, err := rotating.Authenticate(authRequest("Bearer " + oldToken))
	require.NoError(t, err, "tokens of the previous key still work during the rotation")
	assert.Equal(t, authShopper, got)

	newToken, err := rotating.Mint(authAssociate, time.Hour)
	require.NoError(t, err)
	got, err = current.Authenticate(authRequest("Bearer " + newToken))
	require.NoError(t, err, "the new key signs")
	assert.Equal(t, authAssociate, got)
	_, err = old.Authenticate(authRequest("Bearer " + newToken))
	assert.Equal(t, ReasonBadSignature, reasonOf(t, err))

	assert.Len(t, current.keys, 1, "WithPrevious leaves its receiver unchanged")
	_, err = rotating.WithPrevious(tokenSecret)
	assert.Error(t, err, "a key given twice")
	_, err = current.WithPrevious(tokenOtherSecret[:16])
	assert.Error(t, err, "a short previous secret")
}

func TestKeys(t *testing.T) {
	const posKey = "pos-bellecour-0123456789abcdef"
	keys, err := NewKeys(map[string]basket.Actor{posKey: authSystem, "erp-job-fedcba9876543210xyz": {Kind: basket.System, ID: "erp"}})
	require.NoError(t, err)

	got, err := keys.Authenticate(authRequest("ApiKey " + posKey))
	require.NoError(t, err)
	assert.Equal(t, authSystem, got)
	got, err = keys.Authenticate(authRequest("apikey " + posKey))
	require.NoError(t, err)
	assert.Equal(t, authSystem, got)

	for _, c := range []struct {
		name   string
		auth   []string
		reason CredentialsReason
	}{
		{"no header", nil, ReasonMissing},
		{"a bearer token", []string{"Bearer " + posKey}, ReasonMissing},
		{"unknown key", []string{"ApiKey pos-bellecour-0123456789abcdeF"}, ReasonUnknownKey},
		{"prefix of a key", []string{"ApiKey " + posKey[:len(posKey)-1]}, ReasonUnknownKey},
		{"scheme alone", []string{"ApiKey"}, ReasonMalformed},
		{"two headers", []string{"ApiKey " + posKey, "ApiKey " + posKey}, ReasonMalformed},
	} {
		actor, err := keys.Authenticate(authRequest(c.auth...))
		assert.Equal(t, c.reason, reasonOf(t, err), c.name)
		assert.Zero(t, actor, c.name)
	}
}

func TestNewKeysRefusesBadConfiguration(t *testing.T) {
	for name, m := range map[string]map[string]basket.Actor{
		"no key":         {},
		"short key":      {"short-key": authSystem},
		"key with space": {"pos bellecour 0123456789abcdef": authSystem},
		"bad actor":      {"pos-bellecour-0123456789abcdef": {Kind: basket.Associate, ID: "x"}},
	} {
		_, err := NewKeys(m)
		assert.Error(t, err, name)
	}
}

func TestFirstOf(t *testing.T) {
	tok, _ := newTestTokens(t, tokenSecret)
	const posKey = "pos-bellecour-0123456789abcdef"
	keys, err := NewKeys(map[string]basket.Actor{posKey: authSystem})
	require.NoError(t, err)
	calls := 0
	counting := AuthenticatorFunc(func(r *http.Request) (basket.Actor, error) {
		calls++
		return keys.Authenticate(r)
	})
	auth := FirstOf(tok, counting)

	bearer, err := tok.Mint(authAssociate, time.Hour)
	require.NoError(t, err)
	got, err := auth.Authenticate(authRequest("Bearer " + bearer))
	require.NoError(t, err)
	assert.Equal(t, authAssociate, got)
	assert.Equal(t, 0, calls, "the first authenticator answered")

	got, err = auth.Authenticate(authRequest("ApiKey " + posKey))
	require.NoError(t, err, "no bearer token: the API key is tried")
	assert.Equal(t, authSystem, got)

	_, err = auth.Authenticate(authRequest("Bearer " + bearer + "x"))
	assert.Equal(t, ReasonMalformed, reasonOf(t, err))
	calls = 0
	_, err = auth.Authenticate(authRequest("Bearer " + posKey))
	assert.Equal(t, ReasonMalformed, reasonOf(t, err), "bad bearer credentials are final")
	assert.Equal(t, 0, calls, "bad credentials are never retried as another kind")

	_, err = auth.Authenticate(authRequest())
	assert.Equal(t, ReasonMissing, reasonOf(t, err))
	assert.Equal(t, http.StatusUnauthorized, problemFor(err).Status)

	boom := errors.New("session store down")
	_, err = FirstOf(AuthenticatorFunc(func(*http.Request) (basket.Actor, error) { return basket.Actor{}, boom }), tok).
		Authenticate(authRequest("Bearer " + bearer))
	assert.ErrorIs(t, err, boom, "an error that is not a missing credential is final")

	_, err = FirstOf().Authenticate(authRequest("Bearer " + bearer))
	assert.Equal(t, ReasonMissing, reasonOf(t, err), "no authenticator authenticates nobody")
}

// TestSecretsNeverPrint: tokens and keys show no secret under any verb,
// in JSON, or inside a struct printed by reflection.
func TestSecretsNeverPrint(t *testing.T) {
	tok, _ := newTestTokens(t, tokenSecret)
	const posKey = "pos-bellecour-0123456789abcdef"
	keys, err := NewKeys(map[string]basket.Actor{posKey: authSystem})
	require.NoError(t, err)
	type config struct {
		tokens *Tokens
		keys   *Keys
		Tokens *Tokens
		Keys   *Keys
	}
	cfg := config{tok, keys, tok, keys}
	var out bytes.Buffer
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%T"} {
		fmt.Fprintf(&out, verb+"|"+verb+"|"+verb+"\n", tok, keys, cfg)
	}
	data, err := json.Marshal(cfg)
	require.NoError(t, err)
	out.Write(data)
	s := out.String()
	for _, secret := range []string{string(tokenSecret), fmt.Sprintf("%x", tokenSecret), base64.StdEncoding.EncodeToString(tokenSecret), posKey, fmt.Sprintf("%x", posKey)} {
		assert.NotContains(t, s, secret)
	}
	assert.Contains(t, s, "httpapi.Tokens{…}")
	assert.Contains(t, s, "httpapi.Keys{…}")
}

// FuzzTokens: whatever Authorization header arrives, Authenticate never
// panics, fails only with a *CredentialsError, and authenticates only a
// token it minted, as the actor it was minted for.
func FuzzTokens(f *testing.F) {
	tok, _ := newTestTokens(f, tokenSecret)
	minted := map[string]basket.Actor{}
	for _, a := range []basket.Actor{authAssociate, authShopper, authSystem} {
		s, err := tok.Mint(a, time.Hour)
		require.NoError(f, err)
		minted[s] = a
		f.Add("Bearer " + s)
		f.Add("bearer " + s[:len(s)/2])
	}
	f.Add("")
	f.Add("Bearer")
	f.Add("Bearer a.b")
	f.Add("Bearer eyJraWQiOiJ4In0.AAAA")
	f.Add("ApiKey pos-bellecour-0123456789abcdef")
	f.Fuzz(func(t *testing.T, header string) {
		r := httptest.NewRequest(http.MethodGet, "/v1/baskets", nil)
		r.Header["Authorization"] = []string{header}
		actor, err := tok.Authenticate(r)
		if err != nil {
			var ce *CredentialsError
			if !errors.As(err, &ce) || !errors.Is(err, ErrUnauthenticated) {
				t.Fatalf("%q: error %v is not a *CredentialsError", header, err)
			}
			return
		}
		_, cred, _ := strings.Cut(strings.TrimSpace(header), " ")
		want, ok := minted[strings.TrimSpace(cred)]
		if !ok || want != actor {
			t.Fatalf("%q authenticated as %+v, and is no token minted", header, actor)
		}
	})
}
