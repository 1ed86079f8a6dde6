// stream.js: a basket followed live. The API's stream is Server-Sent
// Events, read here with fetch() because EventSource cannot send an
// Authorization header. After a cut (network, server restart, proxy
// timeout) it reconnects with Last-Event-ID, so no event is missed.

import { ApiError, basketPath } from "./api.js";

const defaultRetry = 2000;
const maxRetry = 30000;

/** follow calls onBasket with the basket as it now is after each of its
 * changes, and onState with "live", "reconnecting" or ("stopped", error)
 * when the stream cannot go on (no grant any more, signed out). It
 * returns a function that stops following. */
export function follow(api, basketId, onBasket, onState = () => {}) {
  const ctl = new AbortController();
  let lastId = "";
  let retry = defaultRetry;
  let failures = 0;

  async function once() {
    const headers = { Accept: "text/event-stream", Authorization: "Bearer " + api.token };
    if (lastId) headers["Last-Event-ID"] = lastId;
    const res = await fetch(basketPath(basketId, "events", "stream"), { headers, signal: ctl.signal, cache: "no-store" });
    if (!res.ok) {
      let problem = {};
      try {
        problem = await res.json();
      } catch {
        problem = {};
      }
      throw new ApiError(problem.kind || "http-" + res.status, res.status, problem);
    }
    onState("live");
    failures = 0;
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buf = "";
    let ev = { id: "", event: "", data: [] };
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buf += value;
      let nl;
      while ((nl = buf.search(/\r\n|\r|\n/)) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + (buf.startsWith("\r\n", nl) ? 2 : 1));
        if (line === "") {
          dispatch(ev);
          ev = { id: "", event: "", data: [] };
          continue;
        }
        if (line.startsWith(":")) continue; // a heartbeat
        const colon = line.indexOf(":");
        const field = colon < 0 ? line : line.slice(0, colon);
        let val = colon < 0 ? "" : line.slice(colon + 1);
        if (val.startsWith(" ")) val = val.slice(1);
        if (field === "id") ev.id = val;
        else if (field === "event") ev.event = val;
        else if (field === "data") ev.data.push(val);
        else if (field === "retry" && /^\d+$/.test(val)) retry = Math.min(Number(val), maxRetry);
      }
    }
  }

  function dispatch(ev) {
    if (ev.id) lastId = ev.id;
    if (ev.event !== "basket" || ev.data.length === 0) return;
    try {
      onBasket(JSON.parse(ev.data.join("\n")));
    } catch (e) {
      console.warn("stream: unreadable basket", e);
    }
  }

  (async () => {
    while (!ctl.signal.aborted) {
      try {
        await once();
      } catch (e) {
        if (ctl.signal.aborted) return;
        if (e instanceof ApiError && e.status >= 400 && e.status < 500 && e.status !== 408 && e.status !== 429) {
          onState("stopped", e);
          return;
        }
        failures++;
      }
      if (ctl.signal.aborted) return;
      onState("reconnecting");
      const wait = Math.min(retry * Math.max(1, failures), maxRetry);
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  })();

  return () => ctl.abort();
}
