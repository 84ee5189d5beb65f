-- Orders no longer write the catalogue (issue 13, defect 0).
--
-- Migration 005's triggers updated a product's stocked_stores inside the
-- transaction that made a store's stock cross zero. An order locks only its
-- own store's inventory rows, in product-id order, but the triggers then
-- locked the products' catalogue rows in whatever order the UPDATE visited
-- its rows; so two orders at different stores over the same products waited
-- on each other and deadlocked, and every sell-out rewrote a wide product row
-- and its full-text index entries while holding the store's locks.
--
-- Now the triggers only append the product's id to stocked_stores_queue:
-- an insert locks no existing row, so writers at different stores never wait
-- on each other. db.SyncStockedStores, which every aforrod runs a few times
-- a second, takes queued ids, locks their product rows in id order and sets
-- each list from the inventory as it is then. Setting rather than adjusting
-- makes a sync idempotent, so an id queued twice, or synced by two
-- instances, comes out right. The table has no key: nothing looks a row up,
-- and a unique key would make concurrent writers of one product wait on each
-- other's insert again.

CREATE TABLE stocked_stores_queue (
    product_id bigint NOT NULL
);
COMMENT ON TABLE stocked_stores_queue IS
    'Products whose stocked_stores may be out of date; emptied by db.SyncStockedStores.';

-- The triggers of migration 005 keep their names and WHEN clauses: they
-- still fire only when a row crosses between zero and some stock.
CREATE OR REPLACE FUNCTION inventory_sync_stocked_stores() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        INSERT INTO stocked_stores_queue (product_id) VALUES (OLD.product_id);
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.product_id <> OLD.product_id) THEN
        INSERT INTO stocked_stores_queue (product_id) VALUES (NEW.product_id);
    END IF;
    RETURN NULL;
END
$$;

---- create above / drop below ----

CREATE OR REPLACE FUNCTION inventory_sync_stocked_stores() RETURNS trigger LANGUAGE plpgsql AS $$
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
UPDATE products p SET stocked_stores = ARRAY(
    SELECT i.store_id FROM inventory i WHERE i.product_id = p.id AND i.quantity > 0 ORDER BY i.store_id)
 WHERE p.id IN (SELECT product_id FROM stocked_stores_queue);
DROP TABLE stocked_stores_queue;
