-- EXPLAIN (ANALYZE, BUFFERS) of the list statements db/list.go builds, as
-- docs/benchmarks.md ("Lists at a million products") shows them: each
-- prepared, run with the values of a request (custom plan) and again with
-- plan_cache_mode = force_generic_plan (the plan PostgreSQL may switch a
-- cached statement to after five runs). The lists that db sends with
-- QueryExecModeCacheDescribe (a title word, low stock, updated_since, a
-- multi-store scope) are never given a generic plan in production: their
-- generic runs here show why. A numbered page's count runs only when the
-- page came out full (CASE WHEN count(*) OVER () >= limit). Writes nothing.
-- Run: psql -d aforro_big -v store=3 -v common=black -v rare=anniversary -f bench/explain-lists.sql
SET jit = off; SET max_parallel_workers_per_gather = 0;
-- store's inventory, first page and page 50
PREPARE inv(bigint, text, bigint, int, int, int, int, int, int, int) AS
SELECT CASE WHEN count(*) OVER () >= $9 THEN (SELECT count(*) FROM (SELECT 1 FROM inventory i WHERE i.store_id = $1 LIMIT 1001) capped) ELSE 0 END, i.id, i.product_id, i.product_title, i.product_price, c.name, i.quantity, i.updated_at
  FROM (SELECT i.* FROM inventory i WHERE i.store_id = $1 ORDER BY i.product_title, i.product_id LIMIT $9 OFFSET $10) i
  JOIN categories c ON c.id = i.category_id
 ORDER BY i.product_title, i.product_id;
SET plan_cache_mode = auto;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE inv(:store, '', 0, 0, 0, 0, 0, 0, 21, 0);
SET plan_cache_mode = force_generic_plan;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE inv(:store, '', 0, 0, 0, 0, 0, 0, 21, 0);
-- past page 1 the page is sliced from the title index's entries alone and
-- its rows joined back by key (db/list.go, slim)
PREPARE invdeep(bigint, text, bigint, int, int, int, int, int, int, int) AS
SELECT CASE WHEN count(*) OVER () >= $9 THEN (SELECT count(*) FROM (SELECT 1 FROM inventory i WHERE i.store_id = $1 LIMIT 1001) capped) ELSE 0 END, i.id, i.product_id, i.product_title, i.product_price, c.name, i.quantity, i.updated_at
  FROM (SELECT i.store_id, i.product_id, i.product_title FROM inventory i WHERE i.store_id = $1 ORDER BY i.product_title, i.product_id LIMIT $9 OFFSET $10) k
  CROSS JOIN LATERAL (SELECT * FROM inventory i WHERE i.store_id = k.store_id AND i.product_id = k.product_id OFFSET 0) i
  JOIN categories c ON c.id = i.category_id
 ORDER BY i.product_title, i.product_id;
SET plan_cache_mode = auto;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE invdeep(:store, '', 0, 0, 0, 0, 0, 0, 21, 980);
SET plan_cache_mode = force_generic_plan;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE invdeep(:store, '', 0, 0, 0, 0, 0, 0, 21, 980);
-- inventory of a category
PREPARE invcat(bigint, text, bigint, int, int, int, int, int, int, int) AS
SELECT CASE WHEN count(*) OVER () >= $9 THEN (SELECT count(*) FROM (SELECT 1 FROM inventory i WHERE i.store_id = $1 AND i.category_id = $3 LIMIT 1001) capped) ELSE 0 END, i.id, i.product_id, i.product_title, i.product_price, c.name, i.quantity, i.updated_at
  FROM (SELECT i.* FROM inventory i WHERE i.store_id = $1 AND i.category_id = $3 ORDER BY i.product_title, i.product_id LIMIT $9 OFFSET $10) i
  JOIN categories c ON c.id = i.category_id
 ORDER BY i.product_title, i.product_id;
SET plan_cache_mode = auto;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE invcat(:store, '', 3, 0, 0, 0, 0, 0, 21, 0);
SET plan_cache_mode = force_generic_plan;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE invcat(:store, '', 3, 0, 0, 0, 0, 0, 21, 0);
-- low stock (planned per call in production), sliced from the title
-- index's entries, which hold each row's stock (migration 016)
PREPARE invlow(bigint, text, bigint, int, int, int, int, int, int, int) AS
SELECT CASE WHEN count(*) OVER () >= $9 THEN (SELECT count(*) FROM (SELECT 1 FROM inventory i WHERE i.store_id = $1 AND ((i.reorder_point IS NULL AND i.quantity <= $4) OR i.below_reorder_point) LIMIT 1001) capped) ELSE 0 END, i.id, i.product_id, i.product_title, i.product_price, c.name, i.quantity, i.updated_at
  FROM (SELECT i.store_id, i.product_id, i.product_title FROM inventory i WHERE i.store_id = $1 AND ((i.reorder_point IS NULL AND i.quantity <= $4) OR i.below_reorder_point) ORDER BY i.product_title, i.product_id LIMIT $9 OFFSET $10) k
  CROSS JOIN LATERAL (SELECT * FROM inventory i WHERE i.store_id = k.store_id AND i.product_id = k.product_id OFFSET 0) i
  JOIN categories c ON c.id = i.category_id
 ORDER BY i.product_title, i.product_id;
