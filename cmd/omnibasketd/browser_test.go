package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/omnibasket/omnibasket/basket/handoff"
	"github.com/omnibasket/omnibasket/demo"
	"github.com/omnibasket/omnibasket/internal/browsertest"
)

// envScreenshots set to 1 writes the scene's screenshots to
// docs/screenshots, to be committed; otherwise they go to a temporary
// directory, so that the committed pictures change only on purpose.
const envScreenshots = "OMNIBASKET_SCREENSHOTS"

// scene is the browser scene: the demo server, and the tabs that play it.
type scene struct {
	t      *testing.T
	r      *running
	shots  string
	tablet context.Context
	phone  context.Context
}

// TestBrowserScene plays the seed's scene in headless Chromium on the demo
// server, with the pages a person would use: a shopper fills a basket on
// the phone (in French), scans the store's poster, appears on the tablet's
// arrivals list (in English); the associate opens the basket, reads the
// price changes, adds a cushion and the store coupon, which the phone
// shows without a reload; the associate orders with a collection later in
// the store, and the phone shows the pickup. Then the refusals a person
// meets: another store's poster, an expired check-in code, too little
// stock to reserve. It asserts what the screens say, against the basket
// the API holds, and keeps a screenshot of every step.
func TestBrowserScene(t *testing.T) {
	browser := browsertest.Browser(t)
	s := &scene{t: t, r: start(t, nil, nil), shots: t.TempDir()}
	if os.Getenv(envScreenshots) == "1" {
		s.shots = filepath.Join("..", "..", "docs", "screenshots")
	}
	expired := s.expiring()
	s.tablet = browsertest.Tab(t, browser, browsertest.TabOptions{Width: 1280, Height: 800, Lang: "en-GB"})
	s.phone = browsertest.Tab(t, browser, browsertest.TabOptions{Width: 390, Height: 844, Scale: 2, Mobile: true, Lang: "fr-FR"})

	// The associate signs in at Bellecour.
	browsertest.Do(t, s.tablet,
		chromedp.Navigate(s.r.url+"/ui/tablet.html"),
		chromedp.WaitVisible(chromedp.CSS("#associate-name")),
		chromedp.SetValue(chromedp.CSS("#store-select"), demo.Bellecour),
		chromedp.SendKeys(chromedp.CSS("#associate-name"), "Léa"),
		chromedp.Click(chromedp.CSS("#demo-form button")),
		chromedp.WaitVisible(chromedp.CSS("#arrivals-h")))
	s.see(s.tablet, "#who", "Signed in as Léa · Lyon Bellecour")
	s.see(s.tablet, "#arrivals-empty", "Nobody has checked in yet.")

	// The shopper fills a basket on the web, on the phone.
	browsertest.Do(t, s.phone,
		chromedp.Navigate(s.r.url+"/ui/phone.html"),
		chromedp.WaitVisible(chromedp.CSS("#shopper-id")),
		chromedp.SendKeys(chromedp.CSS("#shopper-id"), "camille"),
		chromedp.Tap(chromedp.CSS("#demo-form button")),
		chromedp.WaitVisible(chromedp.CSS("#product")))
	s.see(s.phone, "#where", "En ligne")
	s.add("LAMP-ARC", "Arc floor lamp")
	s.add("CANDLE-FIG", "Fig scented candle")
	shopper := s.signIn(`{"kind":"shopper","id":"camille"}`)
	var list struct {
		IDs []string `json:"basket_ids"`
	}
	s.r.decode(s.r.must(200, "GET", "/v1/customers/camille/baskets", shopper, nil), &list)
	require.Len(t, list.IDs, 1, "the phone made one basket")
	id := list.IDs[0]
	b := s.basket(shopper, id)
	require.Equal(t, "web", b.Context.ChannelID)
	s.see(s.phone, `#totals [data-total="total"]`, eur("fr", b.Result.Totals.Total.Amount))
	s.shot(s.phone, "phone-1-basket")

	// The tablet shows the store's poster: a QR code of the phone's
	// check-in URL, titled for screen readers.
	browsertest.Do(t, s.tablet, chromedp.Click(chromedp.CSS("#show-poster")), chromedp.WaitVisible(chromedp.CSS("#qr-box svg")))
	s.see(s.tablet, "#qr-h", "Check in at Lyon Bellecour")
	s.see(s.tablet, "#qr-box svg title", "Check-in code of Lyon Bellecour")
	tagURL := s.text(s.tablet, "#qr-url")
	require.True(t, strings.HasPrefix(tagURL, s.r.url+"/ui/phone.html?location="+demo.Bellecour+"&tag="), tagURL)
	s.shot(s.tablet, "tablet-1-poster")
	browsertest.Do(t, s.tablet, chromedp.Click(chromedp.CSS("#qr-close")))

	// The shopper scans it: the phone opens the URL, and the basket is in
	// the store, with what changed said in French.
	browsertest.Do(t, s.phone, chromedp.Navigate(tagURL), chromedp.WaitVisible(chromedp.CSS("#changes")))
	s.see(s.phone, "#where", "Au magasin Lyon Bellecour")
	s.see(s.phone, "#status", "Bienvenue à Lyon Bellecour")
	b = s.basket(shopper, id)
	require.Equal(t, "store", b.Context.Kind)
	lamp := b.change("price-changed", "LAMP-ARC")
	s.see(s.phone, "#changes", fmt.Sprintf("Arc floor lamp coûte %s ici (au lieu de %s).", eur("fr", lamp.New.Amount), eur("fr", lamp.Old.Amount)))
	s.see(s.phone, `#totals [data-total="total"]`, eur("fr", b.Result.Totals.Total.Amount))
	require.NotContains(t, s.text(s.phone, "body"), "does not apply", "the phone speaks French, not the API's English messages")
	s.shot(s.phone, "phone-2-checked-in")

	// The shopper appears on the tablet's arrivals list, by itself.
	s.see(s.tablet, "#arrivals", "camille")
	s.see(s.tablet, "#arrivals", eur("en", b.Result.Totals.Total.Amount))
	s.shot(s.tablet, "tablet-2-arrival")

	// The associate opens the basket and reads the price changes.
	browsertest.Do(t, s.tablet, chromedp.Click(chromedp.CSS(`#arrivals li[data-basket="`+b.ID+`"] button`)), chromedp.WaitVisible(chromedp.CSS("#lines-body tr")))
	s.see(s.tablet, "#basket-who", "Customer camille · At Lyon Bellecour")
	s.see(s.tablet, "#changes", fmt.Sprintf("Arc floor lamp costs %s here (was %s).", eur("en", lamp.New.Amount), eur("en", lamp.Old.Amount)))
	web := b.change("promotion-lost", "")
	s.see(s.tablet, "#changes", fmt.Sprintf("%s does not apply here (it saved %s).", web.PromotionName, eur("en", web.Old.Amount)))
	s.see(s.tablet, `#totals [data-total="total"]`, eur("en", b.Result.Totals.Total.Amount))
	s.see(s.tablet, "#history", "No other basket or order.")
	s.shot(s.tablet, "tablet-3-opened")

	// The phone is marked: a reload would lose the mark.
	browsertest.Do(t, s.phone, evalJS(`window.sceneMark = "no reload"`))

	// The associate adds a cushion by SKU, and the store's coupon.
	browsertest.Do(t, s.tablet,
		chromedp.SendKeys(chromedp.CSS("#add-code"), "CUSHION-LIN"),
		chromedp.Click(chromedp.CSS("#add-form button")))
	s.see(s.tablet, "#lines-body", "Linen cushion")
	browsertest.Do(t, s.tablet,
		chromedp.SendKeys(chromedp.CSS("#coupon-code"), "merci5"),
		chromedp.Click(chromedp.CSS("#coupon-form button")))
	s.see(s.tablet, "#status", "Coupon MERCI5 added.")
	b = s.basket(shopper, id)
	merci := b.promotion("MERCI5")
	require.Equal(t, "applied", merci.Status)
	s.see(s.tablet, "#promos", fmt.Sprintf("%s: %s off", merci.Name, eur("en", merci.Amount.Amount)))
	s.see(s.tablet, `#totals [data-total="total"]`, eur("en", b.Result.Totals.Total.Amount))
	s.shot(s.tablet, "tablet-4-amended")

	// The phone follows without a reload.
	s.see(s.phone, "#lines", "Linen cushion")
	s.see(s.phone, `#totals [data-total="total"]`, eur("fr", b.Result.Totals.Total.Amount))
	s.see(s.phone, "#live", "Mis à jour en direct")
	require.Equal(t, "no reload", s.text(s.phone, "", `window.sceneMark`))
	s.shot(s.phone, "phone-3-live")

	// The associate has the cushion collected later in the store (click &
	// collect), and places the order.
	cushion := b.line("CUSHION-LIN")
	browsertest.Do(t, s.tablet, setSelect(`#lines-body tr[data-line="`+cushion+`"] select`, "click-collect"))
	s.eventually(func() bool { return s.basket(shopper, id).mode(cushion) == "click-collect" }, "the cushion is to collect")
	browsertest.Do(t, s.tablet, chromedp.Click(chromedp.CSS("#place-order")), chromedp.WaitVisible(chromedp.CSS("#order")))
	b = s.basket(shopper, id)
	require.Equal(t, "ordered", b.Status)
	s.see(s.tablet, "#order", "Handed over now at Lyon Bellecour")
	s.see(s.tablet, "#order", "Collect in store later at Lyon Bellecour")
	s.shot(s.tablet, "tablet-5-ordered")

	// The phone shows the pickup: where, what, and its state.
	s.see(s.phone, "#pickup", "Retrait en magasin plus tard à Lyon Bellecour")
	s.see(s.phone, "#pickup", "1 × Linen cushion")
	s.see(s.phone, "#pickup", "en préparation")
	require.Equal(t, "no reload", s.text(s.phone, "", `window.sceneMark`))
	s.shot(s.phone, "phone-4-pickup")

	s.refusals(expired)
}

