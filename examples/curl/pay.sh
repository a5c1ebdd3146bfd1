#!/usr/bin/env bash
# Pays two invoices end to end against a running Settle server, with curl and jq only:
# one invoice in full, one short-paid with a reason, a credit memo applied, the sandbox card.
# Then checks the ERP's open items dropped by exactly what was applied, that a retried
# request does not charge twice, and that a declined card changes nothing.
#
#   SETTLE_API_URL=http://localhost:8787 SETTLE_SECRET_KEY=sk_test_... bash examples/curl/pay.sh
#
# Against a server with SETTLE_PROCESSOR=stripe, also set STRIPE_API_URL (Stripe's API, or the
# offline double) and STRIPE_SECRET_KEY (a test key): the payment methods are then made with
# Stripe's own test helper (POST /v1/test_helpers/confirmation_tokens, as Stripe.js would in the
# browser) instead of Settle's sandbox tokens, and two ACH debits are paid too: one the signed
# webhook settles, one the bank takes back after it settled, which reverses its ERP posting
# (each waits up to STRIPE_ACH_WAIT_SECONDS, 120 by default).
#
# Exits non-zero on the first failure.
set -euo pipefail

: "${SETTLE_API_URL:?Set SETTLE_API_URL, e.g. http://localhost:8787}"
: "${SETTLE_SECRET_KEY:?Set SETTLE_SECRET_KEY to the key the server printed}"
CUSTOMER_ID=${SETTLE_CUSTOMER_ID:-cus_acme}
API=${SETTLE_API_URL%/}

fail() { echo "FAIL: $*" >&2; exit 1; }
step() { printf '\n== %s\n' "$*"; }

