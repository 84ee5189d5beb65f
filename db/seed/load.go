// Package seed fills an Aforro database with realistic, deterministic sample
// data: a generator draws categories, products, stores and their stock from
// word lists and templates, and a loader writes them in one transaction with
// COPY, rebuilding the indexes and triggers it set aside for the load. It uses
// only db's exported API; the SQL here is the seed's own.
package seed

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/schollz/progressbar/v3"

	"github.com/aforro/aforro/db"
)

// Limits of Options. Beyond the templates, categories reuse them with a
// number; the other bounds only catch typos that would run for hours.
const (
	MaxCategories = 1000       // categories per seed
	MaxProducts   = 10_000_000 // products per seed
	MaxStores     = 10_000     // stores per seed
	// MaxDenseCells bounds products × stores with Dense: at most 60 million
	// inventory rows, whose stocked-store pairs the generator holds in memory
	// (8 bytes each, and 8 more for the products' lists).
	MaxDenseCells = 200_000_000
)

// Options says what Run generates. The same options (Seed and Now included)
// always produce exactly the same rows, ids included.
type Options struct {
	Categories int
	Products   int
	Stores     int
	// Dense lets every store stock its whole 20-30% share of the catalogue,
	// without the cap of 10,000 products per store: 1,000,000 products in
	// 100 stores make about 25 million inventory rows instead of 1 million,
	// for measuring lists and summaries at a large retailer's scale. The
	// shares drawn are the same as without it.
	Dense bool
	// Seed selects the data set; two seeds give unrelated data.
	Seed uint64
	// Reset replaces existing data instead of refusing a non-empty database.
	Reset bool
	// Now anchors every generated time: products were created during the
	// year before Now. The zero value means the start of the current UTC day.
	Now time.Time
	// Progress receives a progress bar; nil means no progress output.
	Progress io.Writer
}

// Result counts the rows Run wrote.
type Result struct {
	Categories int
	Products   int
	Stores     int
	// Inventory counts inventory rows; each also has one stock movement.
	Inventory int
}

// DefaultOptions returns the defaults of `aforrod seed`: 15 categories, 1,200
// products and 25 stores from seed 1, anchored at the start of the current
// UTC day.
func DefaultOptions() Options {
	return Options{Categories: 15, Products: 1200, Stores: 25, Seed: 1}
}

// Validate reports the first option out of range.
func (o Options) Validate() error {
	switch {
	case o.Categories < 1 || o.Categories > MaxCategories:
		return fmt.Errorf("categories must be between 1 and %d, not %d", MaxCategories, o.Categories)
	case o.Products < 1 || o.Products > MaxProducts:
		return fmt.Errorf("products must be between 1 and %d, not %d", MaxProducts, o.Products)
	case o.Stores < 1 || o.Stores > MaxStores:
		return fmt.Errorf("stores must be between 1 and %d, not %d", MaxStores, o.Stores)
	case o.Dense && int64(o.Products)*int64(o.Stores) > MaxDenseCells:
		return fmt.Errorf("a dense seed allows products × stores up to %d, not %d × %d", MaxDenseCells, o.Products, o.Stores)
	}
	return nil
}

// NotEmptyError is returned by Run when the database already holds data and
// Reset is false.
type NotEmptyError struct {
	Products, Stores int64
}

// Error implements the error interface with a one-line explanation.
func (e *NotEmptyError) Error() string {
	return fmt.Sprintf("database is not empty (%d products, %d stores); use --reset to replace its data",
		e.Products, e.Stores)
}

// IsEmpty reports whether the catalogue of d is empty: no category, product,
// store or inventory row. `aforrod dev` seeds only an empty database.
func IsEmpty(ctx context.Context, d *db.DB) (bool, error) {
	var empty bool
	err := d.Pool.QueryRow(ctx, `
		SELECT NOT (EXISTS (SELECT 1 FROM categories) OR EXISTS (SELECT 1 FROM products)
		         OR EXISTS (SELECT 1 FROM stores) OR EXISTS (SELECT 1 FROM inventory))`).Scan(&empty)
	if err != nil {
		return false, fmt.Errorf("check whether the database is empty: %w", err)
	}
	return empty, nil
}

