// tablet.js: the store associate's page. Everything it does is a call of
// the public API with the associate's bearer token.

import { Api, ApiError, basketPath, demoList, demoSignIn } from "./api.js";
import { follow } from "./stream.js";
import { t, translate, switcher, money, isZero, time, dateTime, lang } from "./i18n.js";
import { changeSentence, promotionSentence, fulfilmentSentence, knowPlaces, knowProducts, modeName, place, where, quantityOf, shortSentence } from "./words.js";
import { $, el, announce, fail, guard, Session, showQR, slug, signedInAs } from "./common.js";

const session = new Session("tablet");
const refreshEvery = 4000; // the arrivals list, in ms

const state = {
  api: null,
  me: null, // {id, name, location_id}
  basket: null,
  stopStream: null,
  arrivalsTimer: 0,
  arrivals: [],
  busy: 0, // commands of this page in flight
  lastOwn: 0, // when the last one ended (ms)
};

/** ownChange reports whether a basket the stream brings is most likely
 * this page's own doing (a command in flight or just answered): only
 * changes made elsewhere, on the shopper's phone, are announced. */
function ownChange() {
  return state.busy > 0 || Date.now() - state.lastOwn < 1500;
}

// ---- sign-in ----

async function start() {
  translate(document);
  $("bar-tools").prepend(switcher());
  $("sign-out").addEventListener("click", signOut);
  document.addEventListener("langchange", renderAll);
  const stores = await demoList("stores").catch(() => null);
  if (stores) knowPlaces([...(stores.places || []), ...stores.stores]);
  const s = session.load();
  if (s) return enter(s);
  showSignIn(stores);
}

function showSignIn(stores) {
  $("work").hidden = true;
  $("sign-in").hidden = false;
  $("sign-out").hidden = true;
  $("who").textContent = "";
  if (stores && stores.stores && stores.stores.length) {
    const sel = $("store-select");
    sel.replaceChildren(...stores.stores.map((s) => el("option", { value: s.location_id }, s.name || s.location_id)));
    $("demo-form").hidden = false;
    $("token-form").hidden = true;
    $("associate-name").focus();
  } else {
    $("demo-form").hidden = true;
    $("token-form").hidden = false;
    $("token-store").focus();
  }
}

$("demo-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const name = $("associate-name").value.trim();
  const id = slug(name);
  if (!id) return;
  guard(e.submitter, async () => {
    const res = await demoSignIn({ kind: "associate", id, location_id: $("store-select").value });
    if (!res) return showSignIn(null);
    const s = { token: res.token, expires_at: res.expires_at, id, name, location_id: $("store-select").value };
    session.save(s);
    enter(s);
  });
});

$("token-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const s = { token: $("token-input").value.trim(), id: "", name: "", location_id: $("token-store").value.trim() };
  session.save(s);
  enter(s);
});

function enter(s) {
  state.api = new Api(s.token);
  state.me = s;
  $("sign-in").hidden = true;
  $("work").hidden = false;
  $("sign-out").hidden = false;
  $("who").textContent = signedInAs(s.name || s.id || "") + " · " + place(s.location_id);
  refreshArrivals();
  state.arrivalsTimer = setInterval(refreshArrivals, refreshEvery);
  if (!("BarcodeDetector" in window) || !navigator.mediaDevices) $("camera-start").hidden = true;
  else $("camera-start").hidden = false;
  announce(t("signin.welcome", { store: place(s.location_id) }));
}

function signOut() {
  clearInterval(state.arrivalsTimer);
  setBasket(null);
  session.clear();
  state.api = null;
  state.me = null;
  demoList("stores").then(showSignIn, () => showSignIn(null));
}

// ---- arrivals ----

async function refreshArrivals() {
  if (!state.api) return;
  try {
    const res = await state.api.get(`/v1/locations/${encodeURIComponent(state.me.location_id)}/arrivals`);
    state.arrivals = res.arrivals || [];
    renderArrivals();
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return signOut();
    // The list refreshes again in a few seconds; a passing failure is not
    // worth an alert.
  }
}