// expiredTicket is a check-in ticket that will have expired, beyond the
// verifiers' clock skew, at dead.
type expiredTicket struct {
	token string
	dead  time.Time
}

// expiring issues a check-in ticket of one second for another basket of
// the shopper, at the start of the scene: the scene plays while its
// expiry and the clock skew pass.
func (s *scene) expiring() expiredTicket {
	shopper := s.signIn(`{"kind":"shopper","id":"ines"}`)
	var b struct {
		ID string `json:"id"`
	}
	s.r.decode(s.r.must(201, "POST", "/v1/baskets", shopper, map[string]any{"channel_id": "web"}), &b)
	s.r.must(200, "POST", "/v1/baskets/"+b.ID+"/lines", shopper, map[string]any{"sku": "MUG-STONE", "quantity": 1})
	var ticket struct {
		Token     string    `json:"token"`
		ExpiresAt time.Time `json:"expires_at"`
	}
	s.r.decode(s.r.must(201, "POST", "/v1/baskets/"+b.ID+"/check-in-tickets", shopper,
		map[string]any{"location_id": demo.Bellecour, "ttl_seconds": 1}), &ticket)
	return expiredTicket{token: ticket.Token, dead: ticket.ExpiresAt.Add(handoff.DefaultSkew + time.Second)}
}

