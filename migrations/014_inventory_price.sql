-- Each inventory row carries its product's price (issue 14), as it carries
-- the title and category since migration 008, so that a page of a store's
-- inventory never visits products.
--
-- The price was the one column a page still read from products: a page of
-- 100 rows fetched 100 products scattered over the catalogue's heap (1.3 GB
-- at a million products), about 92 buffer reads where the inventory rows
-- themselves took 5, and most of the time of a walk through a store's whole
-- inventory (docs/benchmarks.md). The same triggers keep it: an insert
-- copies it, and a product's new price rewrites its rows, at most one per
-- store. Orders price their lines from products, as before.
--
-- The backfill rewrites every inventory row under the table's lock: 58 s
-- at a million rows, 29.5 min at 25 million on the benchmark machine
-- (docs/benchmarks.md), during which stock cannot be read or written.

ALTER TABLE inventory ADD COLUMN product_price numeric(12,2);
UPDATE inventory i SET product_price = p.price FROM products p WHERE p.id = i.product_id;
ALTER TABLE inventory ALTER COLUMN product_price SET NOT NULL;
COMMENT ON COLUMN inventory.product_price IS 'products.price of product_id, maintained by triggers, so that inventory pages do not join products.';

CREATE OR REPLACE FUNCTION inventory_copy_product() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT title, category_id, price INTO NEW.product_title, NEW.category_id, NEW.product_price
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

CREATE OR REPLACE FUNCTION products_copy_to_inventory() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE inventory SET product_title = NEW.title, category_id = NEW.category_id, product_price = NEW.price
     WHERE product_id = NEW.id;
    RETURN NULL;
END
$$;
DROP TRIGGER products_copy_to_inventory ON products;
CREATE TRIGGER products_copy_to_inventory AFTER UPDATE OF title, category_id, price ON products
    FOR EACH ROW WHEN ((OLD.title, OLD.category_id, OLD.price) IS DISTINCT FROM (NEW.title, NEW.category_id, NEW.price))
    EXECUTE FUNCTION products_copy_to_inventory();

---- create above / drop below ----

DROP TRIGGER products_copy_to_inventory ON products;
CREATE OR REPLACE FUNCTION products_copy_to_inventory() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE inventory SET product_title = NEW.title, category_id = NEW.category_id
     WHERE product_id = NEW.id;
    RETURN NULL;
END
$$;
CREATE TRIGGER products_copy_to_inventory AFTER UPDATE OF title, category_id ON products
    FOR EACH ROW WHEN (OLD.title IS DISTINCT FROM NEW.title OR OLD.category_id IS DISTINCT FROM NEW.category_id)
    EXECUTE FUNCTION products_copy_to_inventory();
CREATE OR REPLACE FUNCTION inventory_copy_product() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT title, category_id INTO NEW.product_title, NEW.category_id
      FROM products WHERE id = NEW.product_id FOR SHARE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'insert or update on table "inventory" violates foreign key constraint "inventory_product_id_fkey"'
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'inventory_product_id_fkey',
                  DETAIL = format('Key (product_id)=(%s) is not present in table "products".', NEW.product_id);
    END IF;
    RETURN NEW;
END
$$;
ALTER TABLE inventory DROP COLUMN product_price;