function renderArrivals() {
  const ul = $("arrivals");
  const items = state.arrivals.map((a) => {
    const who = a.customer_id || t("arrivals.anonymous");
    const facts = [
      t("arrivals.at", { time: time(a.arrived_at) }),
      t(`method.${a.method}`),
      t("arrivals.lines", { count: a.lines }),
      a.total ? money(a.total) : "",
      a.placed_at ? t(Date.parse(a.placed_at) <= Date.parse(a.arrived_at) ? "arrivals.collect" : "arrivals.ordered") : "",
    ].filter(Boolean).join(" · ");
    const opened = a.opened_by ? t("arrivals.opened-by", { name: a.opened_by }) : "";
    const current = state.basket && state.basket.id === a.basket_id;
    return el("li", { class: current ? "current" : "", dataset: { basket: a.basket_id } },
      el("div", { class: "arrival-who" }, who),
      el("div", { class: "muted" }, facts),
      opened && el("div", { class: "muted" }, opened),
      el("button", {
        type: "button",
        class: a.opened_by ? "" : "primary",
        "aria-label": t("arrivals.open-label", { name: who }),
        onclick: (e) => guard(e.currentTarget, () => openArrival(a.basket_id)),
      }, t(a.opened_by ? "arrivals.show" : "arrivals.open")));
  });
  ul.replaceChildren(...items);
  $("arrivals-empty").hidden = items.length > 0;
}

async function openArrival(id) {
  const b = await state.api.post(basketPath(id, "arrival", "open"), undefined, { idempotent: true });
  setBasket(b);
  announce(t("arrivals.opened", { name: b.owner?.customer_id || t("arrivals.anonymous") }));
  refreshArrivals();
}

// ---- check-in by the shopper's code ----

const shortCode = /^[A-Z0-9]{3}-?[A-Z0-9]{3}-?[A-Z0-9]{3}$/;

async function checkIn(text, method) {
  const v = text.trim();
  const code = v.toUpperCase().replace(/\s+/g, "");
  const body = shortCode.test(code)
    ? { short_code: code.replace(/^(...)-?(...)-?(...)$/, "$1-$2-$3"), method: "short-code" }
    : { token: v, method };
  const b = await state.api.post("/v1/check-ins", body, { idempotent: true });
  setBasket(b);
  announce(t("scan.done", { name: b.owner?.customer_id || t("arrivals.anonymous") }));
}

$("code-form").addEventListener("submit", (e) => {
  e.preventDefault();
  guard(e.submitter, async () => {
    await checkIn($("code-input").value, "qr");
    $("code-input").value = "";
  });
});

