#!/usr/bin/env bash
# Read throughput of every list (issue 14) through aforrod's HTTP server:
# ensures the database is migrated and seeded (1,000,000 products, 100
# stores; BENCH_DATASET=dense seeds --dense), places a few thousand orders
# through the API when it has none, serves the current tree on a free port
# (with Redis, --no-jobs), gives BENCH_REORDER_STORE's rows 500 reorder
# points through the API when it has none, then for each list runs wrk at 1
# and 16 connections on its first page and on page 50 (its last page when
# it has fewer), walks every list by cursor (a store's inventory whole, the
# others their first 10,000 rows), times `aforroctl inventory list --all`
# over the store's inventory as JSON lines and CSV (with peak RSS), and runs
# the inventory page's statements through pgbench for comparison. It prints
# a Markdown table for docs/benchmarks.md on stdout; progress goes to stderr.
#
# Usage: bench/reads.sh [seconds]    (make bench-reads [BENCH_DATASET=dense])
# Environment: BENCH_DATASET (big or dense), AFORRO_BENCH_READS_DATABASE_URL
# (default aforro_big or aforro_dense on the local PostgreSQL),
# AFORRO_BENCH_REDIS_URL, BENCH_STORE (the store whose lists are read, 1),
# BENCH_REORDER_STORE (the store given reorder points, 2),
# BENCH_PRODUCTS and BENCH_STORES (the seed's sizes, for trying the script
# on a small database),
# BENCH_WARMUP (unmeasured seconds per list, 1), BENCH_LISTS (an extended
# regular expression: only the lists whose name matches are measured), BENCH_RESEED=1 to replace
# a database whose counts are not the dataset's, BENCH_VACUUM=1 to VACUUM
# (ANALYZE, INDEX_CLEANUP ON) it first: autovacuum is off on the development machine, so a
# seeded table has no visibility map and no scan is index-only, which a
# running system's autovacuum would have changed after the bulk load.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
dataset=${BENCH_DATASET:-big}
nproducts=${BENCH_PRODUCTS:-1000000}
nstores=${BENCH_STORES:-100}
case $dataset in
big) seedflags=(--products "$nproducts" --stores "$nstores") ;;
dense) seedflags=(--products "$nproducts" --stores "$nstores" --dense) ;;
*) echo "bench/reads.sh: BENCH_DATASET is big or dense, not $dataset" >&2; exit 2 ;;
esac
url=${AFORRO_BENCH_READS_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/aforro_$dataset?sslmode=disable}
redis=${AFORRO_BENCH_REDIS_URL:-redis://127.0.0.1:6379/13}
store=${BENCH_STORE:-1}
reorder_store=${BENCH_REORDER_STORE:-2}
warm=${BENCH_WARMUP:-1}

say() { echo "reads.sh: $*" >&2; }
die() { say "$*"; exit 1; }
for tool in go psql pgbench wrk curl jq sha256sum /usr/bin/time; do
  command -v "$tool" >/dev/null || die "$tool is missing (apt-get install -y wrk jq curl postgresql-client-15 postgresql-contrib)"
done

tmp=$(mktemp -d)
srv=
token_id=
cleanup() {
  status=$?
  if [ -n "$srv" ]; then
    kill "$srv" 2>/dev/null || true
    wait "$srv" 2>/dev/null || true
  fi
  if [ "$status" -ne 0 ] && [ -s "$tmp/serve.log" ]; then
    say "the server's last log lines:"
    tail -n 20 "$tmp/serve.log" >&2
  fi
  if [ -n "$token_id" ]; then
    "$tmp/aforrod" token revoke --database-url "$url" "$token_id" >/dev/null 2>&1 || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

commit=$(git log -1 --format='%h %s (%cd)' --date=short)$([ -z "$(git status --porcelain)" ] || echo ', with uncommitted changes')
say "building aforrod and the bench tools from $(git rev-parse --short HEAD)"
go build -o "$tmp/" ./cmd/aforrod ./cmd/aforroctl ./bench/cursorwalk ./bench/placeorders
q() { psql "$url" -v ON_ERROR_STOP=1 -qAtc "$1"; }

# The dataset: reused when its counts are the seed's, seeded when empty.
"$tmp/aforrod" migrate --database-url "$url" >&2
read -r products stores inventory <<<"$(q "SELECT (SELECT count(*) FROM products), (SELECT count(*) FROM stores), (SELECT count(*) FROM inventory)" | tr '|' ' ')"
# The capped seed stocks at most 10,000 products per store, a dense one more.
want_inventory() {
  if [ "$dataset" = big ]; then [ "$1" -gt 0 ] && [ "$1" -le $((nstores * 10000)) ]; else [ "$1" -gt $((nstores * 10000)) ]; fi
}
if [ "$products" -eq "$nproducts" ] && [ "$stores" -eq "$nstores" ] && want_inventory "$inventory"; then
  say "reusing the seeded database ($products products, $stores stores, $inventory inventory rows)"
elif [ "$products" -eq 0 ] && [ "$stores" -eq 0 ] || [ "${BENCH_RESEED:-0}" = 1 ]; then
  reset=()
  [ "$products" -eq 0 ] && [ "$stores" -eq 0 ] || reset=(--reset)
  say "seeding: aforrod seed ${seedflags[*]} ${reset[*]} (dense takes many minutes)"
  "$tmp/aforrod" seed --database-url "$url" "${seedflags[@]}" "${reset[@]}" >&2
  read -r products stores inventory <<<"$(q "SELECT (SELECT count(*) FROM products), (SELECT count(*) FROM stores), (SELECT count(*) FROM inventory)" | tr '|' ' ')"
else
  die "the database holds $products products, $stores stores and $inventory inventory rows, not the $dataset dataset; BENCH_RESEED=1 replaces its data"
fi

# A free loopback port: one nothing answers on.
port=
for _ in $(seq 50); do
  p=$((20000 + RANDOM % 40000))
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then port=$p; break; fi
done
[ -n "$port" ] || die "no free port found"
base=http://127.0.0.1:$port
say "serving on $base"
"$tmp/aforrod" serve --database-url "$url" --redis-url "$redis" --addr "127.0.0.1:$port" --no-jobs \
  --log-format json --log-level warn >"$tmp/serve.log" 2>&1 &
srv=$!
for i in $(seq 100); do
  curl -fsS -o /dev/null "$base/readyz" 2>/dev/null && break
  kill -0 "$srv" 2>/dev/null || die "aforrod serve exited"
  [ "$i" -lt 100 ] || die "aforrod serve is not ready after 30 s"
  sleep 0.3
done

created=$("$tmp/aforrod" token create --database-url "$url" --name "bench-reads $$" --role admin)
token=$(tail -n1 <<<"$created")
token_id=$(head -n1 <<<"$created" | awk '{print $4}')
hash=$(printf %s "$token" | sha256sum | awk '{print $1}')
[ "$(q "SELECT count(*) FROM api_tokens WHERE secret_hash = '\\x$hash'")" = 1 ] || die "the token's hash is not found"
auth="Authorization: Bearer $token"

# Orders come only through the API (they deduct stock and write the ledger).
orders=$(q "SELECT count(*) FROM orders")
if [ "$orders" -lt 1000 ]; then
  say "the database has $orders orders; placing 3,000 through POST /api/orders/"
  "$tmp/placeorders" --token "$token" --store "$store" "$base" >&2
  # autovacuum is off on the development machine: give the planner the
  # orders' statistics a running system would have.
  q "ANALYZE orders, order_items, stock_movements, inventory"
  orders=$(q "SELECT count(*) FROM orders")
fi
# Reorder points (migration 013) through PUT .../reorder/ (it moves no
# stock and writes no ledger row): 500 of the store's rows, every second
# one set above its quantity (low by its own point), the others to 0 (not
# low, even when under the global threshold), so ?low_stock=true reads both
# arms of its condition.
if [ "$(q "SELECT count(*) FROM inventory WHERE store_id = $reorder_store AND reorder_point IS NOT NULL")" = 0 ]; then
  say "giving 500 of store $reorder_store's rows a reorder point"
  q "SELECT product_id, CASE WHEN m % 2 = 0 THEN quantity + 10 ELSE 0 END
       FROM (SELECT product_id, quantity, row_number() OVER (ORDER BY n) m
               FROM (SELECT product_id, quantity, row_number() OVER (ORDER BY product_id) n FROM inventory WHERE store_id = $reorder_store) r
              WHERE n % (SELECT greatest(count(*) / 500, 1) FROM inventory WHERE store_id = $reorder_store) = 0) s
      ORDER BY m LIMIT 500" |
    while IFS='|' read -r pid point; do
      curl -fsS -o /dev/null -X PUT -H "$auth" -d "{\"reorder_point\": $point}" "$base/api/stores/$reorder_store/inventory/$pid/reorder/"
    done
  q "ANALYZE inventory"
fi
reorder_rows=$(q "SELECT count(*) FROM inventory WHERE store_id = $reorder_store AND reorder_point IS NOT NULL")
reorder_low=$(q "SELECT count(*) FILTER (WHERE below_reorder_point), count(*) FILTER (WHERE reorder_point IS NULL AND quantity <= 5) FROM inventory WHERE store_id = $reorder_store" | tr '|' ' ')
if [ "${BENCH_VACUUM:-0}" = 1 ]; then
  # INDEX_CLEANUP ON: by default VACUUM skips cleaning the indexes when
  # under 2% of the table's pages have dead rows (the orders just placed),
  # and those pages then stay not all-visible: on aforro_dense 2,851 of
  # store 1's pages, whose index-only scans fetched the heap (3,261 heap
  # fetches in one count).
  say "VACUUM (ANALYZE, INDEX_CLEANUP ON) of the whole database"
  q "VACUUM (ANALYZE, INDEX_CLEANUP ON)"
fi
visible=$(q "SELECT string_agg(format('%s %s%%', relname, round(100.0 * relallvisible / greatest(relpages, 1))), ', ' ORDER BY relname)
  FROM pg_class WHERE relname IN ('products', 'inventory', 'orders', 'stock_movements')")
if [ "$(q "SELECT count(*) FROM inventory_summaries")" = 0 ]; then
  say "no daily summaries yet: POST /api/summaries/run/"
  curl -fsS -o /dev/null -w 'reads.sh: summaries computed in %{time_total} s\n' -X POST -H "$auth" "$base/api/summaries/run/" >&2
fi

# The lists' parameters, read from the data so that they fit any seed: the
# commonest title word, a word in a few dozen titles, the smallest category,
# the inventory row of the store with the longest ledger.
common=$(q "SELECT word FROM search_words WHERE word ~ '^[a-z]{4,}$' ORDER BY titles DESC, word LIMIT 1")
rare=$(q "SELECT word FROM search_words WHERE word ~ '^[a-z]{7,}$' AND titles BETWEEN 20 AND 60 ORDER BY word LIMIT 1")
category=$(q "SELECT category_id FROM products GROUP BY 1 ORDER BY count(*), 1 LIMIT 1")
product=$(q "SELECT product_id FROM stock_movements WHERE store_id = $store GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")
since=$(date -u -d '30 days ago' +%Y-%m-%dT00:00:00Z)
stocked=$(q "SELECT count(*) FROM inventory WHERE store_id = $store")
stocked_cat=$(q "SELECT count(*) FROM inventory WHERE store_id = $store AND category_id = $category")
inv=/api/stores/$store/inventory/
lists=(
  "categories|/api/categories/"
  "products|/api/products/"
  "products, smallest category|/api/products/?category=$category"
  "products, updated in 30 days|/api/products/?updated_since=$since"
  "stores|/api/stores/"
  "inventory|$inv"
  "inventory, common word|$inv?q=$common"
  "inventory, rare word|$inv?q=$rare"
  "inventory, category|$inv?category=$category"
  "inventory, low stock|$inv?low_stock=true"
  "inventory, common word + category|$inv?q=$common&category=$category"
  "inventory, common word + low stock|$inv?q=$common&low_stock=true"
  "inventory, category + low stock|$inv?category=$category&low_stock=true"
  "inventory, low stock, 500 reorder points (store $reorder_store)|/api/stores/$reorder_store/inventory/?low_stock=true"
  "store's orders|/api/stores/$store/orders/"
  "store's orders, cancelled|/api/stores/$store/orders/?status=CANCELLED"
  "orders|/api/orders/"
  "orders, rejected|/api/orders/?status=REJECTED"
  "movements of one row|/api/stores/$store/inventory/$product/movements/"
  "summaries|/api/summaries/"
  "latest summaries|/api/summaries/latest/"
)

# ms converts wrk's durations (850.00us, 1.20ms, 2.01s, 1.00m) to milliseconds.
ms() {
  awk -v d="$1" 'BEGIN {
    v = d + 0; u = d; sub(/^[0-9.]+/, "", u)
    f = (u == "us") ? 0.001 : (u == "ms") ? 1 : (u == "s") ? 1000 : (u == "m") ? 60000 : -1
    if (f < 0) print "?"; else printf (v * f < 10 ? "%.2f" : "%.1f"), v * f }'
}
# run CONNECTIONS PATH: wrk's req/s, p50, p99 and non-2xx answers.
run() {
  local out threads=$(($1 < 2 ? 1 : 2))
  out=$(wrk -t"$threads" -c"$1" -d"${secs}s" --latency -H "$auth" "$base$2")
  awk '/^Requests\/sec/ {printf "%.0f ", $2}' <<<"$out"
  printf '%s %s ' "$(ms "$(awk '$1 == "50%" {print $2}' <<<"$out")")" "$(ms "$(awk '$1 == "99%" {print $2}' <<<"$out")")"
  awk '/Non-2xx/ {n = $NF} /Socket errors/ {e = $0} END {printf "%d%s\n", n, (e ? " (" e ")" : "")}' <<<"$out"
}

load0=$(uptime | sed 's/.*load average: //')
rows=()
walks=()
declare -A rps1 rps16
# measure NAME PATH: one row of the table for one page of a list.
measure() {
  local name=$1 path=$2 code first count bad r1 a1 b1 e1 r16 a16 b16 e16
  say "$name: $path"
  read -r code first < <(curl -sS -o "$tmp/body" -w '%{http_code} %{time_total}\n' -H "$auth" "$base$path")
  first=$(awk -v t="$first" 'BEGIN {printf "%.1f", t * 1000}')
  if [ "$code" != 200 ]; then
    rows+=("| $name | \`$path\` | **HTTP $code**: $(jq -r '.error // empty' "$tmp/body" | head -c 200) | $first | | | | |")
    return
  fi
  count=$(jq -r 'if .count == null then (.results | length | tostring) else (.count | tostring) + (if .count_capped then "+" else "" end) end' "$tmp/body")
  [ "$warm" -gt 0 ] && wrk -t2 -c4 -d"${warm}s" -H "$auth" "$base$path" >/dev/null
  read -r r1 a1 b1 e1 < <(run 1 "$path")
  read -r r16 a16 b16 e16 < <(run 16 "$path")
  rps1[$path]=$r1 rps16[$path]=$r16
  bad=
  [ "${e1%% *}" = 0 ] && [ "${e16%% *}" = 0 ] || bad=" **non-2xx: $e1 / $e16**"
  rows+=("| $name | \`$path\` | $count$bad | $first | $r1 | $a1 / $b1 | $r16 | $a16 / $b16 |")
}
# with PATH PARAM: the path with one more query parameter.
with() { case $1 in *\?*) echo "$1&$2" ;; *) echo "$1?$2" ;; esac; }
for entry in "${lists[@]}"; do
  name=${entry%%|*} path=${entry#*|}
  [[ $name =~ ${BENCH_LISTS:-.} ]] || continue
  measure "$name" "$path"
  cp "$tmp/body" "$tmp/first"
  # Page 50, or the last page of a list that has fewer (none for one page
  # or for an answer that is not paged, summaries/latest).
  pages=$(jq -r '.total_pages // 0' "$tmp/first" 2>/dev/null || echo 0)
  capped=$(jq -r '.count_capped // false' "$tmp/first" 2>/dev/null || echo false)
  if [ "$capped" = true ] || [ "$pages" -ge 50 ]; then
    measure "$name, page 50" "$(with "$path" page=50)"
  elif [ "$pages" -gt 1 ]; then
    measure "$name, last page ($pages)" "$(with "$path" page=$pages)"
  fi
  # A cursor walk: the store's inventory whole (what aforroctl --all does),
  # every other list its first 10,000 rows.
  if jq -e 'type == "object" and has("next_cursor")' "$tmp/first" >/dev/null 2>&1; then
    limit=(--max-rows 10000)
    want=()
    case $path in
    "$inv") limit=() want=(--want "$stocked") ;;
    "$inv?category=$category") limit=() want=(--want "$stocked_cat") ;;
    esac
    say "cursor walk: $path"
    walks+=("| $name | \`$path\` | $("$tmp/cursorwalk" --token "$token" "${limit[@]}" "${want[@]}" "$base$path" |
      awk '{for (i = 1; i <= NF; i++) {split($i, kv, "="); v[kv[1]] = kv[2]}; printf "%s | %s | %s | %s / %s / %s | %s", v["rows"], v["pages"], v["seconds"], v["p50_ms"], v["p99_ms"], v["max_ms"], $NF}') |")
  fi