// Run fills d with realistic sample data: categories, products with
// believable titles, descriptions and prices, stores, their inventory and one
// "initial" stock movement per inventory row (so every row's ledger sums to
// its quantity). Everything is written in one transaction with COPY, so a
// failure leaves nothing half-written.
//
// Inventory density: each store stocks a random 20-30% of the catalogue, but
// at most 10,000 products unless opts.Dense, so 1,000,000 products in 100
// stores stay around 1,000,000 inventory rows (25 million when dense). About
// 5% of the rows are at zero, 10% are low (1-5) and the rest hold 6-200 units.
//
// Run refuses a database that holds any category, product, store or
// inventory row with a *NotEmptyError, unless opts.Reset is set: then it
// truncates every data table first (in the same transaction) and restarts
// their identities. API tokens survive, but a token scoped to stores is
// revoked, since its store scope would otherwise vanish and widen it to
// every store.
//
// While it loads, Run holds exclusive locks on the catalogue tables (it
// rebuilds their indexes after the load), so other sessions wait for it.
func Run(ctx context.Context, d *db.DB, opts Options) (Result, error) {
	if err := opts.Validate(); err != nil {
		return Result{}, err
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now().UTC().Truncate(24 * time.Hour)
	}
	l := newLoader(opts)
	var res Result
	err := d.InTx(ctx, pgx.TxOptions{}, func(tx pgx.Tx) error {
		if err := prepare(ctx, tx, opts.Reset); err != nil {
			return err
		}
		var err error
		res, err = l.load(ctx, tx)
		return err
	})
	if err != nil {
		if l.bar != nil {
			_ = l.bar.Clear()
			_ = l.bar.Exit()
		}
		return Result{}, err
	}
	return res, nil
}

// prepare empties the data tables (reset) or checks that they are empty,
// holding locks so a concurrent seed cannot interleave.
func prepare(ctx context.Context, tx pgx.Tx, reset bool) error {
	if reset {
		// TRUNCATE ... CASCADE also empties api_token_stores (it references
		// stores); revoke those tokens first so none silently widens to
		// every store.
		_, err := tx.Exec(ctx, `
			UPDATE api_tokens SET revoked_at = now()
			WHERE revoked_at IS NULL AND id IN (SELECT token_id FROM api_token_stores)`)
		if err != nil {
			return fmt.Errorf("revoke store-scoped tokens: %w", err)
		}
		_, err = tx.Exec(ctx, `
			TRUNCATE categories, products, stores, inventory, orders, order_items,
			         stock_movements, outbox, inventory_summaries, stocked_stores_queue
			RESTART IDENTITY CASCADE`)
		if err != nil {
			return fmt.Errorf("truncate data tables: %w", err)
		}
		return nil
	}
	// SHARE ROW EXCLUSIVE conflicts with itself and with writers, so two
	// seeds cannot both see an empty database.
	if _, err := tx.Exec(ctx, `LOCK TABLE categories, products, stores, inventory IN SHARE ROW EXCLUSIVE MODE`); err != nil {
		return fmt.Errorf("lock catalogue tables: %w", err)
	}
	var products, stores int64
	var other bool
	err := tx.QueryRow(ctx, `
		SELECT (SELECT count(*) FROM products), (SELECT count(*) FROM stores),
		       EXISTS (SELECT 1 FROM categories) OR EXISTS (SELECT 1 FROM inventory)`).
		Scan(&products, &stores, &other)
	if err != nil {
		return fmt.Errorf("check whether the database is empty: %w", err)
	}
	if products > 0 || stores > 0 || other {
		return &NotEmptyError{Products: products, Stores: stores}
	}
	return nil
}

// loader writes the generator's rows into the database, reporting progress.
type loader struct {
	gen *generator
	bar *progressbar.ProgressBar // nil without Options.Progress
}

func newLoader(opts Options) *loader {
	l := &loader{gen: newGenerator(opts)}
	total := int64(opts.Products) + 1 // the final ANALYZE counts as one step
	for _, n := range l.gen.stocks {
		total += 2 * int64(n) // an inventory row and its movement
	}
	if opts.Progress != nil {
		l.bar = progressbar.NewOptions64(total,
			progressbar.OptionSetWriter(opts.Progress),
			progressbar.OptionSetDescription("seeding"),
			progressbar.OptionSetItsString("rows"),
			progressbar.OptionShowCount(),
			progressbar.OptionShowIts(),
			progressbar.OptionSetWidth(30),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionClearOnFinish(),
		)
	}
	return l
}

