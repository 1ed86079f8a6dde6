package main

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/omnibasket/omnibasket/adapters/httpapi"
	"github.com/omnibasket/omnibasket/adapters/webui"
	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/clock"
	"github.com/omnibasket/omnibasket/demo"
)

// demoPrefix is where the demo sign-in lives, next to the pages.
const demoPrefix = "/demo/"

// isPagePath reports whether a path is the pages' rather than the API's:
// the root (sent to the pages), the pages themselves, and the demo
// sign-in.
func isPagePath(p string) bool {
	return p == "/" || p == "/ui" || strings.HasPrefix(p, webui.Prefix) || strings.HasPrefix(p, demoPrefix)
}

// servePages serves the root, the pages and, in demo mode, the demo
// sign-in. Without demo mode /demo/… is a 404, and the pages ask for a
// bearer token to paste instead.
func (s *server) servePages(w http.ResponseWriter, r *http.Request) {
	switch p := r.URL.Path; {
	case p == "/" || p == "/ui":
		if !probeMethod(w, r) {
			return
		}
		http.Redirect(w, r, webui.Prefix, http.StatusFound)
	case strings.HasPrefix(p, webui.Prefix):
		s.pages.ServeHTTP(w, r)
	default:
		d := s.demo.Load()
		if d == nil {
			writeProblem(w, r, http.StatusNotFound, "no-route", "No such resource", "")
			return
		}
		d.ServeHTTP(w, r)
	}
}

// demoSignInTTL is how long a token of the demo sign-in is valid: a
// working day on the shop floor.
const demoSignInTTL = 12 * time.Hour

// maxSignInBody bounds a demo sign-in request.
const maxSignInBody = 4 << 10

// demoSignIn is the demo's identity provider: anyone may sign in as any
// shopper, or as an associate of any store. It exists only when the
// server made its token secret at start-up (the log then prints tokens
// for anyone to use anyway); a server with a real secret has none, and
// the platform's own sign-in issues the tokens.
type demoSignIn struct {
	tokens *httpapi.Tokens
	clk    clock.Clock
	stores []demoStore
	// places name every site of the demo, warehouse included: where a
	// line's goods come from.
	places []demoStore
}

// demoStore is a store a demo associate may sign in at.
type demoStore struct {
	LocationID string `json:"location_id"`
	Name       string `json:"name"`
	ChannelID  string `json:"channel_id,omitempty"`
}

// demoProduct is an article of the demo catalogue a shopper can add on
// the web, by name.
type demoProduct struct {
	SKU      string `json:"sku"`
	Name     string `json:"name"`
	Category string `json:"category"`
}

// signInRequest is the body of POST /demo/sign-in.
type signInRequest struct {
	Kind       string `json:"kind"` // shopper or associate
	ID         string `json:"id"`
	LocationID string `json:"location_id,omitempty"`
}

// signInReply is the answer: the token, and whom it is for.
type signInReply struct {
	Token      string    `json:"token"`
	ExpiresAt  time.Time `json:"expires_at"`
	Kind       string    `json:"kind"`
	ID         string    `json:"id"`
	LocationID string    `json:"location_id,omitempty"`
}

// newDemoSignIn signs in at the physical stores of sh's contexts.
func newDemoSignIn(tokens *httpapi.Tokens, clk clock.Clock, sh *shop) *demoSignIn {
	d := &demoSignIn{tokens: tokens, clk: clk}
	for _, c := range sh.contexts {
		if c.Kind.IsPhysical() && !slices.ContainsFunc(d.stores, func(s demoStore) bool { return s.LocationID == c.LocationID }) {
			d.stores = append(d.stores, demoStore{LocationID: c.LocationID, Name: storeName(c.LocationID), ChannelID: c.ChannelID})
		}
	}
	for _, site := range demo.Sites() {
		d.places = append(d.places, demoStore{LocationID: site.ID, Name: storeName(site.ID)})
	}
	return d
}

// storeName is the name a person reads for a store: the demo's own, or
// the location ID in words ("paris-opera" → "Paris Opera").
func storeName(id string) string {
	switch id {
	case demo.Bellecour:
		return "Lyon Bellecour"
	case demo.PartDieu:
		return "Lyon Part-Dieu"
	case demo.Warehouse:
		return "Vénissieux warehouse"
	}
	words := strings.FieldsFunc(id, func(r rune) bool { return r == '-' || r == '_' })
	for i, w := range words {
		words[i] = strings.ToUpper(w[:1]) + w[1:]
	}
	return strings.Join(words, " ")
}

