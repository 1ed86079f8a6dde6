package httpapi

import (
	"net/http"

	"github.com/omnibasket/omnibasket/basket"
)

// Authenticator turns a request into the [basket.Actor] the Service acts
// for: identity is the platform's, the API only carries it. An
// implementation returns an error matching [ErrUnauthenticated] for
// missing or invalid credentials (401), and must never trust an actor
// named in the request body or query.
type Authenticator interface {
	Authenticate(r *http.Request) (basket.Actor, error)
}

// AuthenticatorFunc adapts a function to [Authenticator].
type AuthenticatorFunc func(r *http.Request) (basket.Actor, error)

// Authenticate calls f.
func (f AuthenticatorFunc) Authenticate(r *http.Request) (basket.Actor, error) { return f(r) }
