// common.js: what both pages share: building elements, the live region,
// the signed-in session, and QR codes drawn by the server.

import { t } from "./i18n.js";
import { problemSentence } from "./words.js";

/** el builds an element: el("button", {type: "button", onclick}, "text"). */
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (k === "class") e.className = v;
    else if (k === "dataset") Object.assign(e.dataset, v);
    else if (k === "text") e.textContent = v;
    else e.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

/** $ finds an element by ID. */
export function $(id) {
  return document.getElementById(id);
}

/** announce says something in the page's live region (screen readers
 * read it; the status bar shows it). */
export function announce(text) {
  const s = $("status");
  s.classList.remove("error");
  s.textContent = text;
}

/** fail shows a refusal as a sentence in the page's language, in the
 * error region (role="alert"), and returns the sentence. */
export function fail(err) {
  if (err && err.name === "AbortError") return "";
  const sentence = problemSentence(err);
  const s = $("status");
  s.classList.add("error");
  s.textContent = sentence;
  if (!(err && err.kind)) console.error(err);
  return sentence;
}

/** guard runs an action, shows its refusal if it fails, and keeps its
 * button disabled meanwhile (a second tap does not send it twice). */
export async function guard(button, action) {
  if (button) button.disabled = true;
  try {
    return await action();
  } catch (e) {
    fail(e);
    return undefined;
  } finally {
    if (button) button.disabled = false;
  }
}

/** Session is the signed-in person of a page, kept in localStorage until
 * the token expires. */
export class Session {
  constructor(page) {
    this.key = "omnibasket.session." + page;
  }

  load() {
    try {
      const s = JSON.parse(localStorage.getItem(this.key) || "null");
      if (s && s.token && (!s.expires_at || Date.parse(s.expires_at) > Date.now())) return s;
    } catch {
      /* an unreadable session is no session */
    }
    this.clear();
    return null;
  }

  save(s) {
    localStorage.setItem(this.key, JSON.stringify(s));
  }

  clear() {
    localStorage.removeItem(this.key);
  }
}

/** showQR draws the QR code of text into box: the server's SVG, parsed
 * as SVG (never as HTML: nothing in it can run) and inserted whole, with
 * its <title> for screen readers. */
export async function showQR(api, box, text, title) {
  box.replaceChildren();
  const svg = await api.qr(text);
  const doc = new DOMParser().parseFromString(svg, "image/svg+xml");
  const root = doc.documentElement;
  if (root.nodeName !== "svg") throw new Error("the QR code is not an SVG");
  const node = document.importNode(root, true);
  node.setAttribute("role", "img");
  let titleEl = node.querySelector("title");
  if (!titleEl) {
    titleEl = document.createElementNS("http://www.w3.org/2000/svg", "title");
    node.prepend(titleEl);
  }
  if (title) titleEl.textContent = title;
  node.classList.add("qr");
  box.append(node);
  box.dataset.text = text;
}

/** slug turns a name into an ID ("Léa Martin" → "lea-martin"). */
export function slug(name) {
  return name
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 64);
}

/** signedInAs says who is signed in, for the header. */
export function signedInAs(name) {
  return t("session.as", { name });
}