// refusals are the scene's refusals, each a sentence on the screen.
func (s *scene) refusals(expired expiredTicket) {
	t := s.t
	// Another store's poster: the phone says so, in French.
	other := s.signIn(`{"kind":"associate","id":"hugo","location_id":"` + demo.PartDieu + `"}`)
	var tag struct {
		Tag string `json:"tag"`
	}
	s.r.decode(s.r.must(200, "GET", "/v1/locations/"+demo.PartDieu+"/tag", other, nil), &tag)
	wrong := s.r.url + "/ui/phone.html?" + url.Values{"location": {demo.Bellecour}, "tag": {tag.Tag}}.Encode()
	browsertest.Do(t, s.phone, chromedp.Navigate(wrong))
	s.see(s.phone, "#status", "Ce code appartient à un autre magasin.")
	s.see(s.phone, "#where", "En ligne")
	s.shot(s.phone, "phone-5-other-store")

	// An expired check-in code, as the tablet's scanner reads it.
	time.Sleep(time.Until(expired.dead))
	browsertest.Do(t, s.tablet,
		chromedp.SendKeys(chromedp.CSS("#code-input"), expired.token),
		chromedp.Click(chromedp.CSS("#code-form button")))
	s.see(s.tablet, "#status", "This code has expired. Ask for a new one.")
	s.shot(s.tablet, "tablet-6-expired-code")

	// Not enough stock to reserve: seven sofas for a walk-in customer,
	// where the warehouse has six.
	browsertest.Do(t, s.tablet, chromedp.Click(chromedp.CSS("#new-basket")))
	s.see(s.tablet, "#basket-who", "Walk-in customer")
	browsertest.Do(t, s.tablet,
		chromedp.SendKeys(chromedp.CSS("#add-code"), "SOFA-LINEN"),
		chromedp.SetValue(chromedp.CSS("#add-qty"), "7"),
		chromedp.Click(chromedp.CSS("#add-form button")))
	s.see(s.tablet, "#lines-body", "1 missing")
	browsertest.Do(t, s.tablet, chromedp.Click(chromedp.CSS("#reserve")))
	s.see(s.tablet, "#status", "Not enough stock: Three-seat linen sofa, 6 of 7 available.")
	s.shot(s.tablet, "tablet-7-out-of-stock")

	// The walk-in customer takes the basket to finish on the web: the
	// tablet shows a check-out code, the shopper's phone scans it, and
	// the basket becomes theirs.
	browsertest.Do(t, s.tablet, chromedp.Click(chromedp.CSS("#hand-back")), chromedp.WaitVisible(chromedp.CSS("#qr-box svg")))
	s.see(s.tablet, "#qr-h", "Finish on the phone")
	s.see(s.tablet, "#qr-box svg title", "Check-out code: scan it with your phone")
	checkOut := s.text(s.tablet, "", `document.getElementById("qr-box").dataset.text`)
	require.True(t, strings.HasPrefix(checkOut, s.r.url+"/ui/phone.html?check_out="), checkOut)
	s.shot(s.tablet, "tablet-8-hand-back")
	browsertest.Do(t, s.phone, chromedp.Navigate(checkOut))
	s.see(s.phone, "#status", "Le panier est à nouveau le vôtre, en ligne.")
	s.see(s.phone, "#where", "En ligne")
	s.see(s.phone, "#lines", "Three-seat linen sofa")
	require.NotContains(t, s.text(s.phone, "", "location.href"), "check_out", "the code leaves the address bar")
	s.shot(s.phone, "phone-6-checked-out")

	// The basket left the store with the shopper: the tablet, which has
	// no grant on it any more, closes the code and says why.
	s.see(s.tablet, "#status", "This basket is no longer open to your store: the shopper took it back, or the check-in ended.")
	s.see(s.tablet, "#basket-none", "Open an arrival, check a shopper in, or start a basket.")
	require.Equal(t, "false", s.text(s.tablet, "", `String(document.getElementById("qr-dialog").open)`))
	s.shot(s.tablet, "tablet-9-basket-left")
}

