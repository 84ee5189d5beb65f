-- Lists answered from an index in the order they promise (issue 14).
--
-- A store's inventory is listed by product title, which lived only on
-- products: every page joined the store's whole stock to the catalogue and
-- sorted it. Each inventory row now carries its product's title and
-- category, kept by triggers (an insert copies them; a product's change of
-- either rewrites its rows, at most one per store), so one index per
-- filter walks a store's rows already in title order.
--
-- The insert trigger reads the product FOR SHARE: a rename committing
-- between that read and the new row's commit would otherwise miss the row
-- (its UPDATE cannot see an uncommitted insert) and leave the old title
-- behind. The share lock makes the rename wait for the insert, or the
-- insert for the rename, whose title it then reads. Orders never insert
-- inventory rows, so they still take no lock on the catalogue.

ALTER TABLE inventory ADD COLUMN product_title text, ADD COLUMN category_id bigint;
UPDATE inventory i SET product_title = p.title, category_id = p.category_id
  FROM products p WHERE p.id = i.product_id;
ALTER TABLE inventory ALTER COLUMN product_title SET NOT NULL, ALTER COLUMN category_id SET NOT NULL;
COMMENT ON COLUMN inventory.product_title IS 'products.title of product_id, maintained by triggers, for the title-ordered lists.';
COMMENT ON COLUMN inventory.category_id IS 'products.category_id of product_id, maintained by triggers, for the category filter.';

CREATE FUNCTION inventory_copy_product() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT title, category_id INTO NEW.product_title, NEW.category_id
      FROM products WHERE id = NEW.product_id FOR SHARE;
    IF NOT FOUND THEN
        -- What the foreign key would say, before NOT NULL says less.
        RAISE EXCEPTION 'insert or update on table "inventory" violates foreign key constraint "inventory_product_id_fkey"'
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'inventory_product_id_fkey',
                  DETAIL = format('Key (product_id)=(%s) is not present in table "products".', NEW.product_id);
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER inventory_copy_product BEFORE INSERT OR UPDATE OF product_id ON inventory
    FOR EACH ROW EXECUTE FUNCTION inventory_copy_product();

CREATE FUNCTION products_copy_to_inventory() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE inventory SET product_title = NEW.title, category_id = NEW.category_id
     WHERE product_id = NEW.id;
    RETURN NULL;
END
$$;
CREATE TRIGGER products_copy_to_inventory AFTER UPDATE OF title, category_id ON products
    FOR EACH ROW WHEN (OLD.title IS DISTINCT FROM NEW.title OR OLD.category_id IS DISTINCT FROM NEW.category_id)
    EXECUTE FUNCTION products_copy_to_inventory();

CREATE INDEX inventory_store_title_idx ON inventory (store_id, product_title, product_id);
CREATE INDEX inventory_store_category_title_idx ON inventory (store_id, category_id, product_title, product_id);

-- ?q= on a store's inventory is a substring of the title: a word that few
-- rows have is found through the trigrams of the store's titles (and, with
-- low_stock, intersected with the quantity index's bitmap), a common one by
-- walking the store's title order until the page is full. Plans made with
-- the word choose (db/list.go).
CREATE INDEX inventory_store_title_trgm_idx ON inventory USING gin (store_id, product_title gin_trgm_ops);

-- Products: updated_at for incremental sync (?updated_since=). Rows that
-- exist now get the time of this migration, a fast default that rewrites no
-- row: a client syncing from before it fetches every product once, which is
-- what it would have to do anyway, and misses none.
ALTER TABLE products ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
CREATE FUNCTION products_touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END
$$;
-- Only the fields the product's JSON shows count; the stocked-store lists
-- that stock changes keep (migration 005) do not.
CREATE TRIGGER products_touch BEFORE UPDATE OF title, description, price, category_id ON products
    FOR EACH ROW WHEN ((OLD.title, OLD.description, OLD.price, OLD.category_id)
                       IS DISTINCT FROM (NEW.title, NEW.description, NEW.price, NEW.category_id))
    EXECUTE FUNCTION products_touch();
CREATE INDEX products_updated_idx ON products (updated_at, id);

-- Orders: every store's orders newest first (GET /api/orders/), by status,
-- and a store's by status, each from an index in its order. The status index
-- also serves the daily summary's ranges, as the one it replaces did.
CREATE INDEX orders_created_idx ON orders (created_at DESC, id DESC);
CREATE INDEX orders_status_created_id_idx ON orders (status, created_at DESC, id DESC);
DROP INDEX orders_status_created_idx;
CREATE INDEX orders_store_status_created_idx ON orders (store_id, status, created_at DESC, id DESC);

-- The key that signs list cursors, shared by every instance through the
-- database. gen_random_uuid draws from the operating system's strong random
-- source; two of them give 244 random bits.
CREATE TABLE signing_keys (
    name       text PRIMARY KEY,
    secret     bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO signing_keys (name, secret)
VALUES ('cursor', decode(replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''), 'hex'));

-- Instances cache authenticated tokens (server/tokencache.go) only while
-- they listen here: any change that could make a cached token wrong (a
-- revocation, a new role, a store scope changed, rows deleted or truncated,
-- as aforrod seed --reset does) notifies them, after its commit, to forget
-- every cached token. Recording a token's use (last_used_at) does not.
CREATE FUNCTION api_tokens_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('aforro_tokens', TG_TABLE_NAME);
    RETURN NULL;
END
$$;
CREATE TRIGGER api_tokens_notify AFTER UPDATE OF revoked_at, role, name, secret_hash OR DELETE ON api_tokens
    FOR EACH STATEMENT EXECUTE FUNCTION api_tokens_notify();
CREATE TRIGGER api_tokens_notify_truncate AFTER TRUNCATE ON api_tokens
    FOR EACH STATEMENT EXECUTE FUNCTION api_tokens_notify();
CREATE TRIGGER api_token_stores_notify AFTER INSERT OR UPDATE OR DELETE ON api_token_stores
    FOR EACH STATEMENT EXECUTE FUNCTION api_tokens_notify();
CREATE TRIGGER api_token_stores_notify_truncate AFTER TRUNCATE ON api_token_stores
    FOR EACH STATEMENT EXECUTE FUNCTION api_tokens_notify();

---- create above / drop below ----

DROP TRIGGER api_token_stores_notify_truncate ON api_token_stores;
DROP TRIGGER api_token_stores_notify ON api_token_stores;
DROP TRIGGER api_tokens_notify_truncate ON api_tokens;
DROP TRIGGER api_tokens_notify ON api_tokens;
DROP FUNCTION api_tokens_notify();

DROP TABLE signing_keys;
DROP INDEX orders_store_status_created_idx;
CREATE INDEX orders_status_created_idx ON orders (status, created_at);
DROP INDEX orders_status_created_id_idx;
DROP INDEX orders_created_idx;
DROP INDEX products_updated_idx;
DROP TRIGGER products_touch ON products;
DROP FUNCTION products_touch();
ALTER TABLE products DROP COLUMN updated_at;
DROP INDEX inventory_store_title_trgm_idx;
DROP TRIGGER products_copy_to_inventory ON products;
DROP FUNCTION products_copy_to_inventory();
DROP TRIGGER inventory_copy_product ON inventory;
DROP FUNCTION inventory_copy_product();
ALTER TABLE inventory DROP COLUMN product_title, DROP COLUMN category_id;