let cameraStop = null;
$("camera-start").addEventListener("click", async () => {
  if (cameraStop) return cameraStop();
  const video = $("camera");
  try {
    const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
    const detector = new BarcodeDetector({ formats: ["qr_code"] });
    video.srcObject = stream;
    video.hidden = false;
    await video.play();
    $("camera-start").textContent = t("scan.camera-stop");
    let running = true;
    cameraStop = () => {
      running = false;
      stream.getTracks().forEach((tr) => tr.stop());
      video.hidden = true;
      cameraStop = null;
      $("camera-start").textContent = t("scan.camera");
    };
    while (running) {
      const codes = await detector.detect(video).catch(() => []);
      if (codes.length) {
        const value = codes[0].rawValue;
        cameraStop();
        await guard(null, () => checkIn(value, "qr"));
        return;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  } catch (e) {
    fail(new ApiError("camera", 0));
  }
});

// ---- the basket ----

function setBasket(b) {
  if (state.stopStream && (!b || !state.basket || state.basket.id !== b.id)) {
    state.stopStream();
    state.stopStream = null;
  }
  state.basket = b;
  if (b && !state.stopStream) {
    state.stopStream = follow(state.api, b.id, (nb) => {
      const before = state.basket;
      if (!before || before.id !== nb.id || nb.version <= before.version) return;
      state.basket = nb;
      renderBasket();
      if (!ownChange()) $("live").textContent = t("live.updated", { time: time(nb.updated_at) });
    }, (s, err) => {
      if (s !== "stopped" || !state.basket || !err) return;
      if (err instanceof ApiError && err.kind === "not-found") leftStore();
      else fail(err);
    });
  }
  renderBasket();
  renderHistory();
  renderArrivals();
}

// leftStore closes a basket the store may no longer serve: the shopper
// took it back to the web (the check-out code was scanned), or the
// check-in's grant ended. The associate is told why, calmly: nothing failed.
function leftStore() {
  const dlg = $("qr-dialog");
  if (dlg.open) dlg.close();
  if (state.stopStream) state.stopStream();
  state.stopStream = null;
  state.basket = null;
  renderAll();
  announce(t("basket.left"));
}

function renderAll() {
  renderArrivals();
  renderBasket();
  renderHistory();
  if (state.me) $("who").textContent = signedInAs(state.me.name || state.me.id || "") + " · " + place(state.me.location_id);
}

function renderBasket() {
  const b = state.basket;
  $("basket-none").hidden = !!b;
  $("basket-body").hidden = !b;
  if (!b) {
    $("changes").replaceChildren();
    $("promos").replaceChildren();
    $("read-aloud").hidden = true;
    return;
  }
  const r = b.result || {};
  knowProducts(b.lines);
  const who = b.owner?.customer_id
    ? t("basket.customer", { name: b.owner.customer_id })
    : t("basket.anonymous");
  $("basket-who").textContent = [who, b.status === "cart" ? "" : t(`status.${b.status}`), where(b.context)].filter(Boolean).join(" · ");
  const priced = new Map((r.lines || []).map((l) => [l.line_id, l]));
  const ordered = b.status !== "cart" && b.status !== "quote" && b.status !== "wishlist";
  const modes = b.context?.fulfilment_modes || [];
  $("lines-body").replaceChildren(...b.lines.map((line) => {
    const p = priced.get(line.id) || {};
    const name = line.product?.name || line.sku;
    const planned = p.fulfilment?.allocations?.[0]?.mode;
    const chosen = line.fulfilment || planned || "";
    const select = el("select", {
      "aria-label": t("line.fulfilment-label", { name }),
      disabled: ordered,
      onchange: (e) => guard(e.currentTarget, () => changeLine(line.id, { fulfilment: e.currentTarget.value })),
    }, ...modes.map((m) => el("option", { value: m, selected: m === chosen }, modeName(m))));
    const qty = el("input", {
      type: "number", min: "1", max: "999", value: String(line.quantity), inputmode: "numeric", class: "qty",
      "aria-label": t("line.quantity-label", { name }),
      disabled: ordered || !!line.unit,
      onchange: (e) => {
        const n = Number.parseInt(e.currentTarget.value, 10);
        if (Number.isInteger(n) && n > 0) guard(e.currentTarget, () => changeLine(line.id, { quantity: n }));
      },
    });
    const source = (p.fulfilment?.allocations || [])
      .filter((a) => a.location_id !== b.context?.location_id)
      .map((a) => t("line.from", { store: place(a.location_id) }));
    const short = p.fulfilment?.short ? t("line.short", { count: p.fulfilment.short }) : "";
    return el("tr", { dataset: { line: line.id } },
      el("td", {},
        el("div", { class: "pname" }, name),
        el("div", { class: "muted" }, el("span", { class: "sku" }, line.sku), " · ",
          p.priced === false ? t("line.no-price") : t("line.each", { price: money(p.unit_price) })),
        source.length ? el("div", { class: "muted" }, source.join(", ")) : null,
        short && el("div", { class: "warn" }, short)),
      el("td", {}, line.unit ? quantityOf(line.quantity, line.unit) : qty),
      el("td", {}, select),
      el("td", { class: "num" }, money(p.total), !isZero(p.discount) ? el("div", { class: "saving" }, "−" + money(p.discount)) : null),
      el("td", {}, ordered ? null : el("button", {
        type: "button", class: "icon",
        "aria-label": t("line.remove-label", { name }),
        onclick: (e) => guard(e.currentTarget, () => removeLine(line.id)),
      }, "✕")));
  }));
  const tot = r.totals || {};
  const rows = [
    ["totals.subtotal", tot.subtotal],
    !isZero(tot.discount) && ["totals.discount", tot.discount, "−"],
    !isZero(tot.fees) && ["totals.fees", tot.fees],
    ["totals.total", tot.total],
  ].filter(Boolean);
  $("totals").replaceChildren(...rows.flatMap(([k, m, sign]) => [
    el("dt", { class: k === "totals.total" ? "grand" : "" }, t(k)),
    el("dd", { class: k === "totals.total" ? "grand" : "", dataset: { total: k.slice(7) } }, (sign || "") + money(m)),
  ]), el("dt", { class: "muted" }, t("totals.tax")), el("dd", { class: "muted" }, money(tot.tax)));

  const sentences = (r.changes || []).map(changeSentence);
  $("changes").replaceChildren(...sentences.map((s) => el("li", {}, s)));
  $("changes-none").hidden = sentences.length > 0;
  $("read-aloud").hidden = sentences.length === 0 || !("speechSynthesis" in window);
  // Near misses are advice for a basket still open; an order keeps what it got.
  const promos = (r.promotions || []).filter((p) => !ordered || p.status === "applied")
    .map((p) => [p, promotionSentence(p)]).filter(([, s]) => s);
  $("promos").replaceChildren(...promos.map(([p, s]) => el("li", { class: p.status === "applied" ? "applied" : "near" }, s)));
  if (promos.length === 0) $("promos").append(el("li", { class: "muted" }, t("promos.none")));

  for (const id of ["add-form", "coupon-form"]) $(id).hidden = ordered;
  for (const id of ["reserve", "place-order", "hand-back"]) $(id).hidden = ordered;
  const order = b.order;
  $("order").hidden = !order;
  if (order) {
    const names = new Map(b.lines.map((l) => [l.id, l.product?.name || l.sku]));
    $("order-list").replaceChildren(...(order.fulfilment || []).map((f) => el("li", {},
      el("strong", {}, fulfilmentSentence(f)),
      el("div", { class: "muted" }, f.lines.map((l) => `${l.quantity} × ${l.name || names.get(l.line_id)}`).join(", ")))));
  }
}

async function command(promise) {
  state.busy++;
  let b;
  try {
    b = await promise;
  } finally {
    state.busy--;
    state.lastOwn = Date.now();
  }
  if (b && b.id) {
    state.basket = b;
    renderBasket();
  }
  return b;
}

function changeLine(lineId, body) {
  return command(state.api.patch(basketPath(state.basket.id, "lines", lineId), body));
}

function removeLine(lineId) {
  return command(state.api.del(basketPath(state.basket.id, "lines", lineId)));
}

$("add-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const code = $("add-code").value.trim();
  const quantity = Number.parseInt($("add-qty").value, 10) || 1;
  guard(e.submitter, async () => {
    const id = state.basket.id;
    let b;
    if (/^\d{8,14}$/.test(code)) {
      b = await command(state.api.post(basketPath(id, "scans"), { code }, { idempotent: true }));
      for (let i = 1; i < quantity; i++) b = await command(state.api.post(basketPath(id, "scans"), { code }, { idempotent: true }));
    } else {
      b = await command(state.api.post(basketPath(id, "lines"), { sku: code.toUpperCase(), quantity }, { idempotent: true }));
    }
    $("add-code").value = "";
    $("add-qty").value = "1";
    const added = b.lines[b.lines.length - 1];
    announce(t("add.done", { name: added?.product?.name || code }));
    $("add-code").focus();
  });
});

$("coupon-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const code = $("coupon-code").value.trim().toUpperCase();
  guard(e.submitter, async () => {
    await command(state.api.post(basketPath(state.basket.id, "coupons"), { code }, { idempotent: true }));
    $("coupon-code").value = "";
    announce(t("coupon.done", { code }));
  });
});

