-- Background jobs. The Redis leader lease decides which instance runs the
-- scheduled jobs, but gocron skips a tick silently on a non-leader or when
-- Redis errs, and leases can change hands around a tick. So each daily run is
-- also guarded here: the job inserts its (job, run_date) row ON CONFLICT DO
-- NOTHING in its own transaction and does its work only when the insert took.
-- A run that fails rolls its row back with its work, so a catch-up retries it.

CREATE TABLE job_runs (
    job         text NOT NULL CHECK (char_length(job) BETWEEN 1 AND 100),
    run_date    date NOT NULL,                 -- the day the run is for (the summarised day)
    instance    text NOT NULL CHECK (char_length(instance) BETWEEN 1 AND 200),
    started_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    detail      text NOT NULL DEFAULT '' CHECK (char_length(detail) <= 1000),
    PRIMARY KEY (job, run_date),
    CHECK (finished_at >= started_at)
);
COMMENT ON TABLE job_runs IS
    'One row per completed daily job run, inserted in the run''s own transaction: the cluster-wide at-most-once guard.';

-- The daily summary counts the orders cancelled on a day; orders placed on a
-- day are found through orders_status_created_idx.
CREATE INDEX orders_cancelled_at_idx ON orders (cancelled_at) WHERE cancelled_at IS NOT NULL;

-- The daily summary lists each store's lowest items in (quantity, product_id)
-- order: with product_id in the index they are its first entries, read
-- without touching the table, however many items are low. The index keeps
-- its name and still serves every (store_id, quantity) lookup it served.
DROP INDEX inventory_store_quantity_idx;
CREATE INDEX inventory_store_quantity_idx ON inventory (store_id, quantity, product_id);

-- Outbox counts by status (pending, sent, failed) for the admin view, read
-- from the index instead of the ever-growing table.
CREATE INDEX outbox_status_idx ON outbox (status);

---- create above / drop below ----

DROP INDEX outbox_status_idx;
DROP INDEX inventory_store_quantity_idx;
CREATE INDEX inventory_store_quantity_idx ON inventory (store_id, quantity);
DROP INDEX orders_cancelled_at_idx;
DROP TABLE job_runs;
