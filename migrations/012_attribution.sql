-- Accountable stock (issue 18, items 1 and 2): who made each change, and
-- why, as a code from a fixed list.
--
-- Who. Every stock movement, order (placed, cancelled), transfer step
-- (created, shipped, each receipt, cancelled) records the API token that
-- made it, or NULL and a source saying what did instead:
--   api       a request with an API token (the token column is set)
--   seed      `aforrod seed` generated it
--   job       a background job of aforrod
--   internal  a program calling package db directly (the bench, tests, SQL)
--   legacy    written before this migration: who is not known, and this
--             migration does not guess (not even for the seed's "initial"
--             rows: a PUT with that reason looked the same)
-- A CHECK ties the two: a token exactly when the source is api.
--
-- Names survive revocation because the token row does: revoking sets
-- api_tokens.revoked_at and nothing deletes a token, and these foreign keys
-- are ON DELETE RESTRICT so nothing can (a deleted token would turn its
-- changes anonymous). The API shows the token's current name; tokens cannot
-- be renamed. The references have no index of their own, since the only
-- delete they guard against is refused anyway.
--
-- Why. stock_movements.reason becomes a code: the ones a person may give
-- (aforro.StockReasons) and those only Aforro writes (aforro.SystemReasons,
-- each with the order or transfer the row names). Free text goes in note,
-- the document the change rests on (a delivery note number, a URL) in
-- reference; both '' when not given.
--
-- Old reasons. A reason that already is a code (any case, trimmed: every
-- order, cancel, transfer and seeded "initial" row) becomes that code and
-- keeps no note. Any other text is mapped by legacy_reason_code below, the
-- first matching phrase deciding ("recount after damage" is a count), and
-- the original text is kept, as written, in note: nothing a person wrote is
-- lost, and a reviewer can re-file an "other" by hand. Only those rows are
-- rewritten, so a large ledger of system rows is not.