SET plan_cache_mode = auto;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE invlow(:store, '', 0, 5, 0, 0, 0, 0, 21, 0);
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE invlow(:store, '', 0, 5, 0, 0, 0, 0, 21, 980);
SET plan_cache_mode = force_generic_plan;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE invlow(:store, '', 0, 5, 0, 0, 0, 0, 21, 0);
-- a title word, common and rare (planned per call in production), every
-- page sliced from the title index's entries, counted to 100
PREPARE invq(bigint, text, bigint, int, int, int, int, int, int, int) AS
SELECT CASE WHEN count(*) OVER () >= $9 THEN (SELECT count(*) FROM (SELECT 1 FROM inventory i WHERE i.store_id = $1 AND i.product_title ILIKE $2 LIMIT 101) capped) ELSE 0 END, i.id, i.product_id, i.product_title, i.product_price, c.name, i.quantity, i.updated_at
  FROM (SELECT i.store_id, i.product_id, i.product_title FROM inventory i WHERE i.store_id = $1 AND i.product_title ILIKE $2 ORDER BY i.product_title, i.product_id LIMIT $9 OFFSET $10) k
  CROSS JOIN LATERAL (SELECT * FROM inventory i WHERE i.store_id = k.store_id AND i.product_id = k.product_id OFFSET 0) i
  JOIN categories c ON c.id = i.category_id
 ORDER BY i.product_title, i.product_id;
SET plan_cache_mode = auto;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE invq(:store, '%' || :'common' || '%', 0, 0, 0, 0, 0, 0, 21, 0);
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE invq(:store, '%' || :'rare' || '%', 0, 0, 0, 0, 0, 0, 21, 0);
SET plan_cache_mode = force_generic_plan;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE invq(:store, '%' || :'common' || '%', 0, 0, 0, 0, 0, 0, 21, 0);
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE invq(:store, '%' || :'rare' || '%', 0, 0, 0, 0, 0, 0, 21, 0);
-- a common word with low stock (planned per call in production); the
-- stock is tested first, as db writes it
PREPARE invqlow(bigint, text, bigint, int, int, int, int, int, int, int) AS
SELECT CASE WHEN count(*) OVER () >= $9 THEN (SELECT count(*) FROM (SELECT 1 FROM inventory i WHERE i.store_id = $1 AND ((i.reorder_point IS NULL AND i.quantity <= $4) OR i.below_reorder_point) AND i.product_title ILIKE $2 LIMIT 101) capped) ELSE 0 END, i.id, i.product_id, i.product_title, i.product_price, c.name, i.quantity, i.updated_at
  FROM (SELECT i.store_id, i.product_id, i.product_title FROM inventory i WHERE i.store_id = $1 AND ((i.reorder_point IS NULL AND i.quantity <= $4) OR i.below_reorder_point) AND i.product_title ILIKE $2 ORDER BY i.product_title, i.product_id LIMIT $9 OFFSET $10) k
  CROSS JOIN LATERAL (SELECT * FROM inventory i WHERE i.store_id = k.store_id AND i.product_id = k.product_id OFFSET 0) i
  JOIN categories c ON c.id = i.category_id
 ORDER BY i.product_title, i.product_id;
SET plan_cache_mode = auto;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE invqlow(:store, '%' || :'common' || '%', 0, 5, 0, 0, 0, 0, 21, 0);
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE invqlow(:store, '%' || :'common' || '%', 0, 5, 0, 0, 0, 0, 21, 980);
SET plan_cache_mode = force_generic_plan;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE invqlow(:store, '%' || :'common' || '%', 0, 5, 0, 0, 0, 0, 21, 0);
-- a cursor page of the inventory
PREPARE invcursor(bigint, text, bigint, int, int, int, int, int, int, int) AS
SELECT i.id, i.product_id, i.product_title, i.product_price, c.name, i.quantity, i.updated_at
  FROM (SELECT i.* FROM inventory i WHERE i.store_id = $1 AND (i.product_title, i.product_id) > ($2::text, $3::bigint) ORDER BY i.product_title, i.product_id LIMIT $9 OFFSET $10) i
  JOIN categories c ON c.id = i.category_id
 ORDER BY i.product_title, i.product_id;
