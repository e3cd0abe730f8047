#!/usr/bin/env bash
# Starts a PostgreSQL server on loopback for the store tests (Debian's package, started here) and
# prints its URL. Exits non-zero when no server can be started; `make test` then fails under CI=true.
set -euo pipefail
PORT=${TRACKSHEET_PG_PORT:-5432}
if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    echo "Installing PostgreSQL (for the store tests)" >&2
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null 2>&1 || { echo "cannot install postgresql" >&2; exit 2; }
  else
    echo "PostgreSQL is missing: sudo apt-get install -y postgresql" >&2; exit 2
  fi
fi
VERSION=$(ls /usr/lib/postgresql | sort -n | tail -1)
if ! pg_lsclusters -h | grep -q "^$VERSION main"; then pg_createcluster "$VERSION" main >/dev/null 2>&1 || true; fi
if ! pg_lsclusters -h | awk -v v="$VERSION" '$1==v && $2=="main" {print $4}' | grep -q online; then
  pg_ctlcluster "$VERSION" main start >&2 || { echo "cannot start PostgreSQL $VERSION" >&2; exit 2; }
fi
PORT=$(pg_lsclusters -h | awk -v v="$VERSION" '$1==v && $2=="main" {print $3}')
as_postgres() { if [ "$(id -un)" = postgres ]; then "$@"; else su postgres -c "$(printf '%q ' "$@")"; fi; }
for i in $(seq 1 30); do as_postgres psql -p "$PORT" -qtAc "select 1" >/dev/null 2>&1 && break; sleep 1; done
as_postgres psql -p "$PORT" -qtAc "select 1 from pg_roles where rolname='tracksheet'" | grep -q 1 \
  || as_postgres psql -p "$PORT" -qc "create role tracksheet login password 'tracksheet' createdb" >&2
as_postgres psql -p "$PORT" -qtAc "select 1 from pg_database where datname='tracksheet_test'" | grep -q 1 \
  || as_postgres psql -p "$PORT" -qc "create database tracksheet_test owner tracksheet" >&2
echo "postgres://tracksheet:tracksheet@127.0.0.1:$PORT/tracksheet_test"
