-- A summary row's low-stock list is stored as json, the text itself, not
-- jsonb (issue 14). Nothing queries inside it: it is written once by the
-- daily job and read whole by every summary list, where jsonb cost
-- PostgreSQL a conversion back to text per read (a page of 20 rows, about
-- 160 KB: 1.6 ms against 0.7 ms as json, docs/benchmarks.md).

ALTER TABLE inventory_summaries
    ALTER COLUMN low_stock DROP DEFAULT,
    ALTER COLUMN low_stock TYPE json USING low_stock::json,
    ALTER COLUMN low_stock SET DEFAULT '[]';

---- create above / drop below ----

ALTER TABLE inventory_summaries
    ALTER COLUMN low_stock DROP DEFAULT,
    ALTER COLUMN low_stock TYPE jsonb USING low_stock::jsonb,
    ALTER COLUMN low_stock SET DEFAULT '[]';