/** orderly runs a reservation or an order; refused as not orderable, it
 * says which lines are short, from the basket's own plan. */
async function orderly(button, action) {
  await guard(button, async () => {
    try {
      await action();
    } catch (e) {
      const short = e instanceof ApiError && e.kind === "not-orderable" ? shortSentence(state.basket) : null;
      if (!short) throw e;
      fail(e);
      $("status").textContent = short;
    }
  });
}

$("reserve").addEventListener("click", (e) => orderly(e.currentTarget, async () => {
  const until = new Date(Date.now() + 2 * 3600 * 1000).toISOString();
  await command(state.api.post(basketPath(state.basket.id, "holds"), { until }, { idempotent: true }));
  announce(t("action.reserved", { time: time(until) }));
}));

$("place-order").addEventListener("click", (e) => orderly(e.currentTarget, async () => {
  await command(state.api.post(basketPath(state.basket.id, "order"), undefined, { idempotent: true }));
  announce(t("order.done"));
}));

$("hand-back").addEventListener("click", (e) => guard(e.currentTarget, async () => {
  const ticket = await state.api.post(basketPath(state.basket.id, "check-out-tickets"), {});
  const url = new URL("phone.html", location.href);
  url.search = new URLSearchParams({ check_out: ticket.token }).toString();
  await openQR({
    heading: t("handback.title"),
    text: url.toString(),
    title: t("handback.qr-title"),
    caption: t("handback.caption", { time: time(ticket.expires_at) }),
  });
}));

