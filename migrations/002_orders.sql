-- Orders: what a rejected line had available (so a stored order answers like
-- its create response), and idempotency keys with their first response.

ALTER TABLE order_items ADD COLUMN quantity_available integer CHECK (quantity_available >= 0);
COMMENT ON COLUMN order_items.quantity_available IS
    'For a line that made its order REJECTED: the stock the store had then. NULL otherwise.';

CREATE TABLE idempotency_keys (
    scope        text NOT NULL,             -- who used the key (the token), '' before auth
    key          text NOT NULL CHECK (char_length(key) BETWEEN 1 AND 255),
    request_hash bytea NOT NULL,            -- SHA-256 of the canonical request
    order_id     bigint REFERENCES orders (id) ON DELETE CASCADE,
    response     bytea NOT NULL DEFAULT '', -- the first answer, replayed byte for byte
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);

---- create above / drop below ----

DROP TABLE idempotency_keys;
ALTER TABLE order_items DROP COLUMN quantity_available;
