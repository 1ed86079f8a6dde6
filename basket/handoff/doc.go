// Package handoff issues and redeems the signed, single-use tokens that hand
// a basket over between channels: the QR code or NFC tag a shopper shows at
// a store's door or till, and the short code ("K7M-4QX-9TD") a shopper reads
// aloud to a sales associate.
//
// A token says: this basket, for this purpose (check-in or check-out), at
// this location (or any location of this retailer), until this time. It is a
// compact binary payload (version byte, purpose, key ID, basket ID, 96-bit
// random nonce, issue and expiry times, audience) followed by 128 bits of
// HMAC-SHA-256, in unpadded URL-safe base64: 112 characters for a typical
// store, at most [MaxTokenLen]. The version byte pins the algorithm; keys are
// rotated by key ID through a [KeyRing].
//
// A signature alone does not make a token single use: [Service.Redeem]
// verifies the token and then consumes its nonce in a [ReplayStore], so that
// it succeeds once however many times, or however concurrently, the token
// is presented.
//
//	ring, err := handoff.NewKeyRing(handoff.Key{ID: "2026-11", Secret: handoff.NewSecret(secret)})
//	svc, err := handoff.New(handoff.Config{Keys: ring, Replay: memory.NewReplayStore(clk), Clock: clk})
//
//	// On the phone: a QR code for the basket, valid 15 minutes at one store.
//	token, claims, err := svc.Issue(handoff.Request{
//		Basket:   basketID,
//		Purpose:  handoff.CheckIn,
//		Audience: handoff.Audience{Retailer: "acme", Location: "store-paris-01"},
//		TTL:      15 * time.Minute,
//	})
//	code, err := svc.IssueShortCode(ctx, claims) // the same grant, to read aloud
//
//	// At the store: scan the QR code (or type the code) and take the basket.
//	claims, err = svc.Redeem(ctx, token, handoff.Expectation{
//		Purpose: handoff.CheckIn, Retailer: "acme", Location: "store-paris-01",
//	})
//
// The same keys, clock and replay store sign and consume approvals: a
// manager's single-use consent to one exact change of one basket (an
// associate's price override above their limit), bound to a digest of
// that change, so that it approves nothing else:
//
//	token, _, err := svc.IssueApproval(handoff.ApprovalRequest{
//		Basket: basketID, Audience: handoff.Audience{Retailer: "acme", Location: "store-paris-01"},
//		Approver: "mgr-7", Digest: sha256.Sum256(change), TTL: 5 * time.Minute,
//	})
//	claims, err := svc.RedeemApproval(ctx, token, handoff.ApprovalExpectation{
//		Retailer: "acme", Location: "store-paris-01", Basket: basketID, Digest: sha256.Sum256(change),
//	})
//
// The reverse direction is a location tag: the store posts a signed code
// for one location (a printed QR code, an NFC tag holding a URL), rotated
// on a schedule, and the shopper's phone presents it to check its basket
// in. A tag is no bearer grant: it names no basket, [Service.RedeemTag]
// counts the attempts of the basket it is presented for, and the caller
// authorises the shopper's session:
//
//	tag, claims, err := svc.LocationTag(handoff.Audience{Retailer: "acme", Location: "store-paris-01"})
//	claims, err = svc.RedeemTag(ctx, tag, basketID, handoff.TagExpectation{Retailer: "acme", Location: "store-paris-01"})
//
// Live short codes with each location's failed guesses, and the tag
// attempts of each basket, are kept in a [CodeStore] and an [AttemptStore]
// ([Config.Codes], [Config.TagAttempts]): the Service's own memory by
// default, or stores that several instances share (adapters/postgres), so
// that a code issued on one instance is redeemed on another, once, and the
// attempt limits hold across instances. The Service passes its clock's
// time to every call, so a shared store never judges time by its own.
//
// Every refusal is a sentinel matchable with [errors.Is] ([ErrMalformed],
// [ErrExpired], [ErrAlreadyUsed], …), and all of them match [ErrRejected].
// Times come from the injected [clock.Clock], randomness from the injected
// [io.Reader]; the package holds no global state.
package handoff