// ---- walk-in customers ----

$("new-basket").addEventListener("click", (e) => guard(e.currentTarget, async () => {
  const anon = "walk-in-" + Date.now().toString(36);
  const b = await state.api.post("/v1/baskets", { owner: { anonymous_id: anon }, location_id: state.me.location_id }, { idempotent: true });
  setBasket(b);
  announce(t("tools.new-basket-done"));
  $("add-code").focus();
}));

// ---- the store's check-in poster ----

$("show-poster").addEventListener("click", (e) => guard(e.currentTarget, async () => {
  const loc = state.me.location_id;
  const tag = await state.api.get(`/v1/locations/${encodeURIComponent(loc)}/tag`);
  const url = new URL("phone.html", location.href);
  url.search = new URLSearchParams({ location: tag.location_id || loc, tag: tag.tag }).toString();
  await openQR({
    heading: t("poster.title", { store: place(loc) }),
    text: url.toString(),
    title: t("poster.qr-title", { store: place(loc) }),
    caption: t("poster.caption", { until: dateTime(tag.expires_at) }),
    showURL: true,
    printable: true,
  });
}));

// ---- the customer's history ----

async function renderHistory() {
  const ul = $("history");
  const b = state.basket;
  const customer = b?.owner?.customer_id;
  if (!customer) {
    ul.replaceChildren(el("li", { class: "muted" }, t(b ? "history.anonymous" : "history.none")));
    return;
  }
  try {
    const view = await state.api.get(`/v1/customers/${encodeURIComponent(customer)}/view?limit=10`);
    if (state.basket?.owner?.customer_id !== customer) return;
    const entries = (view.entries || []).filter((x) => x.basket_id !== b.id);
    if (!entries.length) return ul.replaceChildren(el("li", { class: "muted" }, t("history.empty")));
    ul.replaceChildren(...entries.map((x) => el("li", {},
      el("div", {}, t(`status.${x.status}`), " · ", money(x.total)),
      el("div", { class: "muted" }, [channelName(x), t("arrivals.lines", { count: x.lines }), dateTime(x.updated_at)].join(" · ")))));
  } catch (e) {
    ul.replaceChildren(el("li", { class: "muted" }, t("history.unavailable")));
  }
}

function channelName(x) {
  if (x.location_id && x.channel_id !== "web") return place(x.location_id);
  return t("where.web");
}

// ---- the QR dialog ----

async function openQR({ heading, text, title, caption, showURL, printable }) {
  const dlg = $("qr-dialog");
  $("qr-h").textContent = heading;
  $("qr-caption").textContent = caption;
  $("qr-url").textContent = showURL ? text : "";
  $("qr-print").hidden = !printable;
  dlg.classList.toggle("poster", !!printable);
  await showQR(state.api, $("qr-box"), text, title);
  dlg.showModal();
}

$("qr-close").addEventListener("click", () => $("qr-dialog").close());
$("qr-print").addEventListener("click", () => window.print());

$("read-aloud").addEventListener("click", () => {
  const text = [...$("changes").children].map((li) => li.textContent).join(". ");
  const u = new SpeechSynthesisUtterance(text);
  u.lang = lang() === "fr" ? "fr-FR" : "en-GB";
  speechSynthesis.cancel();
  speechSynthesis.speak(u);
});

start().catch(fail);
