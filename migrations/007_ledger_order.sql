-- The ledger is listed in the order of its changes (issue 13, defect 4).
--
-- created_at is the time its transaction began, not the time it changed the
-- stock: an order that waited for the row lock behind another carries the
-- earlier time but made the later change. A movement's id is taken when it
-- is inserted, which is after the inventory row is locked and changed, so
-- for one row the ids follow the changes; the ledger is listed by id.

CREATE INDEX stock_movements_row_id_idx ON stock_movements (store_id, product_id, id DESC);
DROP INDEX stock_movements_row_idx;

---- create above / drop below ----

CREATE INDEX stock_movements_row_idx ON stock_movements (store_id, product_id, created_at DESC, id DESC);
DROP INDEX stock_movements_row_id_idx;