# call METHOD PATH TOKEN [JSON] [extra curl args...]: prints the body, fails on a non-2xx answer.
call() {
  local method=$1 path=$2 token=$3 body=${4:-}
  shift 4 || shift $#
  local args=(-sS -X "$method" -H "Authorization: Bearer $token" -w '\n%{http_code}')
  [ -n "$body" ] && args+=(-H 'Content-Type: application/json' --data-binary "$body")
  local out code
  out=$(curl "${args[@]}" "$@" "$API$path") || fail "$method $path: could not connect to $API"
  code=${out##*$'\n'}
  out=${out%$'\n'*}
  [[ $code == 2* ]] || fail "$method $path answered $code: $out"
  printf '%s' "$out"
}
merchant() { call "$1" "$2" "$SETTLE_SECRET_KEY" "${3:-}"; }
browser() { call "$1" "$2" "$CLIENT_TOKEN" "${3:-}" "${@:4}"; }
STRIPE=${STRIPE_API_URL:+stripe}
if [ -n "$STRIPE" ]; then
  : "${STRIPE_SECRET_KEY:?Set STRIPE_SECRET_KEY (a sk_test_ key) with STRIPE_API_URL}"
  [[ $STRIPE_SECRET_KEY == sk_test_* ]] || fail "STRIPE_SECRET_KEY must be a test key (sk_test_...)"
fi

# A ConfirmationToken from Stripe's test helper: stripe_token pm_card_visa, or stripe_token bank ACCOUNT.
stripe_token() {
  local args=(-sS -u "$STRIPE_SECRET_KEY:" -w '\n%{http_code}')
  if [ "$1" = bank ]; then
    args+=(-d 'payment_method_data[type]=us_bank_account'
      -d 'payment_method_data[us_bank_account][routing_number]=110000000'
      -d "payment_method_data[us_bank_account][account_number]=$2"
      -d 'payment_method_data[us_bank_account][account_holder_type]=company'
      -d 'payment_method_data[us_bank_account][account_type]=checking'
      -d 'payment_method_data[billing_details][name]=Accounts Payable')
  else
    args+=(-d "payment_method=$1")
  fi
  local out code
  out=$(curl "${args[@]}" "${STRIPE_API_URL%/}/v1/test_helpers/confirmation_tokens") || fail "could not reach $STRIPE_API_URL"
  code=${out##*$'\n'}
  out=${out%$'\n'*}
  [[ $code == 2* ]] || fail "Stripe test helper answered $code: $out"
  jq -r .id <<<"$out"
}

money() { jq -rn --argjson c "$1" '($c / 100 | floor | tostring) + "." + ($c % 100 | tostring | if length < 2 then "0" + . else . end)'; }

step "Mint a session for $CUSTOMER_ID (merchant backend, secret key)"
SESSION=$(merchant POST /v1/sessions "{\"customerId\":\"$CUSTOMER_ID\"}")
CLIENT_TOKEN=$(jq -r .clientToken <<<"$SESSION")
echo "session $(jq -r .id <<<"$SESSION"), expires $(jq -r .expiresAt <<<"$SESSION")"

step "Read it (browser, client token)"
VIEW=$(browser GET /v1/session)
CURRENCY=$(jq -r .currency <<<"$VIEW")
jq -r '"\(.customer.name): \(.invoices | length) open invoices, \(.credits | length) credit memos in \(.currency)"' <<<"$VIEW"
# The two oldest invoices nothing else is paying, and the largest open credit.
read -r INV_A INV_B < <(jq -r '[.invoices[] | select(.openAmount - .pendingAmount > 1000)] | sort_by(.dueDate) | "\(.[0].id) \(.[1].id)"' <<<"$VIEW")
CREDIT=$(jq -r '[.credits[] | select(.openAmount - .pendingAmount > 0)] | max_by(.openAmount - .pendingAmount) | .id' <<<"$VIEW")
[ "$INV_A" != null ] && [ "$INV_B" != null ] && [ "$CREDIT" != null ] || fail "customer needs two open invoices and a credit memo"
payable() { jq -r --arg id "$1" '(.invoices + .credits)[] | select(.id == $id) | .openAmount - .pendingAmount' <<<"$VIEW"; }
A_PAY=$(payable "$INV_A"); B_PAY=$(payable "$INV_B"); C_OPEN=$(payable "$CREDIT")
B_SHORT=$((B_PAY / 10))          # short-pay a tenth of invoice B: damaged goods
B_AMOUNT=$((B_PAY - B_SHORT))
CREDIT_USE=$(( C_OPEN < A_PAY ? C_OPEN : A_PAY ))
echo "pay $INV_A in full ($(money "$A_PAY")), $INV_B short by $(money "$B_SHORT"), apply $(money "$CREDIT_USE") of $CREDIT"

PROPOSAL=$(jq -nc --arg a "$INV_A" --arg b "$INV_B" --arg c "$CREDIT" \
  --argjson pa "$A_PAY" --argjson pb "$B_AMOUNT" --argjson cu "$CREDIT_USE" '{
  method: "card",
  allocations: [
    { invoiceId: $a, amount: $pa },
    { invoiceId: $b, amount: $pb, reasonCode: "damaged_goods", note: "3 cartons crushed in transit" }
  ],
  credits: [ { creditId: $c, amount: $cu } ]
}')

step "Quote it (no card yet: the surcharge a credit card would carry is shown as a rate)"
QUOTE=$(browser POST /v1/session/quote "$PROPOSAL")
jq -r '"invoices \(.invoiceTotal)  credits -\(.creditTotal)  subtotal \(.subtotal)  surcharge: \(.surcharge.status) at \(.surcharge.rateBps) bps"' <<<"$QUOTE"

BEFORE=$(merchant GET "/v1/customers/$CUSTOMER_ID/open-items")

if [ -n "$STRIPE" ]; then
  step "Make a Stripe ConfirmationToken for the Visa credit test card (Stripe.js does this in the browser)"
  TOKEN=$(stripe_token pm_card_visa)
else
  step "Enter the sandbox card 4242 4242 4242 4242 (sent only to the sandbox's tokenizer)"
  TOKEN=$(browser POST /v1/sandbox/tokens '{"type":"card","number":"4242424242424242","expMonth":12,"expYear":2034,"cvc":"123"}' | jq -r .id)
fi
echo "token $TOKEN"
QUOTE=$(browser POST /v1/session/quote "$(jq -c --arg t "$TOKEN" '. + {paymentMethodToken: $t}' <<<"$PROPOSAL")")
TOTAL=$(jq -r .total <<<"$QUOTE")
jq -r '"credit card: surcharge \(.surcharge.amount) (\(.surcharge.rateBps) bps), total \(.total) minor units"' <<<"$QUOTE"

step "Pay (Idempotency-Key makes a retry safe)"
KEY="curl-$(date +%s)-$RANDOM"
PAY_BODY=$(jq -c --arg t "$TOKEN" --argjson total "$TOTAL" '. + {paymentMethodToken: $t, expectedTotal: $total}' <<<"$PROPOSAL")
PAYMENT=$(browser POST /v1/session/payments "$PAY_BODY" -H "Idempotency-Key: $KEY")
PAYMENT_ID=$(jq -r .id <<<"$PAYMENT")
STATUS=$(jq -r .status <<<"$PAYMENT")
echo "payment $PAYMENT_ID: $STATUS, charged $(money "$(jq -r .amount <<<"$PAYMENT")") $CURRENCY"
[ "$STATUS" = succeeded ] || fail "expected succeeded, got $STATUS"
[ -z "$STRIPE" ] || echo "PaymentIntent $(jq -r .processor.intentId <<<"$PAYMENT")"

step "Send the same request again: same payment, no second charge"
AGAIN=$(browser POST /v1/session/payments "$PAY_BODY" -H "Idempotency-Key: $KEY")
[ "$(jq -r .id <<<"$AGAIN")" = "$PAYMENT_ID" ] || fail "a retried request created another payment"
COUNT=$(merchant GET "/v1/payments?customerId=$CUSTOMER_ID&limit=100" | jq --arg k "$PAYMENT_ID" '[.data[] | select(.id == $k)] | length')
[ "$COUNT" = 1 ] || fail "payment listed $COUNT times"
echo "same payment $PAYMENT_ID returned"

step "Wait for the ERP posting (durable outbox)"
for _ in $(seq 1 50); do
  ERP=$(browser GET "/v1/session/payments/$PAYMENT_ID" | jq -r .erpStatus)
  [ "$ERP" = posted ] && break
  sleep 0.2
done
[ "$ERP" = posted ] || fail "payment not posted to the ERP (erpStatus $ERP)"
AFTER=$(merchant GET "/v1/customers/$CUSTOMER_ID/open-items")
open_of() { jq -r --arg id "$2" '[(.invoices + .credits)[] | select(.id == $id) | .openAmount] | first // 0' <<<"$1"; }
CREDIT_ON_A=$(jq -r --arg a "$INV_A" '[.credits[].applications[] | select(.invoiceId == $a) | .amount] | add // 0' <<<"$PAYMENT")
CREDIT_ON_B=$(jq -r --arg b "$INV_B" '[.credits[].applications[] | select(.invoiceId == $b) | .amount] | add // 0' <<<"$PAYMENT")
check() { # name before after expected-drop
  local drop=$(($2 - $3))
  printf '%-12s %12s -> %12s  dropped %12s (expected %s)\n' "$1" "$(money "$2")" "$(money "$3")" "$(money "$drop")" "$(money "$4")"
  [ "$drop" = "$4" ] || fail "$1 dropped by $drop, expected $4"
}
check "$INV_A" "$(open_of "$BEFORE" "$INV_A")" "$(open_of "$AFTER" "$INV_A")" "$A_PAY"
# The short-paid rest is recorded as a deduction with its reason, so B closes too.
check "$INV_B" "$(open_of "$BEFORE" "$INV_B")" "$(open_of "$AFTER" "$INV_B")" "$((B_AMOUNT + B_SHORT))"
check "$CREDIT" "$(open_of "$BEFORE" "$CREDIT")" "$(open_of "$AFTER" "$CREDIT")" "$((CREDIT_ON_A + CREDIT_ON_B))"

step "A declined card (4000 0000 0000 0002) changes no balance"
VIEW=$(browser GET /v1/session)
INV_C=$(jq -r '[.invoices[] | select(.openAmount - .pendingAmount > 0)] | sort_by(.dueDate) | .[0].id' <<<"$VIEW")
[ "$INV_C" != null ] || fail "no open invoice left for the decline check"
C_PAY=$(payable "$INV_C")
if [ -n "$STRIPE" ]; then
  BAD=$(stripe_token pm_card_chargeDeclined)
else
  BAD=$(browser POST /v1/sandbox/tokens '{"type":"card","number":"4000000000000002","expMonth":12,"expYear":2034,"cvc":"123"}' | jq -r .id)
fi
BEFORE=$(merchant GET "/v1/customers/$CUSTOMER_ID/open-items")
DECLINE_BODY=$(jq -nc --arg i "$INV_C" --argjson p "$C_PAY" --arg t "$BAD" '{method:"card",allocations:[{invoiceId:$i,amount:$p}],paymentMethodToken:$t}')
# A credit card carries a surcharge, so the total the payer accepted goes with the payment.
DECLINE_TOTAL=$(browser POST /v1/session/quote "$DECLINE_BODY" | jq .total)
DECLINED=$(browser POST /v1/session/payments "$(jq -c --argjson t "$DECLINE_TOTAL" '. + {expectedTotal: $t}' <<<"$DECLINE_BODY")" \
  -H "Idempotency-Key: curl-decline-$(date +%s)-$RANDOM")
jq -r '"status \(.status): \(.failure.message)"' <<<"$DECLINED"
[ "$(jq -r .status <<<"$DECLINED")" = failed ] || fail "declined card did not fail"
AFTER=$(merchant GET "/v1/customers/$CUSTOMER_ID/open-items")
[ "$(jq -S '[.invoices[], .credits[]] | map({id, openAmount, pendingAmount})' <<<"$BEFORE")" = \
  "$(jq -S '[.invoices[], .credits[]] | map({id, openAmount, pendingAmount})' <<<"$AFTER")" ] || fail "a declined card changed a balance"
echo "balances unchanged"

if [ -n "$STRIPE" ]; then
  step "Pay the next open invoice by ACH debit (Stripe test account 000123456789, a company account)"
  VIEW=$(browser GET /v1/session)
  INV_D=$(jq -r '[.invoices[] | select(.openAmount - .pendingAmount > 0)] | sort_by(.dueDate) | .[0].id' <<<"$VIEW")
  [ "$INV_D" != null ] || fail "no open invoice left for the ACH payment"
  D_PAY=$(payable "$INV_D")
  BANK=$(stripe_token bank 000123456789)
  ACH=$(browser POST /v1/session/payments \
    "$(jq -nc --arg i "$INV_D" --argjson p "$D_PAY" --arg t "$BANK" '{method:"ach_debit",allocations:[{invoiceId:$i,amount:$p}],paymentMethodToken:$t}')" \
    -H "Idempotency-Key: curl-ach-$(date +%s)-$RANDOM")
  ACH_ID=$(jq -r .id <<<"$ACH")
  echo "payment $ACH_ID: $(jq -r .status <<<"$ACH"), PaymentIntent $(jq -r .processor.intentId <<<"$ACH")"
  [ "$(jq -r .status <<<"$ACH")" = processing ] || fail "expected the ACH debit to be processing"
  echo "waiting for the bank (Stripe's signed webhook)..."
  # The merchant API reads the stored state only (the payer's view also asks Stripe), so a
  # succeeded seen here came through the signed webhook.
  wait_for() { # wait_for PAYMENT_ID STATUS/ERP_STATUS
    for _ in $(seq 1 $((${STRIPE_ACH_WAIT_SECONDS:-120} * 5))); do
      NOW=$(merchant GET "/v1/payments/$1")
      [ "$(jq -r '.status + "/" + .erpStatus' <<<"$NOW")" = "$2" ] && return 0
      sleep 0.2
    done
    fail "payment $1 is $(jq -r '.status + "/" + .erpStatus' <<<"$NOW"), expected $2"
  }
  wait_for "$ACH_ID" succeeded/posted
  echo "ACH debit succeeded and posted ($(jq -r '[.events[] | select(.kind == "status" and .to == "succeeded")][0].cause' <<<"$NOW"))"

  step "An ACH debit that fails after it succeeded (Stripe test account 000555555559) reverses its ERP posting"
  VIEW=$(browser GET /v1/session)
  INV_E=$(jq -r '[.invoices[] | select(.openAmount - .pendingAmount > 0)] | sort_by(.dueDate) | .[0].id' <<<"$VIEW")
  [ "$INV_E" != null ] || fail "no open invoice left for the ACH return"
  E_PAY=$(payable "$INV_E")
  BEFORE=$(merchant GET "/v1/customers/$CUSTOMER_ID/open-items")
  BANK=$(stripe_token bank 000555555559)
  RET=$(browser POST /v1/session/payments \
    "$(jq -nc --arg i "$INV_E" --argjson p "$E_PAY" --arg t "$BANK" '{method:"ach_debit",allocations:[{invoiceId:$i,amount:$p}],paymentMethodToken:$t}')" \
    -H "Idempotency-Key: curl-ach-return-$(date +%s)-$RANDOM")
  RET_ID=$(jq -r .id <<<"$RET")
  echo "payment $RET_ID: $(jq -r .status <<<"$RET"); the bank settles it, then takes it back (a dispute at Stripe)"
  wait_for "$RET_ID" reversed/reversed
  AFTER=$(merchant GET "/v1/customers/$CUSTOMER_ID/open-items")
  [ "$(open_of "$BEFORE" "$INV_E")" = "$(open_of "$AFTER" "$INV_E")" ] ||
    fail "$INV_E is open $(open_of "$AFTER" "$INV_E") after the reversal, was $(open_of "$BEFORE" "$INV_E")"
  echo "ACH return reversed the ERP posting: $INV_E open $(open_of "$AFTER" "$INV_E") again"
fi

printf '\nOK: paid, posted exactly once, balances reduced exactly; decline changed nothing.\n'
