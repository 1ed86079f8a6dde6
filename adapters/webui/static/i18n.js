// i18n.js: French and English. The language is the one chosen with the
// page's switch (remembered in localStorage), else the browser's first
// language the pages know, else English. Sentences are looked up by key
// in messages.json; "{name}" placeholders are filled from params.

const messages = await (await fetch(new URL("messages.json", import.meta.url))).json();

/** languages the pages speak, in the order of the switch. */
export const languages = ["fr", "en"];
const storageKey = "omnibasket.lang";

function pick() {
  const stored = localStorage.getItem(storageKey);
  if (languages.includes(stored)) return stored;
  for (const l of navigator.languages || [navigator.language || ""]) {
    const base = String(l).toLowerCase().split("-")[0];
    if (languages.includes(base)) return base;
  }
  return "en";
}

let current = pick();

/** locale is the browser's own tag for the page's language (en-GB, fr-CA
 * …), for dates and numbers as the person is used to them. */
function locale() {
  for (const l of navigator.languages || [navigator.language || ""]) {
    if (String(l).toLowerCase().split("-")[0] === current) return l;
  }
  return current;
}
document.documentElement.lang = current;

/** lang is the page's language. */
export function lang() {
  return current;
}

/** setLang switches the page's language, remembers it, translates the
 * static texts and tells listeners (event "langchange" on document) to
 * render the rest again. */
export function setLang(l) {
  if (!languages.includes(l)) return;
  current = l;
  localStorage.setItem(storageKey, l);
  document.documentElement.lang = l;
  translate(document);
  document.dispatchEvent(new CustomEvent("langchange", { detail: l }));
}

/** has reports whether key has a sentence. */
export function has(key) {
  return Object.hasOwn(messages[current], key) || Object.hasOwn(messages.en, key);
}

/** t returns the sentence of key in the page's language, with params. */
export function t(key, params = {}) {
  let s = messages[current][key] ?? messages.en[key];
  if (s === undefined) {
    console.warn("i18n: no sentence for", key);
    return key;
  }
  return s.replace(/\{(\w+)\}/g, (m, name) => (name in params ? String(params[name]) : m));
}

/** translate fills the elements of root marked data-i18n (text),
 * data-i18n-placeholder, data-i18n-label (aria-label) and data-i18n-title. */
export function translate(root) {
  for (const e of root.querySelectorAll("[data-i18n]")) e.textContent = t(e.dataset.i18n);
  for (const e of root.querySelectorAll("[data-i18n-placeholder]")) e.placeholder = t(e.dataset.i18nPlaceholder);
  for (const e of root.querySelectorAll("[data-i18n-label]")) e.setAttribute("aria-label", t(e.dataset.i18nLabel));
  for (const e of root.querySelectorAll("[data-i18n-title]")) e.title = t(e.dataset.i18nTitle);
}

/** money formats an API amount ({"amount": "12.50", "currency": "EUR"})
 * in the page's language. The decimal string goes to Intl as it is:
 * browsers format it exactly, with no float arithmetic. */
export function money(m) {
  if (!m || m.amount === undefined) return "";
  try {
    return new Intl.NumberFormat(locale(), { style: "currency", currency: m.currency }).format(m.amount);
  } catch {
    return m.amount + " " + m.currency;
  }
}

/** isZero reports whether an API amount is zero, from its digits. */
export function isZero(m) {
  return !m || !/[1-9]/.test(m.amount);
}

/** time formats an RFC 3339 time as the hour of the day. */
export function time(s) {
  if (!s) return "";
  return new Intl.DateTimeFormat(locale(), { hour: "2-digit", minute: "2-digit" }).format(new Date(s));
}

/** dateTime formats an RFC 3339 time as a day and an hour. */
export function dateTime(s) {
  if (!s) return "";
  return new Intl.DateTimeFormat(locale(), { weekday: "long", day: "numeric", month: "long", hour: "2-digit", minute: "2-digit" }).format(new Date(s));
}

/** list joins words as the language does ("a, b et c"). */
export function list(items) {
  return new Intl.ListFormat(current, { style: "long", type: "conjunction" }).format(items);
}

/** switcher returns buttons that switch the language, for the header. */
export function switcher() {
  const nav = document.createElement("div");
  nav.className = "lang-switch";
  nav.setAttribute("role", "group");
  nav.dataset.i18nLabel = "lang.switch";
  nav.setAttribute("aria-label", t("lang.switch"));
  for (const l of languages) {
    const b = document.createElement("button");
    b.type = "button";
    b.lang = l;
    b.textContent = l.toUpperCase();
    b.setAttribute("aria-label", messages[l]["lang.name"]);
    b.setAttribute("aria-pressed", String(l === current));
    b.addEventListener("click", () => setLang(l));
    nav.append(b);
  }
  document.addEventListener("langchange", () => {
    for (const b of nav.querySelectorAll("button")) b.setAttribute("aria-pressed", String(b.lang === current));
  });
  return nav;
}
