-- EXPLAIN (ANALYZE, BUFFERS) of the statements docs/benchmarks.md lists under
-- "Plans of this session's statements", custom and generic, on a database
-- seeded with: aforrod seed --products 1000000 --stores 100
-- Run: psql -d aforro -f bench/explain.sql (writes nothing: the UPDATE rolls back).
SET jit = off; SET max_parallel_workers_per_gather = 0;
-- 1. one part of the in-stock search, with the inventory recheck (custom plan)
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
SELECT p.id FROM products p
 WHERE (p.id / 256) % 16 = 0 AND p.search_vector @@ websearch_to_tsquery('english', 'set')
   AND p.stocked_stores @> ARRAY[3::bigint]
   AND EXISTS (SELECT 1 FROM inventory s WHERE s.store_id = 3 AND s.product_id = p.id AND s.quantity > 0)
 LIMIT 1001;
-- 1g. the same, generic plan
PREPARE instock(tsquery, bigint) AS
SELECT p.id FROM products p
 WHERE (p.id / 256) % 16 = 0 AND p.search_vector @@ $1
   AND p.stocked_stores @> ARRAY[$2]
   AND EXISTS (SELECT 1 FROM inventory s WHERE s.store_id = $2 AND s.product_id = p.id AND s.quantity > 0)
 LIMIT 1001;
SET plan_cache_mode = force_generic_plan;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE instock(websearch_to_tsquery('english', 'set'), 3);
-- 2. inventoryItem (generic)
PREPARE item(bigint, bigint) AS
SELECT i.id, coalesce(p.id, 0), coalesce(p.title, ''), coalesce(p.price, 0), coalesce(c.name, ''),
       coalesce(i.quantity, 0), coalesce(i.updated_at, now())
  FROM stores s
  LEFT JOIN (inventory i JOIN products p ON p.id = i.product_id JOIN categories c ON c.id = p.category_id)
         ON i.store_id = s.id AND i.product_id = $2
 WHERE s.id = $1;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE item(3, 774);
-- 3. AdjustStock's lock (generic)
BEGIN;
PREPARE lockrow(bigint, bigint) AS
SELECT (SELECT quantity FROM inventory WHERE store_id = $1 AND product_id = $2 FOR UPDATE) FROM stores WHERE id = $1;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE lockrow(3, 774);
ROLLBACK;
-- 4. the ledger page by id (generic)
PREPARE ledger(int, int, bigint, bigint) AS
SELECT id, delta, quantity_before, quantity_after, reason, order_id, created_at
  FROM stock_movements WHERE store_id = $3 AND product_id = $4 ORDER BY id DESC LIMIT $1 OFFSET $2;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE ledger(20, 0, 3, 774);
-- 5. the sync: the empty queue's claim, then 1,000 products' lists set (rolled back)
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
WITH q AS (DELETE FROM stocked_stores_queue
            WHERE ctid = ANY(ARRAY(SELECT ctid FROM stocked_stores_queue LIMIT 1000 FOR UPDATE SKIP LOCKED))
           RETURNING product_id)
SELECT count(*), coalesce(array_agg(DISTINCT product_id ORDER BY product_id), '{}') FROM q;
BEGIN;
UPDATE products SET stocked_stores = '{}' WHERE id IN (SELECT g * 997 FROM generate_series(1, 1000) g);
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
WITH s AS MATERIALIZED (
  SELECT x.id, ARRAY(SELECT i.store_id FROM inventory i WHERE i.product_id = x.id AND i.quantity > 0 ORDER BY i.store_id) AS stores
    FROM unnest(ARRAY(SELECT g * 997 FROM generate_series(1, 1000) g)::bigint[]) AS x(id))
UPDATE products p SET stocked_stores = s.stores
  FROM s WHERE p.id = s.id AND p.stocked_stores IS DISTINCT FROM s.stores;
ROLLBACK;
-- 6. the product list with the bigint category filter (generic)
PREPARE plist(int, int, bigint) AS
SELECT p.id FROM products p JOIN categories c ON c.id = p.category_id
 WHERE ($3::bigint = 0 OR p.category_id = $3) ORDER BY p.id LIMIT $1 OFFSET $2;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE plist(20, 0, 3);
