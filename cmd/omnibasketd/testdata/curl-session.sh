#!/usr/bin/env bash
# A client with no Go: the web-to-store journey against a running
# omnibasketd, with curl alone.
#
#   OMNIBASKET_URL=http://127.0.0.1:8080 \
#   SHOPPER_TOKEN=… ASSOCIATE_TOKEN=… STORE=lyon-bellecour \
#   bash cmd/omnibasketd/testdata/curl-session.sh
#
# The demo server logs a shopper's token and a token for an associate of
# each store at start-up ("DEMO ONLY bearer token"); with a configured
# secret, `omnibasketd token -kind shopper -id ana` prints one.
#
# The shopper opens a basket on the web and adds a lamp, then asks for a
# check-in ticket with a short code for the store; the associate checks
# the basket in at the store by typing the short code, and places the
# order there. Any status other than the expected one stops the script
# with the response, and a non-zero exit.
set -euo pipefail

base=${OMNIBASKET_URL:-http://127.0.0.1:8080}
store=${STORE:-lyon-bellecour}
: "${SHOPPER_TOKEN:?set SHOPPER_TOKEN to the bearer token of a shopper}"
: "${ASSOCIATE_TOKEN:?set ASSOCIATE_TOKEN to a bearer token of an associate of $store}"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# call EXPECTED TOKEN METHOD PATH [JSON]: sends the request, leaves the
# body in $work/body and the headers in $work/headers, and fails unless
# the status is EXPECTED.
call() {
	local want=$1 token=$2 method=$3 path=$4 body=${5:-}
	local args=(--silent --show-error --max-time 10 -X "$method" -o "$work/body" -D "$work/headers"
		-w '%{http_code}' -H "Authorization: Bearer $token" -H 'Accept: application/json')
	if [[ -n $body ]]; then
		args+=(-H 'Content-Type: application/json' --data-binary "$body")
	fi
	local got
	got=$(curl "${args[@]}" "$base$path")
	if [[ $got != "$want" ]]; then
		echo "FAIL: $method $path answered $got, want $want:" >&2
		cat "$work/body" >&2
		echo >&2
		exit 1
	fi
	echo "ok: $method $path → $got"
}

# field NAME: the first string value of "NAME" in the last body (the API
# writes compact JSON, so a line-oriented sed finds it).
field() {
	sed -n 's/.*"'"$1"'":"\([^"]*\)".*/\1/p' "$work/body" | head -n 1
}

# 1. The shopper starts a basket on the web; its address is the Location.
call 201 "$SHOPPER_TOKEN" POST /v1/baskets '{"channel_id":"web"}'
basket=$(sed -n 's#^[Ll]ocation: *\(/v1/baskets/[0-9a-f-]*\).*#\1#p' "$work/headers" | tr -d '\r')
[[ -n $basket ]] || { echo "FAIL: no Location header for the new basket" >&2; exit 1; }
echo "   basket $basket"

# 2. A brass desk lamp, two of them.
call 200 "$SHOPPER_TOKEN" POST "$basket/lines" '{"sku":"LAMP-DESK","quantity":2}'
grep -q '"sku":"LAMP-DESK"' "$work/body" || { echo "FAIL: the basket has no LAMP-DESK line" >&2; exit 1; }

# 3. A check-in ticket for the store, with a short code to read aloud.
call 201 "$SHOPPER_TOKEN" POST "$basket/check-in-tickets" "{\"location_id\":\"$store\",\"short_code\":true}"
code=$(field short_code)
[[ -n $code ]] || { echo "FAIL: the ticket has no short code" >&2; exit 1; }
echo "   short code $code"

# 4. The associate types the code: the basket is checked in and re-priced
# in the store.
call 200 "$ASSOCIATE_TOKEN" POST /v1/check-ins "{\"short_code\":\"$code\",\"method\":\"short-code\"}"
grep -q "\"location_id\":\"$store\"" "$work/body" || { echo "FAIL: the basket is not served at $store" >&2; exit 1; }

# A short code is single use: typed again, it is refused as a problem.
call 422 "$ASSOCIATE_TOKEN" POST /v1/check-ins "{\"short_code\":\"$code\",\"method\":\"short-code\"}"
grep -q '"type":"urn:omnibasket:problem:' "$work/body" || { echo "FAIL: the refusal is not a problem" >&2; exit 1; }

# 5. The associate places the order in the store.
call 200 "$ASSOCIATE_TOKEN" POST "$basket/order"
grep -q '"status":"ordered"' "$work/body" || { echo "FAIL: the basket is not ordered" >&2; exit 1; }

# The shopper sees the order too.
call 200 "$SHOPPER_TOKEN" GET "$basket"
grep -q '"status":"ordered"' "$work/body" || { echo "FAIL: the shopper does not see the order" >&2; exit 1; }
echo "PASS: web basket checked in at $store by short code and ordered, with curl alone"
