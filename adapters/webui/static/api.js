// api.js: the omnibasket HTTP API, as the pages call it: a bearer token,
// JSON in and out, and RFC 9457 problems turned into an ApiError that
// carries the problem's kind (the last segment of its type), never its
// English title or detail, which the pages do not show.

/** ApiError is a refused or failed request: kind is the problem kind
 * ("token-expired", "out-of-stock" …), "network" when the server could
 * not be reached, or "http-<status>" for an answer that is not a problem. */
export class ApiError extends Error {
  constructor(kind, status, problem) {
    super(kind);
    this.name = "ApiError";
    this.kind = kind;
    this.status = status;
    this.problem = problem || {};
  }
}

const problemPrefix = "urn:omnibasket:problem:";

/** randomKey returns an Idempotency-Key. crypto.randomUUID needs a secure
 * context (https or localhost); a tablet on the store's network may reach
 * the server over plain http, where getRandomValues still works. */
export function randomKey() {
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

/** Api calls the API with one bearer token. */
export class Api {
  constructor(token) {
    this.token = token || "";
  }

  /** request sends one request. opts.idempotent adds an Idempotency-Key
   * (a retry of the same call would then return the first outcome);
   * opts.accept chooses the answer's type (JSON by default). */
  async request(method, path, body, opts = {}) {
    const headers = { Accept: opts.accept || "application/json" };
    if (this.token) headers.Authorization = "Bearer " + this.token;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (opts.idempotent) headers["Idempotency-Key"] = randomKey();
    let res;
    try {
      res = await fetch(path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        cache: "no-store",
        signal: opts.signal,
      });
    } catch (e) {
      if (e && e.name === "AbortError") throw e;
      throw new ApiError("network", 0);
    }
    const type = res.headers.get("Content-Type") || "";
    if (!res.ok) {
      let problem = {};
      if (type.includes("json")) {
        try {
          problem = await res.json();
        } catch {
          problem = {};
        }
      }
      let kind = problem.kind;
      if (!kind && typeof problem.type === "string" && problem.type.startsWith(problemPrefix)) {
        kind = problem.type.slice(problemPrefix.length);
      }
      throw new ApiError(kind || "http-" + res.status, res.status, problem);
    }
    if (res.status === 204) return null;
    if (type.includes("json")) return res.json();
    return res.text();
  }

  get(path) {
    return this.request("GET", path);
  }

  post(path, body, opts) {
    return this.request("POST", path, body, opts);
  }

  patch(path, body) {
    return this.request("PATCH", path, body, { idempotent: true });
  }

  del(path) {
    return this.request("DELETE", path, undefined, { idempotent: true });
  }

  /** qr returns the SVG of the QR code of text, drawn by the server. */
  qr(text) {
    return this.request("POST", "/v1/qr", { text }, { accept: "image/svg+xml" });
  }
}

/** basketPath is the path of a basket, or of one of its sub-resources. */
export function basketPath(id, ...rest) {
  return ["/v1/baskets", encodeURIComponent(id), ...rest.map(encodeURIComponent)].join("/");
}

/** demoSignIn asks the demo server for a token. It returns null when the
 * server has no demo sign-in (a real token secret): the page then asks
 * for a token to paste. */
export async function demoSignIn(body) {
  try {
    return await new Api().post("/demo/sign-in", body);
  } catch (e) {
    if (e instanceof ApiError && (e.status === 404 || e.status === 405)) return null;
    throw e;
  }
}

/** demoList reads a demo list (stores, products); null without demo mode. */
export async function demoList(name) {
  try {
    return await new Api().get("/demo/" + name);
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return null;
    throw e;
  }
}
