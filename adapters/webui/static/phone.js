// phone.js: the shopper's page. Everything it does is a call of the
// public API with the shopper's bearer token.

import { Api, ApiError, basketPath, demoList, demoSignIn } from "./api.js";
import { follow } from "./stream.js";
import { t, translate, switcher, money, isZero, time } from "./i18n.js";
import { changeSentence, promotionSentence, fulfilmentSentence, knowPlaces, place, where, quantityOf } from "./words.js";
import { $, el, announce, fail, guard, Session, showQR, slug } from "./common.js";

const session = new Session("phone");
const pendingKey = "omnibasket.phone.pending";

const state = {
  api: null,
  me: null, // {id}
  basket: null,
  stopStream: null,
  products: null,
  busy: 0, // commands of this page in flight
  lastOwn: 0, // when the last one ended (ms)
};

/** ownChange reports whether a basket the stream brings is most likely
 * this page's own doing (a command in flight or just answered): only
 * changes made elsewhere are announced as live updates. */
function ownChange() {
  return state.busy > 0 || Date.now() - state.lastOwn < 1500;
}

// ---- start: the URL's instructions, then sign-in ----

/** takeParams reads what the URL asks for (a store's tag to check in, a
 * check-out code to take a basket back), keeps it for after the sign-in,
 * and removes it from the address bar so that a reload does not replay it. */
function takeParams() {
  const q = new URLSearchParams(location.search);
  const p = {};
  if (q.get("location") && q.get("tag")) Object.assign(p, { location: q.get("location"), tag: q.get("tag"), via: q.get("via") === "nfc" ? "nfc" : "qr" });
  if (q.get("check_out")) p.check_out = q.get("check_out");
  if (Object.keys(p).length) {
    sessionStorage.setItem(pendingKey, JSON.stringify(p));
    history.replaceState(null, "", location.pathname);
  }
}

function pending() {
  try {
    return JSON.parse(sessionStorage.getItem(pendingKey) || "{}");
  } catch {
    return {};
  }
}

async function start() {
  takeParams();
  translate(document);
  $("bar-tools").prepend(switcher());
  $("sign-out").addEventListener("click", signOut);
  document.addEventListener("langchange", render);
  const [stores, products] = await Promise.all([demoList("stores").catch(() => null), demoList("products").catch(() => null)]);
  if (stores) knowPlaces([...(stores.places || []), ...stores.stores]);
  $("checkin-store").replaceChildren(...(stores?.stores || []).map((st) => el("option", { value: st.location_id }, st.name || st.location_id)));
  $("checkin-store-pick").hidden = !stores?.stores?.length;
  state.products = products?.products || null;
  fillProducts();
  const s = session.load();
  if (s) return enter(s);
  showSignIn(!!stores);
}

function showSignIn(demo) {
  $("work").hidden = true;
  $("sign-in").hidden = false;
  $("sign-out").hidden = true;
  $("demo-form").hidden = !demo;
  $("token-form").hidden = demo;
  (demo ? $("shopper-id") : $("token-customer")).focus();
  if (pending().location) announce(t("signin.then-checkin"));
}

$("demo-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const id = slug($("shopper-id").value);
  if (!id) return;
  guard(e.submitter, async () => {
    const res = await demoSignIn({ kind: "shopper", id });
    if (!res) return showSignIn(false);
    const s = { token: res.token, expires_at: res.expires_at, id };
    session.save(s);
    await enter(s);
  });
});

$("token-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const s = { token: $("token-input").value.trim(), id: $("token-customer").value.trim() };
  session.save(s);
  enter(s);
});

function signOut() {
  setBasket(null);
  session.clear();
  localStorage.removeItem(basketKey());
  state.api = null;
  state.me = null;
  showSignIn(!$("demo-form").hidden || true);
}

function basketKey() {
  return "omnibasket.phone.basket." + (state.me?.id || "");
}