// add adds one of a product on the phone, chosen by its name.
func (s *scene) add(sku, name string) {
	s.t.Helper()
	browsertest.Do(s.t, s.phone,
		chromedp.SetValue(chromedp.CSS("#product"), sku),
		chromedp.Tap(chromedp.CSS("#add-form button")))
	s.see(s.phone, "#lines", name)
}

// see waits until the element's text (spaces normalised) holds want.
// eventually waits until ok holds, as see does for a text.
func (s *scene) eventually(ok func() bool, what string) {
	s.t.Helper()
	deadline := time.Now().Add(browsertest.DefaultActionTimeout)
	for !ok() {
		if time.Now().After(deadline) {
			s.t.Fatalf("never true: %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (s *scene) see(tab context.Context, sel, want string) {
	s.t.Helper()
	deadline := time.Now().Add(browsertest.DefaultActionTimeout)
	var got string
	for {
		got = s.text(tab, sel)
		if strings.Contains(got, want) {
			return
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("%s does not say %q; it says:\n%s", sel, want, got)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// text is the text a person reads in the element sel, with the spaces
// that number formats use (no-break, narrow no-break) as plain spaces;
// "" when there is no such element. With expr, it is that expression's
// value instead.
func (s *scene) text(tab context.Context, sel string, expr ...string) string {
	s.t.Helper()
	js := fmt.Sprintf(`((e) => e?.innerText ?? e?.textContent ?? "")(document.querySelector(%q)).replace(/[\u00a0\u202f]/g, " ")`, sel)
	if len(expr) > 0 {
		js = expr[0]
	}
	ctx, cancel := context.WithTimeout(tab, browsertest.DefaultActionTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
	require.NoError(s.t, err)
	return v
}

// shot keeps a screenshot of a step.
func (s *scene) shot(tab context.Context, name string) {
	s.t.Helper()
	browsertest.Screenshot(s.t, tab, filepath.Join(s.shots, name+".png"))
}

// signIn signs in through the demo sign-in, as the pages do, for the
// test's own API calls.
func (s *scene) signIn(body string) string {
	var reply struct {
		Token string `json:"token"`
	}
	s.r.decode(s.r.must(200, "POST", "/demo/sign-in", "", json.RawMessage(body)), &reply)
	return reply.Token
}

// sceneBasket is what the scene reads of a basket.
type sceneBasket struct {
	ID      string `json:"id"`
	Status  string `json:"status"`
	Context struct {
		ChannelID string `json:"channel_id"`
		Kind      string `json:"kind"`
	} `json:"context"`
	Lines []struct {
		ID         string `json:"id"`
		SKU        string `json:"sku"`
		Fulfilment string `json:"fulfilment"`
	} `json:"lines"`
	Result struct {
		Totals struct {
			Total sceneMoney `json:"total"`
		} `json:"totals"`
		Changes    []sceneChange `json:"changes"`
		Promotions []struct {
			PromotionID string     `json:"promotion_id"`
			Name        string     `json:"name"`
			Status      string     `json:"status"`
			Amount      sceneMoney `json:"amount"`
		} `json:"promotions"`
	} `json:"result"`
}

type sceneMoney struct {
	Amount string `json:"amount"`
}

type sceneChange struct {
	Kind          string     `json:"kind"`
	SKU           string     `json:"sku"`
	PromotionName string     `json:"promotion_name"`
	Old           sceneMoney `json:"old"`
	New           sceneMoney `json:"new"`
}

// basket reads a basket through the API.
func (s *scene) basket(token, id string) sceneBasket {
	s.t.Helper()
	var b sceneBasket
	s.r.decode(s.r.must(200, "GET", "/v1/baskets/"+id, token, nil), &b)
	return b
}

// change is the basket's change of kind (about sku when given).
func (b sceneBasket) change(kind, sku string) sceneChange {
	for _, c := range b.Result.Changes {
		if c.Kind == kind && (sku == "" || c.SKU == sku) {
			return c
		}
	}
	panic(fmt.Sprintf("no %s change for %q in the report", kind, sku))
}

func (b sceneBasket) promotion(id string) struct {
	PromotionID string     `json:"promotion_id"`
	Name        string     `json:"name"`
	Status      string     `json:"status"`
	Amount      sceneMoney `json:"amount"`
} {
	for _, p := range b.Result.Promotions {
		if p.PromotionID == id {
			return p
		}
	}
	panic("no promotion " + id)
}

// line is the ID of the basket's line of sku.
func (b sceneBasket) line(sku string) string {
	for _, l := range b.Lines {
		if l.SKU == sku {
			return l.ID
		}
	}
	panic("no line of " + sku)
}

// mode is the fulfilment chosen for a line ("" when none was chosen).
func (b sceneBasket) mode(lineID string) string {
	for _, l := range b.Lines {
		if l.ID == lineID {
			return l.Fulfilment
		}
	}
	panic("no line " + lineID)
}

// decode reads a reply's JSON body into v.
func (r *running) decode(rep reply, v any) {
	r.t.Helper()
	require.NoError(r.t, json.Unmarshal(rep.body, v), "%s", rep.body)
}

// setSelect chooses a select's option as a person does: the value, then
// the change event the page listens to.
func setSelect(sel, value string) chromedp.Action[chromedp.Void] {
	return evalJS(fmt.Sprintf(
		`(() => { const s = document.querySelector(%q); s.value = %q; s.dispatchEvent(new Event("change", {bubbles: true})); })()`, sel, value))
}

// evalJS evaluates JavaScript in the page for its effect.
func evalJS(js string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Evaluate[any](js)(ctx, t)
		return err
	})
}

// eur writes an amount in euros as the browser's Intl does in lang:
// "€1,290.00" in English, "1 290,00 €" in French (spaces normalised).
func eur(lang, amount string) string {
	neg := strings.HasPrefix(amount, "-")
	amount = strings.TrimPrefix(amount, "-")
	units, cents, _ := strings.Cut(amount, ".")
	sep, dec := ",", "."
	if lang == "fr" {
		sep, dec = " ", ","
	}
	var grouped string
	for i, d := range units {
		if i > 0 && (len(units)-i)%3 == 0 {
			grouped += sep
		}
		grouped += string(d)
	}
	n := grouped + dec + cents
	if neg {
		n = "-" + n
	}
	if lang == "fr" {
		return n + " €"
	}
	return "€" + n
}