CREATE FUNCTION legacy_reason_code(reason text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURN
    CASE
        WHEN lower(btrim(reason)) IN ('received', 'correction', 'count', 'damaged', 'shrinkage', 'return', 'restock',
                                      'order', 'cancel', 'initial', 'other', 'transfer_out', 'transfer_in',
                                      'transfer_return', 'write_off_damaged', 'write_off_missing', 'write_off_other')
            THEN lower(btrim(reason))
        WHEN reason ~* 'count|stock ?take|stock ?taking|inventory check|audit' THEN 'count'
        WHEN reason ~* 'correct|mistake|typo|wrong|fix|error|adjustment' THEN 'correction'
        WHEN reason ~* 'damage|broke|breakage|spoil|expire|defect|spill' THEN 'damaged'
        WHEN reason ~* 'theft|stole|shrink|lost|loss|missing' THEN 'shrinkage'
        WHEN reason ~* 'return|refund' THEN 'return'
        WHEN reason ~* 'restock|replenish|refill|back on (the )?shelf' THEN 'restock'
        WHEN reason ~* 'receiv|deliver|shipment|supplier|purchase|goods in|arrived|intake' THEN 'received'
        WHEN reason ~* 'initial|opening|first stock|starting' THEN 'initial'
        ELSE 'other'
    END;
COMMENT ON FUNCTION legacy_reason_code(text) IS
    'Maps a free-text stock reason from before migration 012 to a reason code (the original text is kept in the note).';

ALTER TABLE stock_movements
    ADD COLUMN note      text NOT NULL DEFAULT '' CHECK (char_length(note) <= 1000),
    ADD COLUMN reference text NOT NULL DEFAULT '' CHECK (char_length(reference) <= 200),
    ADD COLUMN token_id  bigint REFERENCES api_tokens (id) ON DELETE RESTRICT,
    -- Existing rows read 'legacy' (a constant default rewrites nothing);
    -- a row inserted without one is 'internal'.
    ADD COLUMN source    text NOT NULL DEFAULT 'legacy'
        CHECK (source IN ('api', 'seed', 'job', 'internal', 'legacy'));
ALTER TABLE stock_movements ALTER COLUMN source SET DEFAULT 'internal';
ALTER TABLE stock_movements ADD CONSTRAINT stock_movements_token_source_check
    CHECK ((token_id IS NOT NULL) = (source = 'api'));

-- SET reads the old reason on both sides.
UPDATE stock_movements
   SET note = CASE WHEN lower(btrim(reason)) = legacy_reason_code(reason) THEN '' ELSE reason END,
       reason = legacy_reason_code(reason)
 WHERE reason NOT IN ('received', 'correction', 'count', 'damaged', 'shrinkage', 'return', 'restock',
                      'order', 'cancel', 'initial', 'other', 'transfer_out', 'transfer_in',
                      'transfer_return', 'write_off_damaged', 'write_off_missing', 'write_off_other');

ALTER TABLE stock_movements DROP CONSTRAINT stock_movements_reason_check;
ALTER TABLE stock_movements ADD CONSTRAINT stock_movements_reason_check CHECK (reason IN (
    'received', 'correction', 'count', 'damaged', 'shrinkage', 'return', 'restock', 'initial', 'other',
    'order', 'cancel', 'transfer_out', 'transfer_in', 'transfer_return',
    'write_off_damaged', 'write_off_missing', 'write_off_other'));

-- GET .../movements/?token_id=: one row's movements by one token, newest
-- first, read from this index in order (the row's other movements are not
-- visited).
CREATE INDEX stock_movements_row_token_idx ON stock_movements (store_id, product_id, token_id, id DESC)
    WHERE token_id IS NOT NULL;

ALTER TABLE orders
    ADD COLUMN placed_by_token_id    bigint REFERENCES api_tokens (id) ON DELETE RESTRICT,
    ADD COLUMN cancelled_by_token_id bigint REFERENCES api_tokens (id) ON DELETE RESTRICT,
    ADD COLUMN source text NOT NULL DEFAULT 'legacy' CHECK (source IN ('api', 'seed', 'job', 'internal', 'legacy'));
ALTER TABLE orders ALTER COLUMN source SET DEFAULT 'internal';
ALTER TABLE orders ADD CONSTRAINT orders_token_source_check
    CHECK ((placed_by_token_id IS NOT NULL) = (source = 'api'));

ALTER TABLE transfers
    ADD COLUMN created_by_token_id   bigint REFERENCES api_tokens (id) ON DELETE RESTRICT,
    ADD COLUMN shipped_by_token_id   bigint REFERENCES api_tokens (id) ON DELETE RESTRICT,
    ADD COLUMN cancelled_by_token_id bigint REFERENCES api_tokens (id) ON DELETE RESTRICT,
    ADD COLUMN source text NOT NULL DEFAULT 'legacy' CHECK (source IN ('api', 'seed', 'job', 'internal', 'legacy'));
ALTER TABLE transfers ALTER COLUMN source SET DEFAULT 'internal';
ALTER TABLE transfers ADD CONSTRAINT transfers_token_source_check
    CHECK ((created_by_token_id IS NOT NULL) = (source = 'api'));

ALTER TABLE transfer_receipts
    ADD COLUMN token_id bigint REFERENCES api_tokens (id) ON DELETE RESTRICT,
    ADD COLUMN source text NOT NULL DEFAULT 'legacy' CHECK (source IN ('api', 'seed', 'job', 'internal', 'legacy'));
ALTER TABLE transfer_receipts ALTER COLUMN source SET DEFAULT 'internal';
ALTER TABLE transfer_receipts ADD CONSTRAINT transfer_receipts_token_source_check
    CHECK ((token_id IS NOT NULL) = (source = 'api'));

---- create above / drop below ----

ALTER TABLE transfer_receipts DROP COLUMN token_id, DROP COLUMN source;
ALTER TABLE transfers DROP COLUMN created_by_token_id, DROP COLUMN shipped_by_token_id,
    DROP COLUMN cancelled_by_token_id, DROP COLUMN source;
ALTER TABLE orders DROP COLUMN placed_by_token_id, DROP COLUMN cancelled_by_token_id, DROP COLUMN source;
DROP INDEX stock_movements_row_token_idx;
-- Back to free text: a legacy row's original words, a newer row's code
-- and its note.
ALTER TABLE stock_movements DROP CONSTRAINT stock_movements_reason_check;
UPDATE stock_movements
   SET reason = left(CASE WHEN source = 'legacy' THEN note ELSE reason || ': ' || note END, 200)
 WHERE btrim(note) <> '';
ALTER TABLE stock_movements ADD CONSTRAINT stock_movements_reason_check CHECK (char_length(btrim(reason)) BETWEEN 1 AND 200);
ALTER TABLE stock_movements DROP COLUMN note, DROP COLUMN reference, DROP COLUMN token_id, DROP COLUMN source;
DROP FUNCTION legacy_reason_code(text);