func (d *demoSignIn) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case demoPrefix + "sign-in":
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", "POST")
			writeProblem(w, r, http.StatusMethodNotAllowed, "method-not-allowed", "Method not allowed here", "")
			return
		}
		d.signIn(w, r)
	case demoPrefix + "stores":
		if probeMethod(w, r) {
			writeValue(w, http.StatusOK, struct {
				Stores []demoStore `json:"stores"`
				Places []demoStore `json:"places"`
			}{d.stores, d.places})
		}
	case demoPrefix + "products":
		if probeMethod(w, r) {
			writeValue(w, http.StatusOK, struct {
				Products []demoProduct `json:"products"`
			}{demoProducts()})
		}
	default:
		writeProblem(w, r, http.StatusNotFound, "no-route", "No such resource", "")
	}
}

// demoProducts are the articles sold on the web, in catalogue order.
func demoProducts() []demoProduct {
	var ps []demoProduct
	for _, it := range demo.Items() {
		if it.Web != "" {
			ps = append(ps, demoProduct{SKU: it.SKU, Name: it.Name, Category: it.Category})
		}
	}
	return ps
}

func (d *demoSignIn) signIn(w http.ResponseWriter, r *http.Request) {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		writeProblem(w, r, http.StatusUnsupportedMediaType, "unsupported-media-type", "Send the body as application/json", "")
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxSignInBody+1))
	if err != nil {
		writeProblem(w, r, http.StatusBadRequest, "bad-request", "The request is malformed", "the body cannot be read")
		return
	}
	if len(body) > maxSignInBody {
		writeProblem(w, r, http.StatusRequestEntityTooLarge, "body-too-large", "The body is too large", "")
		return
	}
	actor, err := d.actor(body)
	if err != nil {
		var se *signInError
		if errors.As(err, &se) {
			writeProblem(w, r, se.status, se.kind, se.title, se.detail)
			return
		}
		writeProblem(w, r, http.StatusBadRequest, "bad-request", "The request is malformed", err.Error())
		return
	}
	tok, err := d.tokens.Mint(actor, demoSignInTTL)
	if err != nil { // the actor was checked: a bug, not the caller's input
		writeProblem(w, r, http.StatusInternalServerError, "internal", "Internal error", "")
		return
	}
	// The expiry the token carries: whole seconds, rounded down.
	exp := time.Unix(d.clk.Now().Add(demoSignInTTL).Unix(), 0).UTC()
	writeValue(w, http.StatusOK, signInReply{Token: tok, ExpiresAt: exp, Kind: actor.Kind.String(), ID: actor.ID, LocationID: actor.LocationID})
}

// signInError is a sign-in request refused: its problem.
type signInError struct {
	status              int
	kind, title, detail string
}

func (e *signInError) Error() string { return "demo sign-in: " + e.detail }

// maxDemoID is the longest ID the demo signs in: a name, not a document.
const maxDemoID = 64

// actor reads a sign-in request into the actor it signs in.
func (d *demoSignIn) actor(body []byte) (basket.Actor, error) {
	var req signInRequest
	if err := strictJSON(body, &req); err != nil {
		return basket.Actor{}, err
	}
	invalid := func(field, reason string) error {
		return &signInError{status: http.StatusUnprocessableEntity, kind: "invalid", title: "The request is not valid", detail: field + ": " + reason}
	}
	if req.ID == "" || len(req.ID) > maxDemoID || strings.ContainsFunc(req.ID, func(c rune) bool {
		return !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.')
	}) {
		return basket.Actor{}, invalid("id", "must be 1 to 64 lower-case letters, digits, '-', '_' or '.'")
	}
	switch req.Kind {
	case "shopper":
		if req.LocationID != "" {
			return basket.Actor{}, invalid("location_id", "a shopper signs in without a store")
		}
		return basket.Actor{Kind: basket.Shopper, ID: req.ID}, nil
	case "associate":
		if !slices.ContainsFunc(d.stores, func(s demoStore) bool { return s.LocationID == req.LocationID }) {
			return basket.Actor{}, &signInError{status: http.StatusUnprocessableEntity, kind: "unknown-context",
				title: "No such channel or location", detail: "location_id: not a store of this server"}
		}
		return basket.Actor{Kind: basket.Associate, ID: req.ID, LocationID: req.LocationID, Role: "associate"}, nil
	}
	return basket.Actor{}, invalid("kind", `must be "shopper" or "associate"`)
}

// writeValue answers JSON that must not be cached (a token, or lists a
// reload may change).
func writeValue(w http.ResponseWriter, status int, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		status, data = http.StatusInternalServerError, []byte(`{}`)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(append(data, '\n'))
}

// writeProblem answers an RFC 9457 problem of kind, as the API does.
func writeProblem(w http.ResponseWriter, r *http.Request, status int, kind, title, detail string) {
	data, _ := json.Marshal(httpapi.Problem{Type: httpapi.ProblemTypePrefix + kind, Kind: kind, Title: title, Status: status,
		Detail: detail, Instance: r.URL.Path})
	h := w.Header()
	h.Set("Content-Type", "application/problem+json")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(append(data, '\n'))
}