// load writes every table in dependency order and leaves the identity
// sequences after the explicit ids.
func (l *loader) load(ctx context.Context, tx pgx.Tx) (Result, error) {
	// Building an index once over loaded rows is several times faster than
	// growing it row by row, and one join validates a foreign key faster
	// than a trigger per row, so the big tables load bare. JIT compiles
	// every big statement anew here (a few hundred milliseconds each) for
	// expressions that are cheap next to the work around them.
	if _, err := tx.Exec(ctx, `SET LOCAL maintenance_work_mem = '256MB'; SET LOCAL jit = off`); err != nil {
		return Result{}, fmt.Errorf("set up the bulk load: %w", err)
	}
	// The big tables are also the ones whose rows the progress bar counts.
	big := []string{"products", "inventory", "stock_movements"}
	restore, err := db.DropForBulkLoad(ctx, tx, big)
	if err != nil {
		return Result{}, err
	}
	if l.bar != nil {
		l.bar.ChangeMax64(l.bar.GetMax64() + int64(len(restore)))
	}
	counts := map[string]int64{}
	for _, t := range l.gen.tables() {
		if l.bar != nil {
			l.bar.Describe(t.name)
		}
		src := l.newSource(len(t.columns), slices.Contains(big, t.name), t.rows())
		var n int64
		var err error
		switch t.name {
		case "products":
			n, err = copyProducts(ctx, tx, t.columns, src)
		case "inventory":
			n, err = copyInventory(ctx, tx, t.columns, src)
		default:
			n, err = tx.CopyFrom(ctx, pgx.Identifier{t.name}, t.columns, src)
		}
		if err != nil {
			return Result{}, fmt.Errorf("copy %s: %w", t.name, err)
		}
		src.flushProgress()
		counts[t.name] = n
		// Explicit ids leave the identity behind; move it past them so the
		// next INSERT without an id does not collide.
		if n > 0 {
			_, err = tx.Exec(ctx, `SELECT setval(pg_get_serial_sequence($1, 'id'), $2)`, t.name, n)
			if err != nil {
				return Result{}, fmt.Errorf("advance the %s id sequence: %w", t.name, err)
			}
		}
	}
	if l.bar != nil {
		l.bar.Describe("indexes")
	}
	for _, stmt := range restore {
		if _, err := tx.Exec(ctx, stmt); err != nil {
			return Result{}, fmt.Errorf("restore after bulk load: %s: %w", stmt, err)
		}
		if l.bar != nil {
			_ = l.bar.Add(1)
		}
	}
	// Fresh statistics, so the first queries after seeding get good plans
	// instead of waiting for autovacuum.
	if l.bar != nil {
		l.bar.Describe("analyze")
	}
	if _, err := tx.Exec(ctx, `ANALYZE categories, stores, products, inventory, stock_movements`); err != nil {
		return Result{}, fmt.Errorf("analyze seeded tables: %w", err)
	}
	if l.bar != nil {
		_ = l.bar.Add(1) // finishes the bar, which clears it
	}
	return Result{
		Categories: int(counts["categories"]),
		Products:   int(counts["products"]),
		Stores:     int(counts["stores"]),
		Inventory:  int(counts["inventory"]),
	}, nil
}

