// Package csv loads price lists, stock levels and promotions from the CSV
// exports of an ERP, exactly (decimals are read from the text, never
// through floats) and in constant memory when streamed. Import it under
// another name than encoding/csv:
//
//	import erpcsv "github.com/omnibasket/omnibasket/adapters/csv"
//
//	prices, err := erpcsv.LoadPrices(ctx, f, erpcsv.Options{File: "prices.csv"})
//	book, err := pricing.NewPriceBook(prices)
//	err = erpcsv.ForEachStock(ctx, f, erpcsv.Options{File: "stock.csv"}, func(l stock.Level) error { … })
//
// Each kind of file has a streaming call ([ForEachPrice], [ForEachStock],
// [ForEachPromotion]) that hands over one valid row at a time, and a
// loader ([LoadPrices], [LoadStock], [LoadPromotions]) that returns a
// slice and also checks rows against each other, so that
// pricing.NewPriceBook, stock.NewLevels and promotion.Compile accept what
// it returns.
//
// # The dialect
//
// Encoding: UTF-8, with or without a byte-order mark; other code pages
// (Windows-1252 …) must be converted first and are refused row by row.
//
// Separator: ',' or ';' (or tab), detected from the header line unless
// [Options.Comma] sets it. Quoting follows RFC 4180 (encoding/csv).
//
// Header: the first line names the columns, in any order; names compare
// case-insensitively, with spaces and hyphens read as underscores ("Unit
// Price" is unit_price), and [Options.ColumnNames] maps other names
// ("Prix unitaire") onto the dialect's. A required column must be
// present; a column the dialect does not define is refused unless
// [Options.IgnoreUnknownColumns] (then it is ignored); a column given
// twice is refused.
//
// Values: surrounding spaces are trimmed; rows whose fields are all empty
// are skipped; a row must have as many fields as the header. An empty
// optional value means "not set".
//
//   - Numbers: the decimal mark is ',' when the separator is ';' (French
//     exports: 12,50) and '.' otherwise, unless [Options.DecimalMark] says
//     otherwise; the other mark is refused, and there are no thousands
//     separators. With ',' as both separator and mark, decimals must be
//     quoted ("12,50"). Amounts are exact and may not have more decimals
//     than their currency (12.505 EUR is refused, never rounded), except
//     unit prices, which take up to 6 (0.0125 EUR a screw; a 7th non-zero
//     decimal is refused).
//     Quantities are whole; a zero fraction is accepted (12,000 in a
//     semicolon file is 12).
//     Percentages are in percent: 10 or 12,5 or 10 %.
//   - Dates: 2026-11-23, 2026-11-23 09:00[:05], 2026-11-23T09:00[:05], or
//     RFC 3339 with an offset; without an offset they are in
//     [Options.Location] (UTC by default). [Options.DateLayouts] adds
//     forms such as 02/01/2006. Times are returned in UTC.
//   - Yes/no: true, yes, y, 1, x, oui / false, no, n, 0, non, or empty.
//   - Lists: values separated by '|' ("lighting|textiles"), no empty entry.
//   - Names of kinds compare like headers, ignoring case, '-', '_' and
//     spaces: "Percent Off", "percent_off" and "percent-off" are one effect.
//
// # Prices
//
//	sku*  list*  currency*  unit_price*  price_per  min_quantity  customer_group  valid_from  valid_until
//
// One row per price-list entry (pricing.Price). unit_price has up to 6
// decimals; price_per (empty or 1…1,000,000,000) says how many units it
// prices (12.50 per 1,000 screws); the line amount is rounded once.
// min_quantity is the tier
// threshold (empty, 0 or 1: the base price); customer_group restricts the
// entry to a group; the window is [valid_from, valid_until). A French
// export:
//
//	sku;list;currency;unit_price;min_quantity;customer_group;valid_from;valid_until
//	LAMP-ARC;store;EUR;159,00;;;;
//	CANDLE-TEA;store;EUR;6,50;6;;;
//	MUG-STONE;store;EUR;12,00;;members;2026-11-01;2027-01-01
//
// # Stock
//
//	sku*  location*  on_hand*  reserved  next_arrival
//
// One row per SKU × location (stock.Level); counts are whole and not
// negative. A pair that has no row is unknown, which is not the same as a
// row with on_hand 0.
//
//	sku,location,on_hand,reserved,next_arrival
//	LAMP-ARC,lyon-bellecour,1,,
//	LAMP-ARC,wh-venissieux,0,,2026-11-30T08:00:00Z
//
// # Promotions
//
// One row per promotion.Promotion; every effect of the promotion engine
// is covered. Columns (* required):
//
//	id*               the promotion ID
//	name              what an associate reads aloud (default: id)
//	effect*           percent-off, amount-off, fixed-price, basket-percent-off,
//	                  basket-amount-off, buy-x-get-y, bundle-price, tiered, fee-discount
//	lane              catalogue, basket or fulfilment; default catalogue for
//	                  percent-off, amount-off and fixed-price, fulfilment for
//	                  fee-discount, basket otherwise
//	currency          of every amount of the row; required when one is given
//	channels, kinds, locations, customer_groups, loyalty_tiers
//	                  scope lists (kinds: web, app, store, kiosk, call-centre, marketplace)
//	starts_at, ends_at  validity window [starts_at, ends_at)
//	coupon            code that must be in the wallet
//	min_subtotal      spend threshold (an amount)
//	min_quantity, quantity_skus, quantity_categories
//	                  minimum units of the SKUs or categories listed
//	skus, categories  the effect's target lines; skus "*" alone means every line
//	percent           percent-off, basket-percent-off, buy-x-get-y (100 = free),
//	                  fee-discount
//	amount            amount-off, fixed-price, basket-amount-off, bundle-price,
//	                  fee-discount
//	buy, get, pick    buy-x-get-y: for every buy+get units, get are discounted;
//	                  pick is cheapest (default) or most-expensive
//	components        bundle-price: TARGET:QUANTITY|…, a target being "*" or
//	                  sku=A,B or category=c,d, or both joined by '+'
//	tiers             tiered: THRESHOLD:AMOUNT|THRESHOLD:PERCENT%|…
//	fee_modes         fee-discount: carry-out, click-collect, ship-to-address,
//	                  ship-from-store, transfer (empty: every fee)
//	priority          whole number, higher first
//	exclusive         yes/no
//	best_of_group     name of a group of alternatives
//	max_applications  cap on applications (0 or empty: none)
//
// SKUs and categories cannot contain '|' (nor, inside components, ',',
// ':', '+' or '='). A sample file with every effect:
//
//	id,name,effect,currency,kinds,skus,categories,percent,amount,buy,get,components,tiers,fee_modes,min_subtotal,coupon
//	LIGHT-5,5 % off lighting online,percent-off,,web,,lighting,5,,,,,,,,
//	MUG-2,2.00 off each mug,amount-off,EUR,,MUG-STONE,,,2.00,,,,,,,
//	BULB-5,Bulbs at 5.00,fixed-price,EUR,,BULB-E27,,,5.00,,,,,,,
//	WELCOME10,10 % with WELCOME10,basket-percent-off,,web,*,,10,,,,,,,,WELCOME10
//	SPEND-150,15.00 off from 150.00,basket-amount-off,EUR,,*,,,15.00,,,,,,150.00,
//	CANDLES-3FOR2,Third candle free,buy-x-get-y,,store,,candles,100,,2,1,,,,,
//	TEA-TIME,Teapot and two teas for 69.00,bundle-price,EUR,,,,,69.00,,,"sku=TEAPOT-CAST:1|sku=TEA-EARL,TEA-GREEN:2",,,,
//	SPEND-MORE,Spend more save more,tiered,EUR,,*,,,,,,,100.00:10.00|200.00:25.00,,,
//	FREE-SHIP-80,Free delivery from 80.00,fee-discount,EUR,web,,,100,,,,,,ship-to-address|ship-from-store,80.00,
//
// Every row is also checked by promotion.Compile's rules, and a problem is
// reported against the column it comes from.
//
// # Errors
//
// Each problem is a [*RowError] with the file name, line, column and
// reason; a load returns them in a [*LoadError] (errors.As reaches both;
// both match [ErrInvalid]). By default the first bad row stops the load
// and the loaders return no data: nothing is ever half-loaded.
// [Options.MaxErrors] lets reading go on to collect up to that many bad
// rows, and [Options.SkipInvalidRows] makes the loaders return the valid
// rows with the list of skipped ones. A broken header or broken CSV
// quoting always stops reading. The streaming calls have delivered the
// rows before a problem; a caller who needs all or nothing stages them.
//
// A reason quotes a bad value as a short escaped excerpt: at most 32
// runes, %q-escaped, and when cut followed by "…" and the value's length
// in bytes, so that a 10 MB bad cell gives an error of a line, not of
// 10 MB:
//
//	stock.csv:2: column on_hand: "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"… (10485760 bytes) is not a whole number
//
// # Large files
//
// The streaming calls use encoding/csv with ReuseRecord and keep nothing
// per row, so memory does not grow with the file (a million-row stock
// file streams in a few MiB of heap); [Options.Progress] reports rows and
// bytes read. They check ctx between rows. The loaders hold what they
// return, plus a set of keys for the checks across rows.
package csv