async function enter(s) {
  state.api = new Api(s.token);
  state.me = s;
  $("sign-in").hidden = true;
  $("work").hidden = false;
  $("sign-out").hidden = false;
  try {
    const p = pending();
    sessionStorage.removeItem(pendingKey);
    if (p.check_out) {
      const b = await own(state.api.post("/v1/check-outs", { token: p.check_out, channel_id: "web" }, { idempotent: true }));
      setBasket(b);
      announce(t("checkout.done"));
      return;
    }
    let b = await myBasket();
    if (p.location) {
      if (!b || b.status !== "cart") b = await newBasket();
      setBasket(b);
      b = await own(state.api.post(basketPath(b.id, "self-check-in"), { location_id: p.location, tag: p.tag, method: p.via }, { idempotent: true }));
      setBasket(b);
      announce(t("checkin.welcome", { store: place(p.location) }));
      return;
    }
    setBasket(b || (await newBasket()));
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      session.clear();
      return showSignIn(!$("demo-form").hidden);
    }
    fail(e);
    if (!state.basket) setBasket(await myBasket().catch(() => null));
  }
}

/** myBasket finds the shopper's basket: the one this phone last showed,
 * else their newest open cart; null when they have none. */
async function myBasket() {
  const known = localStorage.getItem(basketKey());
  if (known) {
    try {
      return await state.api.get(basketPath(known));
    } catch (e) {
      if (!(e instanceof ApiError) || e.status !== 404) throw e;
    }
  }
  const list = await state.api.get(`/v1/customers/${encodeURIComponent(state.me.id)}/baskets`);
  const ids = (list.basket_ids || []).slice(-5).reverse();
  for (const id of ids) {
    const b = await state.api.get(basketPath(id)).catch(() => null);
    if (b && b.status === "cart") return b;
  }
  return null;
}

function newBasket() {
  return state.api.post("/v1/baskets", { channel_id: "web" }, { idempotent: true });
}

// ---- the basket ----

function setBasket(b) {
  if (state.stopStream && (!b || !state.basket || state.basket.id !== b.id)) {
    state.stopStream();
    state.stopStream = null;
  }
  state.basket = b;
  if (b) localStorage.setItem(basketKey(), b.id);
  if (b && !state.stopStream) {
    state.stopStream = follow(state.api, b.id, (nb) => {
      const before = state.basket;
      if (!before || before.id !== nb.id || nb.version <= before.version) return;
      state.basket = nb;
      render();
      if (ownChange()) return;
      $("live").textContent = t("live.updated", { time: time(nb.updated_at) });
      if (nb.status === "ordered" && before.status !== "ordered") announce(t("pickup.ordered"));
    }, (st, err) => {
      if (st === "stopped" && err) fail(err);
    });
  }
  render();
}

function fillProducts() {
  const sel = $("product");
  if (!state.products) {
    $("product-pick").hidden = true;
    $("sku-pick").hidden = false;
    return;
  }
  sel.replaceChildren(el("option", { value: "" }, t("add.choose")),
    ...state.products.map((p) => el("option", { value: p.sku }, p.name)));
}

