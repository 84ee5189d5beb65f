-- Search and autocomplete. PostgreSQL keeps every structure below current by
-- itself, whatever writes the products (the API, the seed's COPY, psql):
--
--   products.search_vector  the weighted full-text document: title A,
--                           category name B, description C ('english'),
--                           set by a row trigger, recomputed when a category
--                           is renamed, served by sixteen partial GIN
--                           indexes that also hold the category.
--   search_titles           one row per distinct title ignoring case, with
--                           the title's words: autocomplete reads this narrow
--                           table (about 60 bytes a row) instead of a million
--                           wide product rows. Its C-collated primary key
--                           serves title prefixes in alphabetical order; a GIN
--                           index on the words finds the titles holding a word.
--   search_words            every distinct title word ('simple': lower case,
--                           unstemmed), how many titles have it and the first
--                           of those alphabetically: words are completed
--                           (C-collated btree) and typos corrected (trigram
--                           GIN) against ~40,000 words, not a million titles.
--
-- The two tables are maintained by statement-level triggers with transition
-- tables, so a bulk load pays one grouped upsert rather than one per row.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- The one definition of a product's search document.
CREATE FUNCTION product_search_document(title text, category_name text, description text)
RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT setweight(to_tsvector('pg_catalog.english', title), 'A')
        || setweight(to_tsvector('pg_catalog.english', coalesce(category_name, '')), 'B')
        || setweight(to_tsvector('pg_catalog.english', description), 'C')
$$;

-- The tsquery of a search: q in web-search syntax (every word required,
-- "quoted phrases", -excluded words, or), and the word still being typed,
-- prefix, matched both as a whole (stemmed) word and as the start of a word.
-- Only letters and digits may form a prefix term; anything else in prefix
-- is searched as ordinary words.
CREATE FUNCTION search_tsquery(q text, prefix text)
RETURNS tsquery LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN prefix ~ '^[[:alnum:]]+$' THEN
                websearch_to_tsquery('pg_catalog.english', q)
                && (to_tsquery('pg_catalog.english', prefix) || to_tsquery('pg_catalog.simple', prefix || ':*'))
           ELSE websearch_to_tsquery('pg_catalog.english', concat_ws(' ', q, prefix))
           END
$$;

-- q with every operand restricted to the given weights ('A': the title;
-- 'AB': title and category), so that document @@ the result is
-- ts_filter(document, weights) @@ q without building the filtered copy.
-- Operands are rewritten in q's text form, where each is a quoted lexeme
-- (quotes doubled inside) with an optional :* and weights.
CREATE FUNCTION search_tsquery_weights(q tsquery, weights text)
RETURNS tsquery LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT regexp_replace(q::text, '(''(?:[^'']|'''')*'')(?::(\*?)[A-D]*)?', '\1:\2' || weights, 'g')::tsquery
$$;

-- The words of a title as autocomplete sees them: distinct 'simple' lexemes.
CREATE FUNCTION search_title_words(title text)
RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT tsvector_to_array(to_tsvector('pg_catalog.simple', title))
$$;

-- The words of an autocomplete query, in order, as the titles' words were
-- made: the lower-case whole tokens of the default parser. A hyphenated word
-- stays one word ("usb-c"); its parts, which the titles also hold, are left
-- out, so that each word is one the matching titles must have. The parser and
-- token types are named by their built-in ids (pg_ts_parser.dat,
-- ts_token_type('default')): by name they are looked up again on every call,
-- which costs more than the parsing. Left out: 9-11 hyphenated word parts,
-- 12 blank, 13 tag, 14 protocol, 23 entity.
CREATE FUNCTION search_query_words(q text)
RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(lower(p.token) ORDER BY p.n), '{}')
      FROM ts_parse(3722, q) WITH ORDINALITY AS p(tokid, token, n)
     WHERE p.tokid NOT IN (9, 10, 11, 12, 13, 14, 23)
$$;

-- A regular expression matching text in which a word starts with q (both
-- lower case): q follows the start or a character that is not a letter or a
-- digit. Every other non-alphanumeric character of q is escaped, which ARE
-- reads as that character literally.
CREATE FUNCTION search_word_prefix_regex(q text)
RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT '(^|[^[:alnum:]])' || regexp_replace(q, '([^[:alnum:][:space:]])', '\\\1', 'g')
$$;

-- Whether a word of title_lower starts with q (both lower case), as
-- title_lower ~ search_word_prefix_regex(q) says, but without running the
-- regular expression for the titles that answer at once: those without q
-- (strpos) and those with q at their start or after a space. Regular
-- expressions cost a few microseconds a title, which adds up over the
-- thousands of candidates of a two-word autocomplete.
CREATE FUNCTION search_word_prefix_match(title_lower text, q text)
RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN strpos(title_lower, q) = 0 THEN false
                WHEN strpos(' ' || title_lower, ' ' || q) > 0 THEN true
                ELSE title_lower ~ search_word_prefix_regex(q) END
$$;

-- A LIKE pattern matching text that starts with q literally.
CREATE FUNCTION search_like_prefix(q text)
RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT replace(replace(replace(q, '\', '\\'), '%', '\%'), '_', '\_') || '%'
$$;

ALTER TABLE products ADD COLUMN search_vector tsvector NOT NULL DEFAULT '';
COMMENT ON COLUMN products.search_vector IS
    'Weighted full-text document (title A, category name B, description C); maintained by triggers.';

UPDATE products p SET search_vector = product_search_document(p.title, c.name, p.description)
  FROM categories c WHERE c.id = p.category_id;

-- The category's name is read once per transaction and category and kept in
-- a transaction-local setting, so a bulk load pays one lookup per category,
-- not one per product. Reading it FOR SHARE holds off a concurrent rename
-- until this transaction ends: the rename's refresh below then sees every
-- product this transaction wrote, and no document keeps an old name.
CREATE FUNCTION products_set_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    cached text := 'aforro.category_name_' || NEW.category_id;
    category_name text := current_setting(cached, true); -- '' or NULL when not cached
BEGIN
    IF coalesce(category_name, '') = '' THEN
        SELECT c.name INTO category_name FROM categories c WHERE c.id = NEW.category_id FOR SHARE;
        IF FOUND THEN
            PERFORM set_config(cached, category_name, true);
        END IF;
    END IF;
    NEW.search_vector := product_search_document(NEW.title, category_name, NEW.description);
    RETURN NEW;
END
$$;
CREATE TRIGGER products_search_vector
    BEFORE INSERT OR UPDATE OF title, description, category_id ON products
    FOR EACH ROW EXECUTE FUNCTION products_set_search_vector();

-- A renamed category changes the B part of every document in it (and the
-- name cached by the trigger above, should this transaction add products).
CREATE FUNCTION categories_refresh_search_vectors() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('aforro.category_name_' || NEW.id, NEW.name, true);
    UPDATE products p
       SET search_vector = product_search_document(p.title, NEW.name, p.description)
     WHERE p.category_id = NEW.id;
    RETURN NULL;
END
$$;
CREATE TRIGGER categories_search_vectors
    AFTER UPDATE OF name ON categories
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name)
    EXECUTE FUNCTION categories_refresh_search_vectors();

-- The full-text index comes in sixteen parts, one partial GIN index per
-- value of (id / 256) % 16, that is runs of 256 consecutive ids taken in
-- turn (db/search.go's searchChunks and searchPart). PostgreSQL builds the
-- whole bitmap of a GIN scan before it returns a row, so one index made a
-- word in 100,000 products cost tens of milliseconds even when the search
-- stops at its first thousand hits; a search reads the parts in turn, and a
-- common word fills the cap from the first, whose rows (a sixteenth of the
-- table's pages) stay in the buffer cache. Each part also holds the category
-- (btree_gin), so a search in a category intersects the two inside the
-- index instead of reading every product of the word to test it. The parts
-- together build as fast as the single index did.
CREATE EXTENSION IF NOT EXISTS btree_gin;
DO $$
BEGIN
    FOR k IN 0..15 LOOP
        EXECUTE format('CREATE INDEX products_search_%s_idx ON products USING gin (search_vector, category_id) WHERE (id / 256) %% 16 = %s', k, k);
    END LOOP;
END
$$;

-- What the planner expects a search to find, from the same statistics it
-- plans with: the products matching tsq (in category, unless NULL), those
-- priced between min_price and max_price (either NULL for no bound; all
-- products when both are), and the products in stock at store (NULL: none
-- asked). db/search.go weighs these to choose how a filtered search reads
-- its hits; EXPLAIN costs a tenth of a millisecond, where counting can cost
-- a hundred.
CREATE FUNCTION search_estimates(tsq tsquery, category bigint, min_price numeric, max_price numeric, store bigint,
    OUT matches double precision, OUT priced double precision, OUT stocked double precision)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    plan json;
BEGIN
    EXECUTE format('EXPLAIN (FORMAT JSON) SELECT 1 FROM products p WHERE p.search_vector @@ %L::tsquery', tsq)
        || CASE WHEN category IS NULL THEN '' ELSE format(' AND p.category_id = %s', category) END INTO plan;
    matches := (plan->0->'Plan'->>'Plan Rows')::double precision;
    SELECT greatest(c.reltuples, 1) INTO priced FROM pg_class c WHERE c.oid = 'products'::regclass;
    IF min_price IS NOT NULL OR max_price IS NOT NULL THEN
        EXECUTE format('EXPLAIN (FORMAT JSON) SELECT 1 FROM products p WHERE p.price >= %L AND p.price <= %L',
                       coalesce(min_price, 0), coalesce(max_price, 'Infinity'::numeric)) INTO plan;
        priced := (plan->0->'Plan'->>'Plan Rows')::double precision;
    END IF;
    IF store IS NOT NULL THEN
        EXECUTE format('EXPLAIN (FORMAT JSON) SELECT 1 FROM inventory i WHERE i.store_id = %s AND i.quantity > 0', store) INTO plan;
        stocked := (plan->0->'Plan'->>'Plan Rows')::double precision;
    END IF;
END
$$;

CREATE TABLE search_titles (
    title_lower text COLLATE "C" PRIMARY KEY,
    title       text NOT NULL,    -- the spelling shown: the first one loaded
    words       text[] NOT NULL,  -- search_title_words(title)
    products    integer NOT NULL  -- how many products have this title
);
COMMENT ON TABLE search_titles IS
    'Distinct product titles ignoring case, for autocomplete; maintained by triggers on products.';
CREATE INDEX search_titles_words_idx ON search_titles USING gin (words);

-- first_titles answers "the first titles, alphabetically, with a word that
-- starts with q" without sorting every title that holds a common word: for
-- each word it keeps the first titles (search_first_titles_max() of them, by
-- title_lower) that hold it after their start. A title that starts with the
-- word is left out: it also starts with every prefix of the word, so
-- autocomplete finds it among the titles that start with q. tail_titles
-- counts every such title, so a list shorter than that is known to be cut.
CREATE TABLE search_words (
    word         text COLLATE "C" PRIMARY KEY,
    titles       integer NOT NULL,             -- search_titles rows holding the word
    tail_titles  integer NOT NULL DEFAULT 0,   -- ... other than at their start
    first_titles text[] NOT NULL DEFAULT '{}'  -- the first of those, alphabetically
);
COMMENT ON TABLE search_words IS
    'Distinct lower-case title words, how many titles have each and the first of them; maintained by triggers on products.';
CREATE INDEX search_words_trgm_idx ON search_words USING gin (word gin_trgm_ops);

-- How many titles search_words.first_titles keeps per word: autocomplete shows
-- ten, and the spare ones absorb titles a query filters out.
CREATE FUNCTION search_first_titles_max() RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT 16';

-- The first search_first_titles_max() titles of a and b together, distinct
-- ignoring case, in title_lower order.
CREATE FUNCTION search_merge_titles(a text[], b text[])
RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(t.title ORDER BY t.title_lower), '{}')
      FROM (SELECT DISTINCT ON (lower(x) COLLATE "C") x AS title, lower(x) COLLATE "C" AS title_lower
              FROM unnest(a || b) AS x
             ORDER BY lower(x) COLLATE "C", x
             LIMIT search_first_titles_max()) t
$$;

-- search_titles_apply adds deltas[i] products to the title changed[i] and
-- keeps search_words in step with the titles it creates and drops. Each table
-- is changed by one upsert in key order, titles before words, so concurrent
-- writers lock rows in one global order and cannot deadlock here (the later
-- statements touch only rows the upserts locked). A count below zero is only
-- ever transient, so there is no CHECK on it.
CREATE FUNCTION search_titles_apply(changed text[], deltas integer[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    WITH d AS (
        SELECT lower(t.title) AS title_lower, min(t.title) AS title, sum(t.delta)::integer AS delta
          FROM unnest(changed, deltas) AS t(title, delta)
         GROUP BY 1
        HAVING sum(t.delta) <> 0
    ), up AS (
        INSERT INTO search_titles AS s (title_lower, title, words, products)
        SELECT d.title_lower, d.title, search_title_words(d.title), d.delta FROM d ORDER BY d.title_lower
        ON CONFLICT (title_lower) DO UPDATE SET products = s.products + EXCLUDED.products
        RETURNING s.title_lower, s.title, s.words, s.products
    ), created_or_gone AS (
        -- +1 for a title that now exists and did not (its count equals the
        -- delta just added), -1 for a title no product has any more.
        SELECT up.title_lower, up.title, up.words, CASE WHEN up.products <= 0 THEN -1 ELSE 1 END AS delta
          FROM up JOIN d USING (title_lower)
         WHERE up.products <= 0 OR (up.products = d.delta AND d.delta > 0)
    ), pairs AS (
        SELECT x.word, c.title, c.title_lower, c.delta,
               c.title_lower NOT LIKE search_like_prefix(x.word) AS tail
          FROM created_or_gone c, unnest(c.words) AS x(word)
    )
    INSERT INTO search_words AS w (word, titles, tail_titles, first_titles)
    SELECT p.word, sum(p.delta), coalesce(sum(p.delta) FILTER (WHERE p.tail), 0),
           coalesce((array_agg(p.title ORDER BY p.title_lower) FILTER (WHERE p.tail AND p.delta > 0))
                    [1:search_first_titles_max()], '{}')
      FROM pairs p
     GROUP BY p.word
     ORDER BY p.word
    ON CONFLICT (word) DO UPDATE
       SET titles = w.titles + EXCLUDED.titles,
           tail_titles = w.tail_titles + EXCLUDED.tail_titles,
           first_titles = CASE WHEN EXCLUDED.first_titles = '{}' THEN w.first_titles
                               ELSE search_merge_titles(w.first_titles, EXCLUDED.first_titles) END;

    -- Only a removal can leave a count at zero; a bulk insert skips this.
    IF EXISTS (SELECT 1 FROM unnest(deltas) AS d(delta) WHERE d.delta < 0) THEN
        WITH gone AS (
            DELETE FROM search_titles s USING unnest(changed) AS t(title)
             WHERE s.title_lower = lower(t.title) AND s.products <= 0
            RETURNING s.title, s.words
        ), by_word AS (
            SELECT x.word, array_agg(g.title) AS gone FROM gone g, unnest(g.words) AS x(word) GROUP BY x.word
        )
        UPDATE search_words w
           SET first_titles = ARRAY(SELECT u.t FROM unnest(w.first_titles) WITH ORDINALITY AS u(t, n)
                                     WHERE u.t <> ALL (b.gone) ORDER BY u.n)
          FROM by_word b WHERE w.word = b.word;
        -- A list that lost titles while more exist is refilled from the
        -- titles themselves (the GIN index on words finds them).
        UPDATE search_words w
           SET first_titles = ARRAY(SELECT t.title FROM search_titles t
                                     WHERE t.words @> ARRAY[w.word]
                                       AND t.title_lower NOT LIKE search_like_prefix(w.word)
                                     ORDER BY t.title_lower LIMIT search_first_titles_max())
         WHERE w.word IN (SELECT x.word FROM unnest(changed) AS t(title), unnest(search_title_words(t.title)) AS x(word))
           AND cardinality(w.first_titles) < least(search_first_titles_max(), w.tail_titles);
        DELETE FROM search_words
         WHERE titles <= 0
           AND word IN (SELECT x.word FROM unnest(changed) AS t(title), unnest(search_title_words(t.title)) AS x(word));
    END IF;

    -- After a bulk load, merge the GIN pending lists (every query reads them
    -- through) and refresh the statistics, so the next autocomplete is planned
    -- and served well without waiting for autovacuum.
    IF cardinality(changed) > 10000 THEN
        PERFORM gin_clean_pending_list('search_titles_words_idx'::regclass);
        PERFORM gin_clean_pending_list('search_words_trgm_idx'::regclass);
        ANALYZE search_titles, search_words;
    END IF;
END
$$;

CREATE FUNCTION search_titles_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM search_titles_apply(array_agg(x.title), array_agg(x.n))
       FROM (SELECT min(r.title) AS title, count(*)::integer AS n FROM new_rows r GROUP BY lower(r.title)) x;
    RETURN NULL;
END
$$;

CREATE FUNCTION search_titles_after_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM search_titles_apply(array_agg(x.title), array_agg(x.n))
       FROM (SELECT min(r.title) AS title, -count(*)::integer AS n FROM old_rows r GROUP BY lower(r.title)) x;
    RETURN NULL;
END
$$;

-- Only rows whose title changed count: a price or category change costs two
-- anti-joins over the statement's rows and nothing else.
CREATE FUNCTION search_titles_after_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM search_titles_apply(array_agg(x.title), array_agg(x.n))
       FROM (SELECT r.title, 1 AS n FROM new_rows r
              WHERE NOT EXISTS (SELECT 1 FROM old_rows o WHERE o.id = r.id AND o.title = r.title)
             UNION ALL
             SELECT r.title, -1 FROM old_rows r
              WHERE NOT EXISTS (SELECT 1 FROM new_rows n WHERE n.id = r.id AND n.title = r.title)) x;
    RETURN NULL;
END
$$;

CREATE FUNCTION search_titles_after_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE search_titles, search_words;
    RETURN NULL;
END
$$;

CREATE TRIGGER products_search_titles_insert AFTER INSERT ON products
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION search_titles_after_insert();
CREATE TRIGGER products_search_titles_update AFTER UPDATE ON products
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION search_titles_after_update();
CREATE TRIGGER products_search_titles_delete AFTER DELETE ON products
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION search_titles_after_delete();
CREATE TRIGGER products_search_titles_truncate AFTER TRUNCATE ON products
    FOR EACH STATEMENT EXECUTE FUNCTION search_titles_after_truncate();

-- The products already there, through the same function the triggers use.
SELECT search_titles_apply(array_agg(x.title), array_agg(x.n))
  FROM (SELECT min(title) AS title, count(*)::integer AS n FROM products GROUP BY lower(title)) x;

---- create above / drop below ----

DROP TRIGGER products_search_titles_truncate ON products;
DROP TRIGGER products_search_titles_delete ON products;
DROP TRIGGER products_search_titles_update ON products;
DROP TRIGGER products_search_titles_insert ON products;
DROP FUNCTION search_titles_after_truncate();
DROP FUNCTION search_titles_after_update();
DROP FUNCTION search_titles_after_delete();
DROP FUNCTION search_titles_after_insert();
DROP FUNCTION search_titles_apply(text[], integer[]);
DROP FUNCTION search_merge_titles(text[], text[]);
DROP FUNCTION search_first_titles_max();
DROP TABLE search_words;
DROP FUNCTION search_estimates(tsquery, bigint, numeric, numeric, bigint);
DROP TABLE search_titles;
DO $$
BEGIN
    FOR k IN 0..15 LOOP
        EXECUTE format('DROP INDEX products_search_%s_idx', k);
    END LOOP;
END
$$;
DROP TRIGGER categories_search_vectors ON categories;
DROP FUNCTION categories_refresh_search_vectors();
DROP TRIGGER products_search_vector ON products;
DROP FUNCTION products_set_search_vector();
ALTER TABLE products DROP COLUMN search_vector;
DROP FUNCTION search_like_prefix(text);
DROP FUNCTION search_query_words(text);
DROP FUNCTION search_word_prefix_match(text, text);
DROP FUNCTION search_word_prefix_regex(text);
DROP FUNCTION search_title_words(text);
DROP FUNCTION search_tsquery_weights(tsquery, text);
DROP FUNCTION search_tsquery(text, text);
DROP FUNCTION product_search_document(text, text, text);
