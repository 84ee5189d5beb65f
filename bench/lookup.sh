#!/usr/bin/env bash
# Lookup by code at a million products (docs/benchmarks.md, "Lookup by
# code"): the database's own time for the lookup statement through pgbench,
# then the HTTP endpoint through aforrobench-lookup, each at 1 and 16
# clients. Needs a database seeded with
#   aforrod seed --products 1000000 --stores 100
# named by AFORRO_DATABASE_URL (default: the aforro database).
set -euo pipefail
seconds=${1:-15}
url=${AFORRO_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/aforro?sslmode=disable}
cd "$(dirname "$0")/.."
psql -X -q "$url" <<'SQL'
DROP TABLE IF EXISTS lookup_bench_codes;
CREATE UNLOGGED TABLE lookup_bench_codes AS
SELECT row_number() OVER () AS n, barcodes[1] AS code, barcode_keys[1] AS key
  FROM (SELECT barcodes, barcode_keys FROM products WHERE cardinality(barcodes) > 0 ORDER BY random() LIMIT 100000) s;
CREATE UNIQUE INDEX ON lookup_bench_codes (n);
ANALYZE lookup_bench_codes;
SQL
for c in 1 16; do
	echo "== pgbench, $c clients"
	pgbench -n -M prepared -r -c "$c" -j "$c" -T "$seconds" -f bench/lookup.pgbench "$url" |
		grep -E 'tps|latency average|^ +[0-9.]+ +[0-9]+ +SELECT p\.'
done
psql -X -q "$url" -c 'DROP TABLE lookup_bench_codes'
echo "== HTTP"
go run ./cmd/aforrobench-lookup --database-url "$url" --clients 1,16 --duration "${seconds}s"