SET plan_cache_mode = auto;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE invcursor(:store, 'M', 0, 0, 0, 0, 0, 0, 21, 0);
SET plan_cache_mode = force_generic_plan;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE invcursor(:store, 'M', 0, 0, 0, 0, 0, 0, 21, 0);
-- products by id, first page and page 50
PREPARE prod(int, int) AS
SELECT CASE WHEN count(*) OVER () >= $1 THEN (SELECT count(*) FROM (SELECT 1 FROM products p LIMIT 1001) capped) ELSE 0 END, p.id, p.title, p.price
  FROM (SELECT p.* FROM products p ORDER BY p.id LIMIT $1 OFFSET $2) p JOIN categories c ON c.id = p.category_id ORDER BY p.id;
SET plan_cache_mode = auto;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE prod(21, 0);
SET plan_cache_mode = force_generic_plan;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE prod(21, 0);
-- past page 1, sliced from the index by id and joined back
PREPARE proddeep(bigint, int, int) AS
SELECT CASE WHEN count(*) OVER () >= $2 THEN (SELECT count(*) FROM (SELECT 1 FROM products p WHERE p.category_id = $1 LIMIT 1001) capped) ELSE 0 END, p.id, p.title, p.price
  FROM (SELECT p.id FROM products p WHERE p.category_id = $1 ORDER BY p.id LIMIT $2 OFFSET $3) k
  CROSS JOIN LATERAL (SELECT * FROM products p WHERE p.id = k.id OFFSET 0) p JOIN categories c ON c.id = p.category_id ORDER BY p.id;
SET plan_cache_mode = auto;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE proddeep(3, 21, 980);
SET plan_cache_mode = force_generic_plan;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE proddeep(3, 21, 980);
-- products of a category
PREPARE prodcat(bigint, int, int) AS
SELECT CASE WHEN count(*) OVER () >= $2 THEN (SELECT count(*) FROM (SELECT 1 FROM products p WHERE p.category_id = $1 LIMIT 1001) capped) ELSE 0 END, p.id, p.title, p.price
  FROM (SELECT p.* FROM products p WHERE p.category_id = $1 ORDER BY p.id LIMIT $2 OFFSET $3) p JOIN categories c ON c.id = p.category_id ORDER BY p.id;
SET plan_cache_mode = auto;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE prodcat(3, 21, 0);
SET plan_cache_mode = force_generic_plan;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE prodcat(3, 21, 0);
-- products updated since a week ago (planned per call in production)
PREPARE produpd(timestamptz, int, int) AS
SELECT CASE WHEN count(*) OVER () >= $2 THEN (SELECT count(*) FROM (SELECT 1 FROM products p WHERE p.updated_at >= $1 LIMIT 1001) capped) ELSE 0 END, p.id, p.title, p.updated_at
  FROM (SELECT p.* FROM products p WHERE p.updated_at >= $1 ORDER BY p.updated_at, p.id LIMIT $2 OFFSET $3) p JOIN categories c ON c.id = p.category_id ORDER BY p.updated_at, p.id;
SET plan_cache_mode = auto;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE produpd(now() - interval '7 days', 21, 0);
SET plan_cache_mode = force_generic_plan;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE produpd(now() - interval '7 days', 21, 0);
-- every store's orders, and by status
PREPARE ord(text, int, int) AS
SELECT CASE WHEN count(*) OVER () >= $2 THEN (SELECT count(*) FROM (SELECT 1 FROM orders o LIMIT 1001) capped) ELSE 0 END, o.id, o.store_id, o.status, o.created_at,
       (SELECT coalesce(sum(quantity_requested), 0) FROM order_items WHERE order_id = o.id)
  FROM (SELECT o.* FROM orders o ORDER BY o.created_at DESC, o.id DESC LIMIT $2 OFFSET $3) o ORDER BY o.created_at DESC, o.id DESC;
SET plan_cache_mode = auto;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE ord('', 21, 0);
SET plan_cache_mode = force_generic_plan;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE ord('', 21, 0);
-- a store's orders of one status
PREPARE ordstatus(bigint, text, int, int) AS
SELECT CASE WHEN count(*) OVER () >= $3 THEN (SELECT count(*) FROM (SELECT 1 FROM orders o WHERE o.store_id = $1 AND o.status = $2 LIMIT 1001) capped) ELSE 0 END, o.id, o.store_id, o.status, o.created_at,
       (SELECT coalesce(sum(quantity_requested), 0) FROM order_items WHERE order_id = o.id)
  FROM (SELECT o.* FROM orders o WHERE o.store_id = $1 AND o.status = $2 ORDER BY o.created_at DESC, o.id DESC LIMIT $3 OFFSET $4) o ORDER BY o.created_at DESC, o.id DESC;
SET plan_cache_mode = auto;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE ordstatus(:store, 'CONFIRMED', 21, 0);
SET plan_cache_mode = force_generic_plan;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE ordstatus(:store, 'CONFIRMED', 21, 0);