done

# aforroctl --all over the store's whole inventory, as a user would run it,
# each format twice (the second is the one reported: warm).
say "aforroctl inventory list --store $store --all (-o json, -o csv)"
ctl() {
  local fmt=$1 i lines wall rss
  for i in 1 2; do
    AFORRO_URL=$base AFORRO_TOKEN=$token /usr/bin/time -v -o "$tmp/time" \
      "$tmp/aforroctl" inventory list --store "$store" --all -o "$fmt" >"$tmp/all.$fmt"
  done
  lines=$(wc -l <"$tmp/all.$fmt")
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; printf "%.1f", s}' "$tmp/time")
  rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2 / 1024}' "$tmp/time")
  echo "| \`-o $fmt\` | $lines | $wall | $rss |"
}
ctl_json=$(ctl json)
ctl_csv=$(ctl csv)

say "pgbench: the inventory page's statements (bench/inventory.pgbench)"
pgb() {
  pgbench -n -M prepared -T "$secs" -c "$1" -j "$(($1 < 2 ? 1 : 2))" -D store="$store" \
    -f bench/inventory.pgbench "$url" 2>/dev/null | awk -F'= ' '/^tps/ {split($2, a, " "); printf "%.0f", a[1]}'
}
tps1=$(pgb 1)
tps16=$(pgb 16)
ratio() { awk -v a="${1:-0}" -v b="${2:-0}" 'BEGIN {if (b > 0) printf "%.0f%%", 100 * a / b; else print "-"}'; }