// copyProducts loads the products through an unlogged staging table so that
// migration 003's search structures are built in bulk with the functions its
// triggers use, instead of by the triggers: the search documents by a
// parallel CREATE TABLE AS rather than one row at a time on one core, and the
// autocomplete tables from the staged titles rather than from a transition
// table holding every inserted row. At a million products this saves about a
// third of the seed's time. Parallel workers share the transaction, so they
// see the staged rows.
func copyProducts(ctx context.Context, tx pgx.Tx, columns []string, src pgx.CopyFromSource) (int64, error) {
	const stage, docs = "seed_products_stage", "seed_products_docs"
	if _, err := tx.Exec(ctx, `CREATE UNLOGGED TABLE `+stage+` (LIKE products INCLUDING DEFAULTS)`); err != nil {
		return 0, fmt.Errorf("create staging table: %w", err)
	}
	n, err := tx.CopyFrom(ctx, pgx.Identifier{stage}, columns, src)
	if err != nil {
		return 0, err
	}
	// The statement trigger is dropped for the INSERT and recreated as it
	// was, not disabled: PostgreSQL fills a transition table for a disabled
	// trigger too, which cost 2 s of temporary files at a million products.
	var titlesTrigger string
	if err := tx.QueryRow(ctx, `SELECT pg_get_triggerdef(oid) FROM pg_trigger
		WHERE tgrelid = 'products'::regclass AND tgname = 'products_search_titles_insert'`).Scan(&titlesTrigger); err != nil {
		return 0, fmt.Errorf("read the autocomplete trigger: %w", err)
	}
	cols := strings.Join(columns, ", ")
	for _, stmt := range []string{
		`CREATE UNLOGGED TABLE ` + docs + ` AS
		 SELECT s.*, product_search_document(s.title, c.name, s.description) AS document
		   FROM ` + stage + ` s JOIN categories c ON c.id = s.category_id`,
		`ALTER TABLE products DISABLE TRIGGER products_search_vector`,
		`DROP TRIGGER products_search_titles_insert ON products`,
		`INSERT INTO products (` + cols + `, search_vector) SELECT ` + cols + `, document FROM ` + docs + ` ORDER BY id`,
		`SELECT search_titles_apply(array_agg(x.title), array_agg(x.n))
		   FROM (SELECT min(title) AS title, count(*)::integer AS n FROM ` + stage + ` GROUP BY lower(title)) x`,
		`ALTER TABLE products ENABLE TRIGGER products_search_vector`,
		titlesTrigger,
		`DROP TABLE ` + stage + `, ` + docs,
	} {
		if _, err := tx.Exec(ctx, stmt); err != nil {
			return 0, fmt.Errorf("load staged products: %w", err)
		}
	}
	return n, nil
}

// copyInventory loads the inventory without its insert triggers: the one
// that adds each row's store to its product's stocked_stores (migration 005)
// would rewrite a product row per inventory row, and the one that copies the
// product's title, category and price (migrations 008, 014) would lock it; productRows
// wrote the lists with the products, and inventoryRows writes the copies.
func copyInventory(ctx context.Context, tx pgx.Tx, columns []string, src pgx.CopyFromSource) (int64, error) {
	setTriggers := func(action string) error {
		for _, t := range []string{"inventory_stocked_stores_insert", "inventory_copy_product"} {
			if _, err := tx.Exec(ctx, `ALTER TABLE inventory `+action+` TRIGGER `+t); err != nil {
				return fmt.Errorf("%s trigger %s: %w", strings.ToLower(action), t, err)
			}
		}
		return nil
	}
	if err := setTriggers("DISABLE"); err != nil {
		return 0, err
	}
	n, err := tx.CopyFrom(ctx, pgx.Identifier{"inventory"}, columns, src)
	if err != nil {
		return 0, err
	}
	return n, setTriggers("ENABLE")
}

// rowSource streams generated rows into COPY, one at a time, so a million
// products never sit in memory at once. fill writes the next row into vals
// and reports false when there are no more.
type rowSource struct {
	vals    []any
	fill    rowFunc
	bar     *progressbar.ProgressBar
	pending int // rows not yet reported to bar
}

// newSource streams fill's rows of columns values each; counted rows move
// the progress bar.
func (l *loader) newSource(columns int, counted bool, fill rowFunc) *rowSource {
	src := &rowSource{vals: make([]any, columns), fill: fill}
	if counted {
		src.bar = l.bar
	}
	return src
}

// Next implements pgx.CopyFromSource.
func (r *rowSource) Next() bool {
	if !r.fill(r.vals) {
		return false
	}
	if r.bar != nil {
		// Reporting in batches keeps the bar's mutex out of the hot loop.
		if r.pending++; r.pending == 4096 {
			r.flushProgress()
		}
	}
	return true
}

// Values implements pgx.CopyFromSource; pgx encodes them before the next call
// to Next, so the slice is reused.
func (r *rowSource) Values() ([]any, error) { return r.vals, nil }

// Err implements pgx.CopyFromSource; generating rows cannot fail.
func (r *rowSource) Err() error { return nil }

func (r *rowSource) flushProgress() {
	if r.bar != nil && r.pending > 0 {
		_ = r.bar.Add(r.pending)
		r.pending = 0
	}
}
