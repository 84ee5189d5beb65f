#!/usr/bin/env bash
# Order throughput, HTTP versus raw SQL: seeds the bench database, runs the Go
# load driver through aforrod's HTTP server, then the same transaction through
# pgbench, for 1, 16 and 64 clients. Usage: bench/orders.sh [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
url=${AFORRO_BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/aforro_bench?sslmode=disable}

echo "== HTTP (aforrobench: seeds, serves in-process, checks the invariant)"
go run ./cmd/aforrobench --database-url "$url" --duration "${secs}s"

echo "== raw SQL (pgbench -f bench/order.pgbench, prepared statements)"
go run ./cmd/aforrobench --database-url "$url" --clients 1 --duration 1s --scenario hot >/dev/null # reseed
range=$(psql "$url" -Atc "SELECT min(id) || ' ' || max(id) FROM inventory")
hot=$(psql "$url" -Atc "SELECT min(id) FROM inventory WHERE quantity > 0")
for scenario in random hot; do
  if [ "$scenario" = random ]; then lo=${range% *}; hi=${range#* }; else lo=$hot; hi=$hot; fi
  for c in 1 16 64; do
    tps=$(pgbench -n -M prepared -T "$secs" -c "$c" -j 2 -D lo="$lo" -D hi="$hi" -f bench/order.pgbench "$url" 2>/dev/null |
      awk -F'= ' '/^tps/ {split($2, a, " "); print a[1]}')
    printf '%-8s %7d %9.0f tx/s\n' "$scenario" "$c" "$tps"
  done
done