function render() {
  const b = state.basket;
  if (!b) return;
  const r = b.result || {};
  $("where").textContent = where(b.context);
  $("where").classList.toggle("in-store", b.context?.kind === "store");
  const priced = new Map((r.lines || []).map((l) => [l.line_id, l]));
  const open = b.status === "cart";
  $("lines").replaceChildren(...b.lines.map((line) => {
    const p = priced.get(line.id) || {};
    const name = line.product?.name || line.sku;
    return el("li", { dataset: { line: line.id } },
      el("div", { class: "pname" }, name),
      el("div", { class: "pline" },
        el("span", {}, t("line.times", { quantity: line.unit ? quantityOf(line.quantity, line.unit) : line.quantity, price: money(p.unit_price) })),
        el("strong", {}, money(p.total))),
      !isZero(p.discount) ? el("div", { class: "saving" }, t("line.saving", { amount: money(p.discount) })) : null,
      open ? el("button", {
        type: "button", class: "link",
        "aria-label": t("line.remove-label", { name }),
        onclick: (e) => guard(e.currentTarget, () => command(state.api.del(basketPath(b.id, "lines", line.id)))),
      }, t("line.remove")) : null);
  }));
  $("lines-empty").hidden = b.lines.length > 0;
  const tot = r.totals || {};
  $("totals").replaceChildren(
    ...(!isZero(tot.discount) ? [el("dt", {}, t("totals.discount")), el("dd", {}, "−" + money(tot.discount))] : []),
    ...(!isZero(tot.fees) ? [el("dt", {}, t("totals.fees")), el("dd", {}, money(tot.fees))] : []),
    el("dt", { class: "grand" }, t("totals.total")), el("dd", { class: "grand", dataset: { total: "total" } }, money(tot.total)));
  // Near misses are advice for a basket still open; an order keeps what it got.
  const promos = (r.promotions || []).filter((p) => open || p.status === "applied")
    .map((p) => [p, promotionSentence(p)]).filter(([, s]) => s);
  $("promos").replaceChildren(...promos.map(([p, s]) => el("li", { class: p.status === "applied" ? "applied" : "near" }, s)));

  // What changed is told in a store: the prices, promotions and stock of
  // the store against the web's (on the web the shopper sees their own
  // changes as they make them).
  const changes = b.context?.kind === "store" ? (r.changes || []).map(changeSentence) : [];
  $("changes-box").hidden = changes.length === 0;
  $("changes").replaceChildren(...changes.map((s) => el("li", {}, s)));

  $("add-box").hidden = !open;
  $("checkin-box").hidden = !open || b.context?.kind === "store";
  const order = b.order;
  $("pickup").hidden = !order;
  if (order) {
    $("pickup-list").replaceChildren(...(order.fulfilment || []).map((f) => el("li", {},
      el("strong", {}, fulfilmentSentence(f)),
      el("div", {}, f.lines.map((l) => `${l.quantity} × ${l.name}`).join(", ")))));
  }
}

/** own awaits a request of this page, counting it as its own doing. */
async function own(promise) {
  state.busy++;
  try {
    return await promise;
  } finally {
    state.busy--;
    state.lastOwn = Date.now();
  }
}

async function command(promise) {
  const b = await own(promise);
  if (b && b.id) {
    state.basket = b;
    render();
  }
  return b;
}

$("add-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const sku = state.products ? $("product").value : $("sku-input").value.trim().toUpperCase();
  const quantity = Number.parseInt($("add-qty").value, 10) || 1;
  if (!sku) return fail(new ApiError("choose-product", 0));
  guard(e.submitter, async () => {
    const b = await command(state.api.post(basketPath(state.basket.id, "lines"), { sku, quantity }, { idempotent: true }));
    const added = b.lines.find((l) => l.sku === sku);
    announce(t("add.done", { name: added?.product?.name || sku }));
    $("add-qty").value = "1";
  });
});

$("show-code").addEventListener("click", (e) => guard(e.currentTarget, async () => {
  const body = { short_code: true };
  if ($("checkin-store").value) body.location_id = $("checkin-store").value;
  const ticket = await state.api.post(basketPath(state.basket.id, "check-in-tickets"), body);
  // The short code first: it works even when the QR code cannot be drawn.
  $("ticket-code").textContent = ticket.short_code || "";
  $("ticket-expiry").textContent = t("checkin.valid-until", { time: time(ticket.expires_at) });
  $("ticket").hidden = false;
  await showQR(state.api, $("ticket-qr"), ticket.token, t("checkin.qr-title"));
}));

$("new-basket").addEventListener("click", (e) => guard(e.currentTarget, async () => {
  setBasket(await newBasket());
  announce(t("pickup.new-basket-done"));
}));

start().catch(fail);
