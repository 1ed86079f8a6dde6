package handoff

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"time"
	"unicode/utf8"
)

// Wire format, version 1 (all integers big-endian):
//
//	offset  size  field
//	0       1     version = 0x01 (pins HMAC-SHA-256, truncated to 16 bytes)
//	1       1     purpose (1 CheckIn, 2 CheckOut)
//	2       1     k = len(key ID), 1..16
//	3       k     key ID
//	        16    basket ID (UUID bytes)
//	        12    nonce
//	        5     issued at, Unix seconds
//	        5     expires at, Unix seconds
//	        1     r = len(retailer), 1..32
//	        r     retailer
//	        1     l = len(location), 0..32 (0: any location of the retailer)
//	        l     location
//	        16    MAC = HMAC-SHA-256(secret, "omnibasket/handoff\x00" ‖ all bytes above)[:16]
//
// The whole is encoded with unpadded URL-safe base64 (RFC 4648 §5), strictly:
// every token has exactly one spelling.
const (
	version1 = 0x01

	// NonceLen is the size of a token's random nonce in bytes (96 bits).
	NonceLen = 12
	// MACLen is the size of the truncated HMAC-SHA-256 in bytes (128 bits).
	MACLen = 16
	// MaxRetailerLen is the maximum length of [Audience.Retailer] in bytes.
	MaxRetailerLen = 32
	// MaxLocationLen is the maximum length of [Audience.Location] in bytes.
	MaxLocationLen = 32

	timeLen = 5
	maxUnix = 1<<(8*timeLen) - 1

	minTokenBytes = 1 + 1 + 1 + 1 + 16 + NonceLen + 2*timeLen + 1 + 1 + 1 + MACLen
	maxTokenBytes = 1 + 1 + 1 + MaxKeyIDLen + 16 + NonceLen + 2*timeLen + 1 + MaxRetailerLen + 1 + MaxLocationLen + MACLen

	// MaxTokenLen is the longest token [Service.Issue] can produce, in
	// characters (186: key ID, retailer and location at their maximum
	// lengths).
	// With a 7-character key ID, retailer "acme" and location
	// "store-paris-01" a token is 112 characters, which fits a QR code of
	// version 7 at error-correction level M (122 bytes in byte mode).
	MaxTokenLen = (maxTokenBytes*8 + 5) / 6
	minTokenLen = (minTokenBytes*8 + 5) / 6
)

// macLabel separates this use of a key from any other.
const macLabel = "omnibasket/handoff\x00"

// b64 is the token encoding; like base64.RawURLEncoding it is never modified.
var b64 = base64.RawURLEncoding.Strict()

// wire is a decoded, not yet authenticated token.
type wire struct {
	claims Claims
	signed []byte // the bytes covered by the MAC
	mac    []byte
}

// appendPayload appends the unsigned part of the token for c.
func appendPayload(b []byte, c *Claims) []byte {
	b = append(b, version1, byte(c.Purpose), byte(len(c.KeyID)))
	b = append(b, c.KeyID...)
	b = append(b, c.Basket[:]...)
	b = append(b, c.Nonce[:]...)
	b = appendUnix(b, c.IssuedAt)
	b = appendUnix(b, c.ExpiresAt)
	b = append(b, byte(len(c.Audience.Retailer)))
	b = append(b, c.Audience.Retailer...)
	b = append(b, byte(len(c.Audience.Location)))
	b = append(b, c.Audience.Location...)
	return b
}

func appendUnix(b []byte, t time.Time) []byte {
	var buf [8]byte
	binary.BigEndian.PutUint64(buf[:], uint64(t.Unix()))
	return append(b, buf[8-timeLen:]...)
}

// mac computes the truncated HMAC-SHA-256 of payload under secret.
func mac(secret, payload []byte) []byte {
	h := hmac.New(sha256.New, secret)
	h.Write([]byte(macLabel))
	h.Write(payload)
	return h.Sum(make([]byte, 0, sha256.Size))[:MACLen]
}

// encode signs c with secret and returns the token.
func encode(c *Claims, secret []byte) string {
	b := appendPayload(make([]byte, 0, maxTokenBytes), c)
	b = append(b, mac(secret, b)...)
	return b64.EncodeToString(b)
}

// parse decodes a token's structure. It checks neither key nor MAC.
func parse(token string) (wire, error) {
	if len(token) < minTokenLen || len(token) > MaxTokenLen {
		return wire{}, fmt.Errorf("%w: bad length", ErrMalformed)
	}
	// The standard decoder skips '\r' and '\n'; refuse anything outside the
	// alphabet so that a token has a single spelling.
	for i := 0; i < len(token); i++ {
		if !isB64URL(token[i]) {
			return wire{}, fmt.Errorf("%w: bad character", ErrMalformed)
		}
	}
	raw, err := b64.DecodeString(token)
	if err != nil {
		return wire{}, fmt.Errorf("%w: bad base64", ErrMalformed)
	}
	if len(raw) < minTokenBytes {
		return wire{}, fmt.Errorf("%w: truncated", ErrMalformed)
	}
	if raw[0] != version1 {
		return wire{}, fmt.Errorf("%w: unsupported version", ErrMalformed)
	}
	n := len(raw) - MACLen
	w := wire{signed: raw[:n], mac: raw[n:]}
	r := reader{b: raw[1:n]}
	c := &w.claims
	c.Purpose = Purpose(r.byte())
	c.KeyID = string(r.bytes(int(r.byte())))
	copy(c.Basket[:], r.bytes(16))
	copy(c.Nonce[:], r.bytes(NonceLen))
	c.IssuedAt = r.unix()
	c.ExpiresAt = r.unix()
	c.Audience.Retailer = string(r.bytes(int(r.byte())))
	c.Audience.Location = string(r.bytes(int(r.byte())))
	switch {
	case r.short:
		return wire{}, fmt.Errorf("%w: truncated", ErrMalformed)
	case len(r.b) != 0:
		return wire{}, fmt.Errorf("%w: trailing bytes", ErrMalformed)
	case !c.Purpose.valid(),
		len(c.KeyID) == 0 || len(c.KeyID) > MaxKeyIDLen,
		!c.Audience.valid(),
		!c.ExpiresAt.After(c.IssuedAt):
		return wire{}, fmt.Errorf("%w: bad field", ErrMalformed)
	}
	return w, nil
}

func isB64URL(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_'
}

// reader consumes bytes; reading past the end sets short and yields zeros.
type reader struct {
	b     []byte
	short bool
}

func (r *reader) bytes(n int) []byte {
	if n > len(r.b) {
		r.short, r.b = true, nil
		return nil
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

func (r *reader) byte() byte {
	if v := r.bytes(1); v != nil {
		return v[0]
	}
	return 0
}

func (r *reader) unix() time.Time {
	v := r.bytes(timeLen)
	if v == nil {
		return time.Time{}
	}
	var buf [8]byte
	copy(buf[8-timeLen:], v)
	return time.Unix(int64(binary.BigEndian.Uint64(buf[:])), 0).UTC()
}

// valid reports whether a can be carried in a token.
func (a Audience) valid() bool {
	return len(a.Retailer) > 0 && len(a.Retailer) <= MaxRetailerLen && utf8.ValidString(a.Retailer) &&
		len(a.Location) <= MaxLocationLen && utf8.ValidString(a.Location)
}
