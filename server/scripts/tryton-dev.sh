#!/usr/bin/env bash
# A local Tryton for SETTLE_ERP=tryton (docs/tryton.md): creates a SQLite database in DIR (default
# .settle/tryton), activates account_invoice, seeds it with server/tryton/seed.py on first run, and
# serves JSON-RPC on 127.0.0.1:PORT (default 8000) until interrupted. Needs Debian's tryton-server,
# tryton-proteus and tryton-modules-account-invoice (apt), run with Debian's own python3.
set -euo pipefail

DIR="${1:-.settle/tryton}"
PORT="${2:-8000}"
DB="${SETTLE_TRYTON_DB:-settle}"
PASSWORD="${SETTLE_TRYTON_PASSWORD:-admin}"
PYTHON="${SETTLE_TRYTON_PYTHON:-/usr/bin/python3}"
SEED="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/tryton/seed.py"

mkdir -p "$DIR"
DIR="$(cd "$DIR" && pwd)"
cat >"$DIR/trytond.conf" <<CONF
[database]
uri = sqlite://
path = $DIR

[web]
listen = 127.0.0.1:$PORT
CONF

if [[ ! -s "$DIR/$DB.sqlite" ]]; then
  printf '%s\n' "$PASSWORD" >"$DIR/admin-password"
  touch "$DIR/$DB.sqlite"
  echo "initialising Tryton database $DB in $DIR"
  TRYTONPASSFILE="$DIR/admin-password" "$PYTHON" /usr/bin/trytond-admin -c "$DIR/trytond.conf" -d "$DB" --all \
    -u account_invoice account_payment account_statement --activate-dependencies --email admin@example.com
  "$PYTHON" "$SEED" -c "$DIR/trytond.conf" -d "$DB" | tee "$DIR/seed.json"
fi

echo "Tryton serves http://127.0.0.1:$PORT/$DB/ (user admin, password in $DIR/admin-password)"
echo "Settle: SETTLE_ERP=tryton SETTLE_TRYTON_URL=http://127.0.0.1:$PORT/$DB/ SETTLE_TRYTON_USER=admin SETTLE_TRYTON_PASSWORD=$PASSWORD pnpm start"
exec "$PYTHON" /usr/bin/trytond -c "$DIR/trytond.conf"
