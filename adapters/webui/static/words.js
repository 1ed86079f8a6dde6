// words.js: what the API says, as sentences a person reads. Each change
// of a basket's report, each promotion and each refusal is said from its
// typed fields (kind, amounts, names) in the page's language, never from
// the API's English message, title or detail.

import { t, has, money, list, dateTime, lang } from "./i18n.js";

const places = new Map();
const products = new Map();

/** knowProducts records the names of a basket's products by SKU, so that
 * a refusal naming a SKU names the product. */
export function knowProducts(lines) {
  for (const l of lines || []) if (l.product?.name) products.set(l.sku, l.product.name);
}

function productName(sku) {
  return products.get(sku) || sku;
}

/** knowPlaces records the display names of locations ({location_id, name}). */
export function knowPlaces(stores) {
  for (const s of stores || []) if (s.location_id && s.name) places.set(s.location_id, s.name);
}

/** place is a location's display name (its ID when none is known). */
export function place(id) {
  return places.get(id) || id || "";
}

/** modeName names a fulfilment mode ("carry-out" …). */
export function modeName(mode) {
  return has("mode." + mode) ? t(`mode.${mode}`) : mode;
}

/** where says where a basket is served now: online, or at a store. */
export function where(ctx) {
  if (!ctx) return "";
  if (ctx.kind === "store") return t("where.store", { store: place(ctx.location_id) });
  if (ctx.location_id) return t("where.web-collect", { store: place(ctx.location_id) });
  return t("where.web");
}

function unitPrice(m, precise) {
  if (precise && precise.amount) return precise.amount + " " + precise.currency;
  return money(m);
}

/** shift moves the decimal point of a decimal string n places to the
 * right ("0.055", 2 → "5.5"), on the digits, without float arithmetic. */
function shift(s, n) {
  const neg = s.startsWith("-");
  const [i, f = ""] = (neg ? s.slice(1) : s).split(".");
  const digits = f.padEnd(n, "0");
  const int = (i + digits.slice(0, n)).replace(/^0+(?=\d)/, "");
  const frac = digits.slice(n).replace(/0+$/, "");
  return (neg ? "-" : "") + int + (frac ? "." + frac : "");
}

function decimal(s) {
  return new Intl.NumberFormat(lang(), { maximumFractionDigits: 20 }).format(s);
}

/** percent says a rate ("0.055") as a percentage ("5,5" in French). */
export function percent(rate) {
  return decimal(shift(String(rate), 2));
}

/** quantityOf says a quantity: units, or thousandths of a unit of measure
 * for weighed and measured goods (347 with "kg" is "0.347 kg"). */
export function quantityOf(n, unit) {
  if (!unit) return String(n ?? 0);
  return decimal(thousandths(n)) + " " + unit;
}

function thousandths(n) {
  const s = String(Math.abs(n ?? 0)).padStart(4, "0");
  return (n < 0 ? "-" : "") + s.slice(0, -3) + "." + s.slice(-3);
}

function qty(c) {
  return quantityOf(c.quantity, c.unit);
}

/** changeSentence says one entry of result.changes. */
export function changeSentence(c) {
  const p = {
    name: c.name || c.sku || "",
    sku: c.sku || "",
    quantity: qty(c),
    old_quantity: quantityOf(c.old_quantity, c.unit),
    old: c.kind.startsWith("promotion") || c.kind.startsWith("override") || c.kind === "total-changed" || c.kind.startsWith("loyalty")
      ? money(c.old) : unitPrice(c.old, c.old_precise),
    new: c.kind.startsWith("promotion") || c.kind.startsWith("override") || c.kind === "total-changed" || c.kind.startsWith("loyalty")
      ? money(c.new) : unitPrice(c.new, c.new_precise),
    promotion: c.promotion_name || c.promotion_id || "",
    coupon: c.coupon || "",
    old_rate: c.old_rate ? percent(c.old_rate) : "",
    new_rate: c.new_rate ? percent(c.new_rate) : "",
    old_currency: c.old_currency || "",
    new_currency: c.new_currency || "",
    available: quantityOf((c.quantity ?? 0) - (c.missing ?? 0), c.unit),
    missing: String(c.missing ?? 0),
    store: place(c.location_id),
    modes: list((c.new_modes || []).map(modeName)),
    old_modes: list((c.old_modes || []).map(modeName)),
    reason: c.reason || "",
  };
  const key = "change." + c.kind;
  if (!has(key)) return t("change.other", p);
  return t(key, p);
}

/** promotionSentence says a promotion the basket got, or nearly got; null
 * for one that is simply not for this basket (another channel …). */
export function promotionSentence(p) {
  if (p.status === "applied") return t("promo.applied", { name: p.name, amount: money(p.amount) });
  if (p.status === "blocked") return t("promo.blocked", { name: p.name });
  if (!p.gap) return null;
  if (p.gap.quantity) {
    const what = p.gap.sku || p.gap.category || "";
    return t(what ? "promo.gap-quantity-of" : "promo.gap-quantity", { name: p.name, quantity: p.gap.quantity, what });
  }
  if (p.gap.amount && /[1-9]/.test(p.gap.amount.amount)) return t("promo.gap-amount", { name: p.name, amount: money(p.gap.amount) });
  return null;
}

/** problemSentence says why a request was refused, in a sentence a
 * person can act on: by the problem's kind, else by its status. */
export function problemSentence(err) {
  if (!err || !err.kind) return t("problem.unknown");
  if (err.kind === "out-of-stock" && Array.isArray(err.problem.shortages) && err.problem.shortages.length) {
    const parts = err.problem.shortages.map((s) =>
      s.unknown
        ? t("problem.shortage-unknown", { sku: productName(s.sku), store: place(s.location_id) })
        : t("problem.shortage", { sku: productName(s.sku), store: place(s.location_id), available: s.available, requested: s.requested }));
    return t("problem.out-of-stock") + " " + parts.join(" ");
  }
  if (has("problem." + err.kind)) return t(`problem.${err.kind}`);
  if (err.kind === "network") return t("problem.network");
  if (err.status >= 500) return t("problem.server");
  return t("problem.unknown");
}

/** shortSentence says which lines of a priced basket cannot be supplied
 * in full, for a reservation or an order refused as not orderable; null
 * when none is short (the refusal is then about something else). */
export function shortSentence(b) {
  const short = (b?.result?.lines || []).filter((l) => l.fulfilment?.short > 0 || l.fulfilment?.unknown);
  if (!short.length) return null;
  return t("problem.short-lines", {
    lines: list(short.map((l) => t("problem.short-line", {
      name: l.name || productName(l.sku),
      available: l.quantity - l.fulfilment.short,
      quantity: l.quantity,
    }))),
  });
}

/** fulfilmentSentence says one fulfilment order of an order: what, how,
 * where and when. */
export function fulfilmentSentence(f) {
  const p = {
    mode: modeName(f.mode),
    from: place(f.location_id),
    store: place(f.pickup_location_id || f.location_id),
    ready: dateTime(f.ready_at),
    status: has("fstatus." + f.status) ? t(`fstatus.${f.status}`) : f.status,
  };
  if (f.mode === "carry-out") return t("order.carry-out", p);
  if (f.pickup_location_id) return t("order.pickup", p);
  return t("order.ship", p);
}
