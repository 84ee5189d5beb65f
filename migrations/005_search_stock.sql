-- Search in stock at a store from the full-text index.
--
-- A search for a common word in stock at one store used to test the stock
-- of its matches one by one (or each product the store stocks against the
-- query): some 10,000 product rows read to find the first thousand hits,
-- 40-70 ms at a million products. Each product now lists the stores that
-- have it in stock (quantity > 0), and the full-text index parts hold that
-- list beside the document and the category, so the index intersects a
-- word's products with a store's stock and only the hits are read.
--
-- The list is kept by triggers on inventory, which only fire when a row
-- crosses between zero and some stock, so an order that leaves stock on
-- the shelf writes nothing to products. Each trigger changes the list
-- relative to the product's current row (array_remove, array_append), so
-- concurrent writers at different stores compose: under READ COMMITTED, which
-- every writer in db uses, the second waits for the first's row lock and
-- applies its change to the row the first committed.
-- The lists are sets; their order means nothing.

ALTER TABLE products ADD COLUMN stocked_stores bigint[] NOT NULL DEFAULT '{}';
COMMENT ON COLUMN products.stocked_stores IS
    'Stores with this product in stock (inventory quantity > 0), in any order; maintained by triggers on inventory.';

UPDATE products p SET stocked_stores = s.stores
  FROM (SELECT product_id, array_agg(store_id ORDER BY store_id) AS stores
          FROM inventory WHERE quantity > 0 GROUP BY product_id) s
 WHERE s.product_id = p.id;

CREATE FUNCTION inventory_sync_stocked_stores() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' AND OLD.quantity > 0 THEN
        UPDATE products SET stocked_stores = array_remove(stocked_stores, OLD.store_id)
         WHERE id = OLD.product_id AND stocked_stores @> ARRAY[OLD.store_id];
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.quantity > 0 THEN
        UPDATE products SET stocked_stores = array_append(stocked_stores, NEW.store_id)
         WHERE id = NEW.product_id AND NOT stocked_stores @> ARRAY[NEW.store_id];
    END IF;
    RETURN NULL;
END
$$;
-- One trigger per event, so that each can say in its WHEN when it matters
-- (a WHEN may not name OLD on INSERT nor NEW on DELETE).
CREATE TRIGGER inventory_stocked_stores_insert AFTER INSERT ON inventory
    FOR EACH ROW WHEN (NEW.quantity > 0)
    EXECUTE FUNCTION inventory_sync_stocked_stores();
CREATE TRIGGER inventory_stocked_stores_update AFTER UPDATE OF quantity, store_id, product_id ON inventory
    FOR EACH ROW WHEN ((OLD.quantity > 0) <> (NEW.quantity > 0)
                       OR OLD.store_id <> NEW.store_id OR OLD.product_id <> NEW.product_id)
    EXECUTE FUNCTION inventory_sync_stocked_stores();
CREATE TRIGGER inventory_stocked_stores_delete AFTER DELETE ON inventory
    FOR EACH ROW WHEN (OLD.quantity > 0)
    EXECUTE FUNCTION inventory_sync_stocked_stores();

-- The full-text index parts of migration 003, now with the stores too.
DO $$
BEGIN
    FOR k IN 0..15 LOOP
        EXECUTE format('DROP INDEX products_search_%s_idx', k);
        EXECUTE format('CREATE INDEX products_search_%s_idx ON products USING gin (search_vector, category_id, stocked_stores) WHERE (id / 256) %% 16 = %s', k, k);
    END LOOP;
END
$$;

-- search_estimates, with the store's stock counted among the matches (it
-- is an index condition now, like the category) rather than apart.
DROP FUNCTION search_estimates(tsquery, bigint, numeric, numeric, bigint);
CREATE FUNCTION search_estimates(tsq tsquery, category bigint, store bigint, min_price numeric, max_price numeric,
    OUT matches double precision, OUT priced double precision)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    plan json;
BEGIN
    EXECUTE format('EXPLAIN (FORMAT JSON) SELECT 1 FROM products p WHERE p.search_vector @@ %L::tsquery', tsq)
        || CASE WHEN category IS NULL THEN '' ELSE format(' AND p.category_id = %s', category) END
        || CASE WHEN store IS NULL THEN '' ELSE format(' AND p.stocked_stores @> ARRAY[%s]::bigint[]', store) END
        INTO plan;
    matches := (plan->0->'Plan'->>'Plan Rows')::double precision;
    SELECT greatest(c.reltuples, 1) INTO priced FROM pg_class c WHERE c.oid = 'products'::regclass;
    IF min_price IS NOT NULL OR max_price IS NOT NULL THEN
        EXECUTE format('EXPLAIN (FORMAT JSON) SELECT 1 FROM products p WHERE p.price >= %L AND p.price <= %L',
                       coalesce(min_price, 0), coalesce(max_price, 'Infinity'::numeric)) INTO plan;
        priced := (plan->0->'Plan'->>'Plan Rows')::double precision;
    END IF;
END
$$;

---- create above / drop below ----

DROP FUNCTION search_estimates(tsquery, bigint, bigint, numeric, numeric);
CREATE FUNCTION search_estimates(tsq tsquery, category bigint, min_price numeric, max_price numeric, store bigint,
    OUT matches double precision, OUT priced double precision, OUT stocked double precision)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    plan json;
BEGIN
    EXECUTE format('EXPLAIN (FORMAT JSON) SELECT 1 FROM products p WHERE p.search_vector @@ %L::tsquery', tsq)
        || CASE WHEN category IS NULL THEN '' ELSE format(' AND p.category_id = %s', category) END INTO plan;
    matches := (plan->0->'Plan'->>'Plan Rows')::double precision;
    SELECT greatest(c.reltuples, 1) INTO priced FROM pg_class c WHERE c.oid = 'products'::regclass;
    IF min_price IS NOT NULL OR max_price IS NOT NULL THEN
        EXECUTE format('EXPLAIN (FORMAT JSON) SELECT 1 FROM products p WHERE p.price >= %L AND p.price <= %L',
                       coalesce(min_price, 0), coalesce(max_price, 'Infinity'::numeric)) INTO plan;
        priced := (plan->0->'Plan'->>'Plan Rows')::double precision;
    END IF;
    IF store IS NOT NULL THEN
        EXECUTE format('EXPLAIN (FORMAT JSON) SELECT 1 FROM inventory i WHERE i.store_id = %s AND i.quantity > 0', store) INTO plan;
        stocked := (plan->0->'Plan'->>'Plan Rows')::double precision;
    END IF;
END
$$;
DO $$
BEGIN
    FOR k IN 0..15 LOOP
        EXECUTE format('DROP INDEX products_search_%s_idx', k);
        EXECUTE format('CREATE INDEX products_search_%s_idx ON products USING gin (search_vector, category_id) WHERE (id / 256) %% 16 = %s', k, k);
    END LOOP;
END
$$;
DROP TRIGGER inventory_stocked_stores_delete ON inventory;
DROP TRIGGER inventory_stocked_stores_update ON inventory;
DROP TRIGGER inventory_stocked_stores_insert ON inventory;
DROP FUNCTION inventory_sync_stocked_stores();
ALTER TABLE products DROP COLUMN stocked_stores;
