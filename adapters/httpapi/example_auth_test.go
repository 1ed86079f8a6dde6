package httpapi_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/omnibasket/omnibasket/adapters/httpapi"
	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/clock"
)

// The standalone server's bearer tokens: a tablet signs in (the platform
// mints a token for the associate), then sends it with every request.
func ExampleTokens() {
	clk := clock.NewFake(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	secret := []byte("a 32-byte secret from a key vault") // at least 32 random bytes in production
	tokens, err := httpapi.NewTokens(secret, clk)
	if err != nil {
		panic(err)
	}
	associate := basket.Actor{Kind: basket.Associate, ID: "staff-17", LocationID: "lyon-bellecour", Role: "manager"}
	token, err := tokens.Mint(associate, 8*time.Hour)
	if err != nil {
		panic(err)
	}

	r := httptest.NewRequest(http.MethodGet, "/v1/baskets", nil)
	r.Header.Set("Authorization", "Bearer "+token)
	actor, err := tokens.Authenticate(r)
	fmt.Println(actor.Kind, actor.ID, actor.LocationID, actor.Role, err)

	clk.Advance(8 * time.Hour) // the end of the shift
	_, err = tokens.Authenticate(r)
	fmt.Println(err, errors.Is(err, httpapi.ErrUnauthenticated))
	// Output:
	// associate staff-17 lyon-bellecour manager <nil>
	// httpapi: Bearer credentials expired true
}

// One API for the tablets' bearer tokens and a POS's static API key: a
// request without a bearer token goes on to the keys.
func ExampleFirstOf() {
	tokens, err := httpapi.NewTokens([]byte("a 32-byte secret from a key vault"), clock.System{})
	if err != nil {
		panic(err)
	}
	keys, err := httpapi.NewKeys(map[string]basket.Actor{
		"pos-bellecour-3f9c2a7e1b5d4c08": {Kind: basket.System, ID: "pos-bellecour"},
	})
	if err != nil {
		panic(err)
	}
	auth := httpapi.FirstOf(tokens, keys)

	for _, header := range []string{"ApiKey pos-bellecour-3f9c2a7e1b5d4c08", "ApiKey guessed-key-0000000000000", "Bearer forged.token", ""} {
		r := httptest.NewRequest(http.MethodGet, "/v1/baskets", nil)
		if header != "" {
			r.Header.Set("Authorization", header)
		}
		actor, err := auth.Authenticate(r)
		fmt.Printf("%q: %s %s %v\n", header, actor.Kind, actor.ID, err)
	}
	// Output:
	// "ApiKey pos-bellecour-3f9c2a7e1b5d4c08": system pos-bellecour <nil>
	// "ApiKey guessed-key-0000000000000": actor(0)  httpapi: ApiKey credentials unknown key
	// "Bearer forged.token": actor(0)  httpapi: Bearer credentials malformed
	// "": actor(0)  httpapi: ApiKey credentials missing
}

// A platform with its own sign-in keeps it: the session cookie it already
// sets names a session in its store, and the session says who is there.
func ExampleAuthenticatorFunc_sessionCookie() {
	sessions := map[string]basket.Actor{ // the platform's session store
		"s-7d1e": {Kind: basket.Shopper, ID: "cust-42"},
	}
	auth := httpapi.AuthenticatorFunc(func(r *http.Request) (basket.Actor, error) {
		c, err := r.Cookie("session")
		if err != nil {
			return basket.Actor{}, &httpapi.CredentialsError{Scheme: "Cookie", Reason: httpapi.ReasonMissing}
		}
		actor, ok := sessions[c.Value]
		if !ok { // unknown or expired session: sign in again
			return basket.Actor{}, &httpapi.CredentialsError{Scheme: "Cookie", Reason: httpapi.ReasonExpired}
		}
		return actor, nil
	})

	r := httptest.NewRequest(http.MethodGet, "/v1/baskets", nil)
	r.AddCookie(&http.Cookie{Name: "session", Value: "s-7d1e"})
	actor, err := auth.Authenticate(r)
	fmt.Println(actor.Kind, actor.ID, err)
	// Output: shopper cust-42 <nil>
}

// idTokenClaims is what an OIDC library returns for a verified ID token,
// reduced to the claims this platform's provider is configured to emit.
type idTokenClaims struct {
	Subject string
	Store   string // a custom claim for staff
	Role    string
	IsStaff bool
}

// verifyIDToken stands for the platform's OIDC library, which checks the
// token's signature with the provider's published keys, its issuer,
// audience and expiry (with github.com/coreos/go-oidc, for instance,
// verifier.Verify(ctx, raw) then idToken.Claims(&claims)).
func verifyIDToken(_ context.Context, raw string) (idTokenClaims, error) {
	if raw != "eyJhbGciOiJSUzI1NiJ9.staff.sig" {
		return idTokenClaims{}, errors.New("oidc: token signature does not verify")
	}
	return idTokenClaims{Subject: "staff-17", Store: "lyon-bellecour", Role: "associate", IsStaff: true}, nil
}

// OIDC: verify the ID token with the provider's library, then map its
// claims to the actor. A token that does not verify is a 401, whatever
// the library says about it.
func ExampleAuthenticatorFunc_oidc() {
	auth := httpapi.AuthenticatorFunc(func(r *http.Request) (basket.Actor, error) {
		scheme, raw, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		if !strings.EqualFold(scheme, "Bearer") || raw == "" {
			return basket.Actor{}, &httpapi.CredentialsError{Scheme: "OIDC", Reason: httpapi.ReasonMissing}
		}
		claims, err := verifyIDToken(r.Context(), raw)
		if err != nil {
			return basket.Actor{}, &httpapi.CredentialsError{Scheme: "OIDC", Reason: httpapi.ReasonBadSignature}
		}
		if claims.IsStaff {
			return basket.Actor{Kind: basket.Associate, ID: claims.Subject, LocationID: claims.Store, Role: claims.Role}, nil
		}
		return basket.Actor{Kind: basket.Shopper, ID: claims.Subject}, nil
	})

	for _, token := range []string{"eyJhbGciOiJSUzI1NiJ9.staff.sig", "eyJhbGciOiJub25lIn0.staff."} {
		r := httptest.NewRequest(http.MethodGet, "/v1/baskets", nil)
		r.Header.Set("Authorization", "Bearer "+token)
		actor, err := auth.Authenticate(r)
		fmt.Println(actor.Kind, actor.ID, actor.LocationID, err)
	}
	// Output:
	// associate staff-17 lyon-bellecour <nil>
	// actor(0)   httpapi: OIDC credentials bad signature
}
