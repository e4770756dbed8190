#!/usr/bin/env bash
# PostgreSQL for the benchmarks, as .ci/run prepares it for the tests: start the local server if it is
# installed but not running, and make sure the role named in the benchmark URL exists and may create
# databases (bench/generate.py drops and re-creates its own database).
set -euo pipefail
url="${1:?usage: bench/postgres.sh postgres://ROLE@127.0.0.1:5432/perfgoals_bench}"
role=$(printf '%s' "$url" | sed -E 's#^postgres(ql)?://([^:@/]+).*#\2#')
if ! command -v pg_isready >/dev/null 2>&1; then
  echo "PostgreSQL is not installed (pg_isready not found): the PostgreSQL benchmarks cannot run." >&2
  exit 1
fi
if ! pg_isready -h 127.0.0.1 -p 5432 -q; then
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  echo "starting PostgreSQL $version"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
fi
admin_psql() { psql -h 127.0.0.1 -U postgres -d postgres -v ON_ERROR_STOP=1 -tAc "$1"; }
[ "$(admin_psql "SELECT 1 FROM pg_roles WHERE rolname = '$role'")" = "1" ] || admin_psql "CREATE ROLE \"$role\" LOGIN CREATEDB"
