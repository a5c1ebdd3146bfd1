#!/usr/bin/env bash
# Start a throwaway PostgreSQL cluster for tests and local development.
#
#   scripts/start-postgres.sh DIR [PORT]   init DIR (if needed), start the cluster on 127.0.0.1:PORT
#                                          (default 54329) and print its DATABASE_URL on stdout
#   scripts/start-postgres.sh --stop DIR   stop the cluster in DIR (pg_ctl stop -m fast); no-op if not running
#
# DIR is dedicated to the cluster: DIR/data (data directory), DIR/sock (unix socket), DIR/postgres.log.
# The cluster trusts every local connection (user "postgres", no password) and listens only on 127.0.0.1.
# PostgreSQL refuses to run as root, so as root every server command runs as the `postgres` user.
#
# Environment:
#   PG_BIN            directory holding initdb/pg_ctl (default: newest /usr/lib/postgresql/*/bin, then PATH)
#   SETTLE_PG_FAST=1  test mode: initdb --no-sync, fsync/synchronous_commit/full_page_writes off
#
# Exit codes: 0 ok, 1 failure, 2 usage, 3 PostgreSQL is not installed.
# Also used by scripts/vitest-postgres.ts (the vitest globalSetup).
set -euo pipefail

usage() {
  echo "usage: $0 DIR [PORT] | $0 --stop DIR" >&2
  exit 2
}

die() {
  echo "start-postgres: $*" >&2
  exit 1
}

# Newest server binaries: $PG_BIN, /usr/lib/postgresql/<version>/bin (Debian), else initdb on PATH.
find_pg_bin() {
  if [[ -n "${PG_BIN:-}" ]]; then
    [[ -x "$PG_BIN/initdb" && -x "$PG_BIN/pg_ctl" ]] || return 1
    printf '%s\n' "$PG_BIN"
    return 0
  fi
  local candidates=() f
  for f in /usr/lib/postgresql/*/bin/initdb; do
    [[ -x "$f" && -x "${f%/initdb}/pg_ctl" ]] && candidates+=("${f%/initdb}")
  done
  if ((${#candidates[@]} > 0)); then
    printf '%s\n' "${candidates[@]}" | sort -V | tail -n 1
    return 0
  fi
  if f=$(command -v initdb) && [[ -x "$(dirname "$f")/pg_ctl" ]]; then
    dirname "$f"
    return 0
  fi
  return 1
}

IS_ROOT=0
[[ "$(id -u)" == 0 ]] && IS_ROOT=1

# Run a command as the cluster owner: `postgres` when we are root, ourselves otherwise.
as_owner() {
  if ((IS_ROOT)); then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

running_port() {
  sed -n 4p "$1/postmaster.pid" 2>/dev/null || true
}

[[ $# -ge 1 ]] || usage

if [[ "$1" == "--stop" ]]; then
  [[ $# -eq 2 ]] || usage
  data="$2/data"
  [[ -f "$data/postmaster.pid" ]] || exit 0
  bin=$(find_pg_bin) || die "postmaster.pid found in $data but pg_ctl is not installed"
  if as_owner "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    as_owner "$bin/pg_ctl" -D "$data" -m fast -w -t 30 stop >&2
  fi
  exit 0
fi

[[ $# -le 2 ]] || usage
dir=$1
port=${2:-54329}
[[ "$port" =~ ^[0-9]+$ ]] && ((port > 0 && port < 65536)) || die "invalid port: $port"
# The paths end up inside pg_ctl's shell command line (-o), so keep them simple.
[[ "$dir" != *"'"* && "$dir" != *'"'* ]] || die "DIR must not contain quotes: $dir"

if ! bin=$(find_pg_bin); then
  echo "PostgreSQL is needed for the tests: apt-get install -y postgresql (or set TEST_DATABASE_URL)" >&2
  exit 3
fi

mkdir -p "$dir"
dir=$(cd "$dir" && pwd -P)
data="$dir/data"
sock="$dir/sock"
log="$dir/postgres.log"

if ((IS_ROOT)); then
  id -u postgres >/dev/null 2>&1 || die "running as root, but there is no 'postgres' user to own the cluster"
  chown postgres: "$dir"
  as_owner test -w "$dir" -a -x "$dir" ||
    die "the postgres user cannot write to $dir (is a parent directory private to root?)"
fi
as_owner mkdir -p "$data" "$sock"
as_owner chmod 700 "$data"

fast=0
[[ "${SETTLE_PG_FAST:-}" == 1 ]] && fast=1

if [[ ! -f "$data/PG_VERSION" ]]; then
  initdb_args=(-D "$data" -U postgres --auth=trust -E UTF8 --locale=C)
  ((fast)) && initdb_args+=(--no-sync)
  if ! as_owner "$bin/initdb" "${initdb_args[@]}" >"$dir/initdb.log" 2>&1; then
    cat "$dir/initdb.log" >&2
    die "initdb failed (log: $dir/initdb.log)"
  fi
fi

url_for() {
  printf 'postgres://postgres@127.0.0.1:%s/postgres\n' "$1"
}

if as_owner "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
  current=$(running_port "$data")
  if [[ "$current" != "$port" ]]; then
    echo "start-postgres: cluster in $dir is already running on port $current (not $port)" >&2
  else
    echo "start-postgres: cluster in $dir is already running" >&2
  fi
  url_for "${current:-$port}"
  exit 0
fi

opts="-h 127.0.0.1 -p $port -k '$sock'"
((fast)) && opts+=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off"

if ! as_owner "$bin/pg_ctl" -D "$data" -l "$log" -o "$opts" -w -t 60 start >/dev/null 2>&1; then
  echo "start-postgres: could not start PostgreSQL on 127.0.0.1:$port; last lines of $log:" >&2
  tail -n 20 "$log" >&2 || true
  exit 1
fi

url_for "$port"
