-- Reorder points (issue 18, item 5): a store's own low-stock threshold for
-- one product, and the stock.low / stock.out events written when a row's
-- quantity falls through it.
--
-- NULL reorder_point means the global threshold (aforrod's --low-stock)
-- applies. The database has to know that threshold, for the trigger below
-- fires on every write path (PUT, adjust, orders, cancels, transfers,
-- batches) inside the writer's transaction: `aforrod serve` writes it to
-- settings at start (db.SetLowStockThreshold); until then, or should the
-- row be missing, it is 5, the flag's default. Instances started with
-- different --low-stock values share one row: the last one started wins.

ALTER TABLE inventory
    ADD COLUMN reorder_point integer CHECK (reorder_point BETWEEN 0 AND 1000000000),
    ADD COLUMN reorder_quantity integer CHECK (reorder_quantity BETWEEN 0 AND 1000000000);
COMMENT ON COLUMN inventory.reorder_point IS 'Stock at or below this is low for this row; NULL: the global low-stock threshold (settings.low_stock).';
COMMENT ON COLUMN inventory.reorder_quantity IS 'How many to reorder when the row is low; informational.';

CREATE TABLE settings (
    name       text PRIMARY KEY,
    value      text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO settings (name, value) VALUES ('low_stock', '5');

CREATE FUNCTION low_stock_threshold() RETURNS integer LANGUAGE sql STABLE AS $$
    SELECT coalesce((SELECT value::integer FROM settings WHERE name = 'low_stock'), 5)
$$;

-- A quantity that falls from above the row's effective threshold to at or
-- below it writes one stock.low event; one that falls to zero from above
-- writes stock.out (a fall from 9 to 0 writes both). Only falls count: a
-- row rising back above and falling again writes a new event, while a
-- reorder point raised over the current stock writes none (nothing was
-- sold or moved). The events are webhooks-only in the outbox ('skipped':
-- the email dispatcher does not claim them); the day's digest mail lists
-- them (jobs/digest.go). The outbox trigger of migration 009 fans them out
-- to subscribed endpoints in this same transaction.
CREATE FUNCTION inventory_stock_alerts() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    threshold integer := coalesce(NEW.reorder_point, low_stock_threshold());
    low boolean := OLD.quantity > threshold AND NEW.quantity <= threshold;
    gone boolean := OLD.quantity > 0 AND NEW.quantity = 0;
    data jsonb;
BEGIN
    -- Most decrements (every order line) cross nothing: return before
    -- building the payload.
    IF NOT (low OR gone) THEN
        RETURN NULL;
    END IF;
    data := jsonb_build_object(
        'store_id', NEW.store_id, 'product_id', NEW.product_id, 'product_title', NEW.product_title,
        'quantity_before', OLD.quantity, 'quantity', NEW.quantity, 'threshold', threshold,
        'reorder_point', NEW.reorder_point, 'reorder_quantity', NEW.reorder_quantity);
    IF low THEN
        INSERT INTO outbox (event, payload, status)
        VALUES ('stock.low', jsonb_build_object('store_id', NEW.store_id, 'data', data), 'skipped');
    END IF;
    IF gone THEN
        INSERT INTO outbox (event, payload, status)
        VALUES ('stock.out', jsonb_build_object('store_id', NEW.store_id, 'data', data), 'skipped');
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER inventory_stock_alerts AFTER UPDATE OF quantity ON inventory
    FOR EACH ROW WHEN (NEW.quantity < OLD.quantity)
    EXECUTE FUNCTION inventory_stock_alerts();

-- The digest job reads the stock events of a day.
CREATE INDEX outbox_stock_alerts_idx ON outbox (created_at)
    WHERE event IN ('stock.low', 'stock.out');
-- One digest per store and day, however often the job that writes it runs.
CREATE UNIQUE INDEX outbox_stock_digest_key ON outbox ((payload->>'store_id'), (payload->>'date'))
    WHERE event = 'stock.digest';

-- ?low_stock=true is now "quantity <= coalesce(reorder_point, global)",
-- asked as (reorder_point IS NULL AND quantity <= $global) OR
-- below_reorder_point so that each arm has an index: the first
-- inventory_store_quantity_idx (migration 004), the second this partial
-- index, which holds only the rows at or below their own reorder point (a
-- few, however large the store). A bitmap OR of the two finds a store's low
-- rows; the summary's lowest-first lists merge both in quantity order.
-- The stored column, not "quantity <= reorder_point" itself, is what the
-- lists filter on: the planner guesses a third of the rows for a
-- comparison of two columns, and then walks a store's whole title order
-- instead of reading the few low rows; ANALYZE counts a column's trues.
ALTER TABLE inventory ADD COLUMN below_reorder_point boolean GENERATED ALWAYS AS (quantity <= reorder_point) STORED;
COMMENT ON COLUMN inventory.below_reorder_point IS 'quantity <= reorder_point (NULL without one), for the low-stock lists and their index.';
CREATE INDEX inventory_store_below_reorder_idx ON inventory (store_id, quantity, product_id)
    WHERE below_reorder_point;

---- create above / drop below ----

DROP INDEX inventory_store_below_reorder_idx;
DROP INDEX outbox_stock_digest_key;
DROP INDEX outbox_stock_alerts_idx;
DROP TRIGGER inventory_stock_alerts ON inventory;
DROP FUNCTION inventory_stock_alerts();
DROP FUNCTION low_stock_threshold();
DROP TABLE settings;
ALTER TABLE inventory DROP COLUMN below_reorder_point, DROP COLUMN reorder_point, DROP COLUMN reorder_quantity;
