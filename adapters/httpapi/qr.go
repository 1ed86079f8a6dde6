package httpapi

import (
	"errors"

	"github.com/omnibasket/omnibasket/internal/qrsvg"
)

// QRCode is the body of drawQRCode.
type QRCode struct {
	// Text is what the code holds: a check-out ticket's token, a location
	// tag's URL; 1 to 1024 bytes.
	Text string `json:"text"`
	// Title is the picture's accessible name, which screen readers say
	// ("Scan to take your basket with you"); up to 256 bytes, "QR code"
	// when absent.
	Title string `json:"title,omitempty"`
}

// qrRoutes draw QR codes for the pages: a ticket's token travels in a
// request body to the API that issued it, never in the URL of an image
// (where logs, proxies and Referer headers would keep it).
func (a *API) qrRoutes() []route {
	return []route{
		{method: "POST", path: "/v1/qr", id: "drawQRCode", tag: "handoff",
			summary: "Draw a QR code (SVG)",
			doc: "The QR code of `text` as an SVG document: medium error correction, a four-module quiet zone, black on " +
				"white, sized by its viewBox (in modules) so that the page sizes it, with `role=\"img\"` and `title` as its " +
				"`<title>` for screen readers. Pages insert it inline. The same text always draws the same document.",
			body: &QRCode{}, media: "image/svg+xml",
			serve: func(x *exchange) (any, error) {
				var body QRCode
				if err := x.decode(&body); err != nil {
					return nil, err
				}
				svg, err := qrsvg.Encode(body.Text, qrsvg.WithTitle(body.Title))
				var in *qrsvg.InputError
				switch {
				case errors.As(err, &in) && errors.Is(err, qrsvg.ErrEmpty):
					return nil, &RequestError{In: "body", Field: in.Field, Reason: "must not be empty"}
				case errors.As(err, &in):
					return nil, &RequestError{In: "body", Field: in.Field, Reason: in.Error()}
				case err != nil:
					return nil, err
				}
				return svg, nil
			}},
	}
}
