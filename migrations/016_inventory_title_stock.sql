-- The title-ordered inventory indexes also hold each row's stock (issue
-- 14), so that the low-stock list is filtered on index entries: a page of
-- low rows in title order walked the store's rows one heap fetch each (on
-- a dense store where one row in nine is low, page 50 fetched 6,788 rows
-- for its 21; its capped count built a bitmap of every low row). With
-- quantity, reorder_point and below_reorder_point in the entries, both are
-- index-only scans (docs/benchmarks.md).
--
-- This costs no extra write: quantity is already a key of
-- inventory_store_quantity_idx, so a stock change is never a HOT update
-- and writes a new entry into every index of the table whatever they hold.
-- The entries grow by a quarter (at 25 million rows, 1.7 and 1.9 GB become
-- 2.1 and 2.3 GB); both are rebuilt under the table's lock (59 s for the
-- two at 25 million rows on the benchmark machine, 5 s at a million).

DROP INDEX inventory_store_title_idx;
CREATE INDEX inventory_store_title_idx ON inventory (store_id, product_title, product_id)
    INCLUDE (quantity, reorder_point, below_reorder_point);
DROP INDEX inventory_store_category_title_idx;
CREATE INDEX inventory_store_category_title_idx ON inventory (store_id, category_id, product_title, product_id)
    INCLUDE (quantity, reorder_point, below_reorder_point);

---- create above / drop below ----

DROP INDEX inventory_store_category_title_idx;
CREATE INDEX inventory_store_category_title_idx ON inventory (store_id, category_id, product_title, product_id);
DROP INDEX inventory_store_title_idx;
CREATE INDEX inventory_store_title_idx ON inventory (store_id, product_title, product_id);