# The answers that were server errors, by status and path (the access log
# writes them at level ERROR; 503s are not errors, see README).
errors=$(jq -Rr 'fromjson? | select(.level == "ERROR" and .msg == "request") | "\(.status) \(.path)"' "$tmp/serve.log" |
  sort | uniq -c | awk '{printf "%s%s x%s %s", sep, $2, $1, $3; sep = "; "}')
cat <<EOF
### $dataset: $products products, $stores stores, $inventory inventory rows, $orders orders

Built from \`$commit\`; $(date -u +%Y-%m-%d), \`bash bench/reads.sh $secs\` with BENCH_DATASET=$dataset; store $store
($stocked inventory rows, $stocked_cat in category $category), common word "$common", rare word "$rare". wrk for $secs s per run after
${warm} s unmeasured; 1 connection with 1 thread, 16 with 2; an admin token on every request; aforrod \`--no-jobs --log-level warn\`.
Pages all-visible (index-only scans need them): $visible.
"rows" is the page's \`count\` (\`+\`: capped at 1,000), "first" the first request's time in ms. Load (\`uptime\`) at the start: $load0; at the end: $(uptime | sed 's/.*load average: //').

| list | request | rows | first ms | 1 conn: req/s | p50 / p99 ms | 16 conn: req/s | p50 / p99 ms |
|---|---|---|---|---|---|---|---|
EOF
printf '%s\n' "${rows[@]}"
cat <<EOF

Cursor walks (\`bench/cursorwalk\`, page_size=100, following \`next_cursor\`, every row once; the store's inventory
whole, other lists their first 10,000 rows; page times in ms):

| list | request | rows | pages | seconds | page p50 / p99 / max | |
|---|---|---|---|---|---|---|
$(printf '%s\n' "${walks[@]}")

\`aforroctl inventory list --store $store --all\` over the store's $stocked rows (\`/usr/bin/time -v\`, the second of two runs):

| output | lines | seconds | peak RSS MB |
|---|---|---|---|
$ctl_json
$ctl_csv

Store $reorder_store: $reorder_rows rows with a reorder point, $(set -- $reorder_low; echo "$1 of them at or below it, $2 rows without one at or below 5").

Inventory page, HTTP versus its statements as raw SQL (\`pgbench -M prepared -f bench/inventory.pgbench\`: the page with its capped count, one statement; the token comes from the cache):

| clients | HTTP req/s | raw SQL tx/s | HTTP / raw |
|---|---|---|---|
| 1 | ${rps1[$inv]:-} | $tps1 | $(ratio "${rps1[$inv]:-}" "$tps1") |
| 16 | ${rps16[$inv]:-} | $tps16 | $(ratio "${rps16[$inv]:-}" "$tps16") |

Server errors (5xx other than 503, from aforrod's log): ${errors:-none}.
EOF
