-- Product codes (issue 17): an optional SKU, unique across the catalogue
-- ignoring case, and any number of barcodes, so the counter finds a product
-- by the code on its shelf label or its box.
--
-- barcodes holds the codes as entered, which the product's JSON shows;
-- barcode_keys the same codes in the form lookups compare (aforro.Barcode:
-- a GTIN as 14 digits, so a UPC-A matches its EAN-13 form; an in-house code
-- in upper case), written together by the db package, which computes the
-- keys with the validation that accepted the codes. Arrays on the product
-- rather than a table of their own: every product read shows the codes, and
-- a column costs those reads nothing, where a table would add an index
-- probe per row to every list. A barcode may belong to several products.
--
-- Lookups by code are exact: a unique B-tree on lower(sku), and a GIN index
-- on the keys, whose entries are the keys themselves, so an exact key is one
-- descent whatever the catalogue's size. fastupdate is off so a new code is
-- in the index itself at once, never in a pending list each lookup scans.
ALTER TABLE products
    ADD COLUMN sku text CHECK (sku IS NULL OR char_length(sku) BETWEEN 1 AND 64),
    ADD COLUMN barcodes text[] NOT NULL DEFAULT '{}',
    ADD COLUMN barcode_keys text[] NOT NULL DEFAULT '{}',
    ADD CONSTRAINT products_barcodes_check
        CHECK (cardinality(barcodes) <= 20 AND cardinality(barcode_keys) = cardinality(barcodes));
CREATE UNIQUE INDEX products_sku_key ON products (lower(sku));
CREATE INDEX products_barcode_keys_idx ON products USING gin (barcode_keys) WITH (fastupdate = off);

-- The codes are fields of the product's JSON, so changing them moves
-- updated_at like the other fields do (migration 008).
DROP TRIGGER products_touch ON products;
CREATE TRIGGER products_touch BEFORE UPDATE OF title, description, price, category_id, sku, barcodes ON products
    FOR EACH ROW WHEN ((OLD.title, OLD.description, OLD.price, OLD.category_id, OLD.sku, OLD.barcodes)
                       IS DISTINCT FROM (NEW.title, NEW.description, NEW.price, NEW.category_id, NEW.sku, NEW.barcodes))
    EXECUTE FUNCTION products_touch();

---- create above / drop below ----

DROP TRIGGER products_touch ON products;
CREATE TRIGGER products_touch BEFORE UPDATE OF title, description, price, category_id ON products
    FOR EACH ROW WHEN ((OLD.title, OLD.description, OLD.price, OLD.category_id)
                       IS DISTINCT FROM (NEW.title, NEW.description, NEW.price, NEW.category_id))
    EXECUTE FUNCTION products_touch();
DROP INDEX products_barcode_keys_idx;
DROP INDEX products_sku_key;
ALTER TABLE products DROP CONSTRAINT products_barcodes_check,
    DROP COLUMN barcode_keys, DROP COLUMN barcodes, DROP COLUMN sku;
