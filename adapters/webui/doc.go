// Package webui is the store associate's tablet page and the shopper's
// phone page: plain HTML, CSS and JavaScript modules embedded in the
// binary, with no build step and no Node toolchain. [Handler] serves them
// under /ui/; cmd/omnibasketd mounts it next to the API.
//
// The pages are clients of the public HTTP API (package httpapi) and of
// nothing else: they hold a bearer token, call /v1/… with fetch, follow a
// basket live over the Server-Sent Events stream (read with fetch, since
// EventSource cannot send an Authorization header) and render the QR
// codes the server draws (POST /v1/qr). They double as the proof that a
// client not written in Go can play the whole journey: a shopper's basket
// filled on the phone, a self check-in by the store's posted tag, the
// associate's arrivals list, the change report read aloud, an order and
// its pickup.
//
//   - /ui/tablet.html, for a 10-inch tablet held in landscape: sign in as
//     an associate of a store, the arrivals list, a shopper's QR scanned
//     with the camera (the browser's BarcodeDetector) or a short code typed,
//     the basket with one fulfilment choice per line, the change report as
//     sentences, promotions with their near misses, the customer's history,
//     items added by SKU or barcode, a coupon, a reservation, the order, a
//     check-out QR code to send the basket back to the shopper's phone, a
//     basket for a walk-in customer, and the store's check-in poster.
//   - /ui/phone.html, for a phone: my basket, my check-in code (QR and short
//     code), what changed in this store and why, the pickup after an order.
//     Opened from the store's tag (?location=…&tag=…) it checks the basket
//     in; opened from a check-out code (?check_out=…) it takes the basket
//     back to the web.
//
// Both speak French and English: the language is the browser's first
// one the pages know, with a switch that is remembered (localStorage).
// Sentences the shopper hears are built from the API's typed fields (a
// change's kind and values, a problem's type), never from its English
// messages; amounts are the API's decimal strings formatted with
// Intl.NumberFormat, never floats.
//
// Every response carries a strict Content-Security-Policy: scripts,
// styles and fetches from the page's own origin only, no inline script or
// style, no framing. A platform that serves the pages from another origin
// than the API must widen connect-src in its own proxy.
//
// How a person signs in is the platform's: in demo mode cmd/omnibasketd
// offers POST /demo/sign-in, which the pages use when it is there;
// otherwise they ask for a bearer token to paste.
package webui
