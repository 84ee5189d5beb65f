package db

import (
	"context"
	"fmt"
	"io"
	"math"
	"math/big"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/schollz/progressbar/v3"
)

// Seed limits. Beyond the templates, categories reuse them with a number;
// the other bounds only catch typos that would run for hours.
const (
	MaxSeedCategories = 1000       // categories per seed
	MaxSeedProducts   = 10_000_000 // products per seed
	MaxSeedStores     = 10_000     // stores per seed

	// maxStockedPerStore caps how many products one store stocks, so a huge
	// catalogue does not make the inventory table explode.
	maxStockedPerStore = 10_000
)

// SeedOptions says what Seed generates. The same options (Seed and Now
// included) always produce exactly the same rows, ids included.
type SeedOptions struct {
	Categories int
	Products   int
	Stores     int
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

// SeedResult counts the rows Seed wrote.
type SeedResult struct {
	Categories int
	Products   int
	Stores     int
	// Inventory counts inventory rows; each also has one stock movement.
	Inventory int
}

// DefaultSeedOptions returns the defaults of `aforrod seed`: 15 categories,
// 1,200 products and 25 stores from seed 1, anchored at the start of the
// current UTC day.
func DefaultSeedOptions() SeedOptions {
	return SeedOptions{Categories: 15, Products: 1200, Stores: 25, Seed: 1}
}

// Validate reports the first option out of range.
func (o SeedOptions) Validate() error {
	switch {
	case o.Categories < 1 || o.Categories > MaxSeedCategories:
		return fmt.Errorf("categories must be between 1 and %d, not %d", MaxSeedCategories, o.Categories)
	case o.Products < 1 || o.Products > MaxSeedProducts:
		return fmt.Errorf("products must be between 1 and %d, not %d", MaxSeedProducts, o.Products)
	case o.Stores < 1 || o.Stores > MaxSeedStores:
		return fmt.Errorf("stores must be between 1 and %d, not %d", MaxSeedStores, o.Stores)
	}
	return nil
}

// NotEmptyError is returned by Seed when the database already holds data and
// Reset is false.
type NotEmptyError struct {
	Products, Stores int64
}

// Error implements the error interface with a one-line explanation.
func (e *NotEmptyError) Error() string {
	return fmt.Sprintf("database is not empty (%d products, %d stores); use --reset to replace its data",
		e.Products, e.Stores)
}

// IsEmpty reports whether the catalogue is empty: no category, product, store
// or inventory row. `aforrod dev` seeds only an empty database.
func (d *DB) IsEmpty(ctx context.Context) (bool, error) {
	var empty bool
	err := d.Pool.QueryRow(ctx, `
		SELECT NOT (EXISTS (SELECT 1 FROM categories) OR EXISTS (SELECT 1 FROM products)
		         OR EXISTS (SELECT 1 FROM stores) OR EXISTS (SELECT 1 FROM inventory))`).Scan(&empty)
	if err != nil {
		return false, fmt.Errorf("check whether the database is empty: %w", err)
	}
	return empty, nil
}

// Seed fills the database with realistic sample data: categories, products
// with believable titles, descriptions and prices, stores, their inventory and
// one "initial" stock movement per inventory row (so every row's ledger sums
// to its quantity). Everything is written in one transaction with COPY, so a
// failure leaves nothing half-written.
//
// Inventory density: each store stocks a random 20-30% of the catalogue, but
// at most 10,000 products, so 1,000,000 products in 100 stores stay around
// 1,000,000 inventory rows. About 5% of the rows are at zero, 10% are low
// (1-5) and the rest hold 6-200 units.
//
// Seed refuses a database that holds any category, product, store or
// inventory row with a *NotEmptyError, unless opts.Reset is set: then it
// truncates every data table first (in the same transaction) and restarts
// their identities. API tokens survive, but a token scoped to stores is
// revoked, since its store scope would otherwise vanish and widen it to
// every store.
//
// While it loads, Seed holds exclusive locks on the catalogue tables (it
// rebuilds their indexes after the load), so other sessions wait for it.
func (d *DB) Seed(ctx context.Context, opts SeedOptions) (SeedResult, error) {
	if err := opts.Validate(); err != nil {
		return SeedResult{}, err
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now().UTC().Truncate(24 * time.Hour)
	}
	s := newSeeder(opts)
	err := d.InTx(ctx, pgx.TxOptions{}, func(tx pgx.Tx) error {
		if err := prepareForSeed(ctx, tx, opts.Reset); err != nil {
			return err
		}
		return s.load(ctx, tx)
	})
	if err != nil {
		if s.bar != nil {
			_ = s.bar.Clear()
			_ = s.bar.Exit()
		}
		return SeedResult{}, err
	}
	return s.result, nil
}

// prepareForSeed empties the data tables (reset) or checks that they are
// empty, holding locks so a concurrent seed cannot interleave.
func prepareForSeed(ctx context.Context, tx pgx.Tx, reset bool) error {
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

// Independent random streams per phase, so changing one count does not
// reshuffle the data of the other phases.
const (
	streamStores = iota + 1
	streamProducts
	streamStock
	streamBrands
)

// seeder generates the rows of one Seed call.
type seeder struct {
	opts   SeedOptions
	start  time.Time     // one year before opts.Now
	span   time.Duration // opts.Now - start
	cats   []seedCategory
	stocks []int // products stocked by each store (index: store id - 1)
	bar    *progressbar.ProgressBar
	result SeedResult
}

// seedCategory is one generated category and the template it follows.
type seedCategory struct {
	id          int64
	name        string
	tmpl        *categoryTemplate
	nouns       []groupNoun   // every group's nouns, most popular first
	titles      [][]segment   // the category's title patterns
	groupTitles [][][]segment // per group: its own title patterns, or nil
	intros      [][]segment
}

// groupNoun is a noun and where it sits in its category's groups.
type groupNoun struct {
	seedNoun
	group, index int
}

func newSeeder(opts SeedOptions) *seeder {
	start := opts.Now.AddDate(-1, 0, 0)
	s := &seeder{opts: opts, start: start, span: opts.Now.Sub(start)}
	for i := range opts.Categories {
		t := &seedTemplates[i%len(seedTemplates)]
		name := t.name
		if round := i / len(seedTemplates); round > 0 {
			name += " " + strconv.Itoa(round+1) // "Electronics 2": unique ignoring case
		}
		intros := t.intros
		if intros == nil {
			intros = defaultIntros
		}
		c := seedCategory{id: int64(i + 1), name: name, tmpl: t,
			titles: parsePatterns(t.titles), intros: parsePatterns(intros)}
		// Interleave the groups' nouns so each group's favourites sit near
		// the head of the category's popularity order.
		for j := 0; len(c.nouns) < countNouns(t); j++ {
			for gi, grp := range t.groups {
				if j < len(grp.nouns) {
					c.nouns = append(c.nouns, groupNoun{grp.nouns[j], gi, j})
				}
			}
		}
		for _, grp := range t.groups {
			var titles [][]segment
			if grp.titles != nil {
				titles = parsePatterns(grp.titles)
			}
			c.groupTitles = append(c.groupTitles, titles)
		}
		s.cats = append(s.cats, c)
	}
	s.stocks = stockCounts(opts)
	total := int64(opts.Products) + 1 // the final ANALYZE counts as one step
	for _, n := range s.stocks {
		total += 2 * int64(n) // an inventory row and its movement
	}
	if opts.Progress != nil {
		s.bar = progressbar.NewOptions64(total,
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
	return s
}

func countNouns(t *categoryTemplate) int {
	n := 0
	for _, g := range t.groups {
		n += len(g.nouns)
	}
	return n
}

// stockCounts decides how many products each store stocks: a 20-30% share of
// the catalogue, capped at maxStockedPerStore. The shares are stratified
// (each store draws from its own slice of the 20-30% range, slices shuffled)
// so the total stays close to 25% of products × stores whatever the seed.
func stockCounts(opts SeedOptions) []int {
	r := newRand(opts.Seed, streamStock, 0)
	bands := r.Perm(opts.Stores)
	counts := make([]int, opts.Stores)
	for i := range counts {
		share := 0.20 + 0.10*(float64(bands[i])+r.Float64())/float64(opts.Stores)
		n := int(math.Round(share * float64(opts.Products)))
		counts[i] = max(1, min(n, maxStockedPerStore, opts.Products))
	}
	return counts
}

// load writes every table in dependency order and leaves the identity
// sequences after the explicit ids.
func (s *seeder) load(ctx context.Context, tx pgx.Tx) error {
	steps := []struct {
		table   string
		columns []string
		src     func() *rowSource
	}{
		{"categories", []string{"id", "name"}, s.categoryRows},
		{"stores", []string{"id", "name", "location"}, s.storeRows},
		{"products", []string{"id", "title", "description", "price", "category_id", "created_at", "stocked_stores"}, s.productRows},
		{"inventory", []string{"id", "store_id", "product_id", "quantity", "updated_at"}, s.inventoryRows},
		{"stock_movements", []string{"id", "store_id", "product_id", "delta", "quantity_before",
			"quantity_after", "reason", "created_at"}, s.movementRows},
	}
	// Building an index once over loaded rows is several times faster than
	// growing it row by row, and one join validates a foreign key faster
	// than a trigger per row, so the big tables load bare. JIT compiles
	// every big statement anew here (a few hundred milliseconds each) for
	// expressions that are cheap next to the work around them.
	if _, err := tx.Exec(ctx, `SET LOCAL maintenance_work_mem = '256MB'; SET LOCAL jit = off`); err != nil {
		return fmt.Errorf("set up the bulk load: %w", err)
	}
	restore, err := DropForBulkLoad(ctx, tx, []string{"products", "inventory", "stock_movements"})
	if err != nil {
		return err
	}
	if s.bar != nil {
		s.bar.ChangeMax64(s.bar.GetMax64() + int64(len(restore)))
	}
	counts := map[string]int64{}
	for _, st := range steps {
		if s.bar != nil {
			s.bar.Describe(st.table)
		}
		src := st.src()
		var n int64
		var err error
		switch st.table {
		case "products":
			n, err = copyProducts(ctx, tx, st.columns, src)
		case "inventory":
			n, err = copyInventory(ctx, tx, st.columns, src)
		default:
			n, err = tx.CopyFrom(ctx, pgx.Identifier{st.table}, st.columns, src)
		}
		if err != nil {
			return fmt.Errorf("copy %s: %w", st.table, err)
		}
		src.flushProgress()
		counts[st.table] = n
		// Explicit ids leave the identity behind; move it past them so the
		// next INSERT without an id does not collide.
		if n > 0 {
			_, err = tx.Exec(ctx, `SELECT setval(pg_get_serial_sequence($1, 'id'), $2)`, st.table, n)
			if err != nil {
				return fmt.Errorf("advance the %s id sequence: %w", st.table, err)
			}
		}
	}
	if s.bar != nil {
		s.bar.Describe("indexes")
	}
	for _, stmt := range restore {
		if _, err := tx.Exec(ctx, stmt); err != nil {
			return fmt.Errorf("restore after bulk load: %s: %w", stmt, err)
		}
		if s.bar != nil {
			_ = s.bar.Add(1)
		}
	}
	// Fresh statistics, so the first queries after seeding get good plans
	// instead of waiting for autovacuum.
	if s.bar != nil {
		s.bar.Describe("analyze")
	}
	if _, err := tx.Exec(ctx, `ANALYZE categories, stores, products, inventory, stock_movements`); err != nil {
		return fmt.Errorf("analyze seeded tables: %w", err)
	}
	if s.bar != nil {
		_ = s.bar.Add(1) // finishes the bar, which clears it
	}
	s.result = SeedResult{
		Categories: int(counts["categories"]),
		Products:   int(counts["products"]),
		Stores:     int(counts["stores"]),
		Inventory:  int(counts["inventory"]),
	}
	return nil
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

// copyInventory loads the inventory without the trigger that adds each
// row's store to its product's stocked_stores (migration 005): productRows
// wrote those lists with the products, and the trigger would rewrite a
// product row per inventory row.
func copyInventory(ctx context.Context, tx pgx.Tx, columns []string, src pgx.CopyFromSource) (int64, error) {
	if _, err := tx.Exec(ctx, `ALTER TABLE inventory DISABLE TRIGGER inventory_stocked_stores_insert`); err != nil {
		return 0, fmt.Errorf("disable the stock trigger: %w", err)
	}
	n, err := tx.CopyFrom(ctx, pgx.Identifier{"inventory"}, columns, src)
	if err != nil {
		return 0, err
	}
	if _, err := tx.Exec(ctx, `ALTER TABLE inventory ENABLE TRIGGER inventory_stocked_stores_insert`); err != nil {
		return 0, fmt.Errorf("enable the stock trigger: %w", err)
	}
	return n, nil
}

// rowSource streams generated rows into COPY, one at a time, so a million
// products never sit in memory at once. fill writes the next row into vals
// and reports false when there are no more.
type rowSource struct {
	vals    []any
	fill    func(vals []any) bool
	bar     *progressbar.ProgressBar
	pending int // rows not yet reported to bar
}

func (s *seeder) newSource(columns int, counted bool, fill func([]any) bool) *rowSource {
	src := &rowSource{vals: make([]any, columns), fill: fill}
	if counted {
		src.bar = s.bar
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

func (s *seeder) categoryRows() *rowSource {
	i := 0
	return s.newSource(2, false, func(v []any) bool {
		if i == len(s.cats) {
			return false
		}
		v[0], v[1] = s.cats[i].id, s.cats[i].name
		i++
		return true
	})
}

// storeRows names stores after a city and a neighbourhood ("Austin
// Riverside"), each pair used once before any repeats with a number.
func (s *seeder) storeRows() *rowSource {
	r := newRand(s.opts.Seed, streamStores, 0)
	pairs := len(storeCities) * len(storeAreas)
	order := r.Perm(pairs)
	id := 0
	return s.newSource(3, false, func(v []any) bool {
		if id == s.opts.Stores {
			return false
		}
		pair := order[id%pairs]
		city := storeCities[pair/len(storeAreas)]
		town, _, _ := strings.Cut(city, ",")
		name := town + " " + storeAreas[pair%len(storeAreas)]
		if round := id / pairs; round > 0 {
			name += " " + strconv.Itoa(round+1)
		}
		street := storeStreets[r.IntN(len(storeStreets))]
		location := fmt.Sprintf("%d %s, %s", 10+r.IntN(2990), street, city)
		id++
		v[0], v[1], v[2] = int64(id), name, location
		return true
	})
}

// productRows generates the catalogue. Product ids follow creation time, as
// they would in a live system: product i was created in the i-th slice of
// the year before Now.
func (s *seeder) productRows() *rowSource {
	r := newRand(s.opts.Seed, streamProducts, 0)
	g := newProductGen(r, s.opts.Seed, s.cats)
	n := s.opts.Products
	stocked := s.stockedStores()
	id := 0
	return s.newSource(7, true, func(v []any) bool {
		if id == n {
			return false
		}
		id++
		c, title, desc, cents := g.next()
		created := s.start.Add(time.Duration((float64(id-1) + r.Float64()) / float64(n) * float64(s.span)))
		v[0], v[1], v[2] = int64(id), title, desc
		v[3] = pgtype.Numeric{Int: big.NewInt(cents), Exp: -2, Valid: true}
		v[4], v[5], v[6] = c.id, created.Truncate(time.Second), stocked.of(id)
		return true
	})
}

// productStores lists the stores of each product in compressed sparse rows:
// product p's are stores[start[p-1]:start[p]], in store order.
type productStores struct {
	start  []int32
	stores []int64
}

func (ps productStores) of(p int) []int64 { return ps.stores[ps.start[p-1]:ps.start[p]] }

// stockedStores walks the inventory the seed will write and lists, per
// product, the stores that have it in stock: the products' stocked_stores
// (migration 005), written with them rather than by the inventory trigger.
func (s *seeder) stockedStores() productStores {
	type pair struct{ product, store int32 }
	var pairs []pair
	w := s.newStockWalker()
	for w.advance() {
		if w.current.quantity > 0 {
			pairs = append(pairs, pair{int32(w.current.product), int32(w.current.store)})
		}
	}
	ps := productStores{start: make([]int32, s.opts.Products+1), stores: make([]int64, len(pairs))}
	for _, x := range pairs {
		ps.start[x.product]++
	}
	for p := 1; p <= s.opts.Products; p++ {
		ps.start[p] += ps.start[p-1]
	}
	// The walker goes store by store, so each product's stores come in order.
	next := slices.Clone(ps.start)
	for _, x := range pairs {
		ps.stores[next[x.product-1]] = int64(x.store)
		next[x.product-1]++
	}
	return ps
}

// stockRow is one generated inventory row.
type stockRow struct {
	id, store, product int64
	quantity           int32
	updated            time.Time
}

// stockWalker generates the inventory rows store by store. It is
// deterministic, so the movements pass replays exactly the rows the
// inventory pass wrote without keeping them in memory.
type stockWalker struct {
	s       *seeder
	perm    []int32 // a permutation of product indexes, partially shuffled per store
	store   int     // current store id
	picked  []int32 // the current store's products, in id order
	next    int     // index into picked
	r       *rand.Rand
	lastID  int64
	current stockRow
}

func (s *seeder) newStockWalker() *stockWalker {
	perm := make([]int32, s.opts.Products)
	for i := range perm {
		perm[i] = int32(i)
	}
	return &stockWalker{s: s, perm: perm}
}

// advance moves to the next inventory row and reports false after the last.
func (w *stockWalker) advance() bool {
	for w.next == len(w.picked) {
		if w.store == len(w.s.stocks) {
			return false
		}
		w.store++
		w.pickProducts()
	}
	p := int64(w.picked[w.next]) + 1
	w.next++
	w.lastID++
	w.current = stockRow{id: w.lastID, store: int64(w.store), product: p,
		quantity: stockQuantity(w.r), updated: w.s.stockedAt(p, w.r)}
	return true
}

// pickProducts chooses the current store's products: a partial Fisher-Yates
// shuffle takes a uniform sample in O(count), then sorting it writes the rows
// in (store, product) order, which keeps index inserts local.
func (w *stockWalker) pickProducts() {
	w.r = newRand(w.s.opts.Seed, streamStock, uint64(w.store))
	k := w.s.stocks[w.store-1]
	n := len(w.perm)
	w.picked = w.picked[:0]
	for j := range k {
		x := j + w.r.IntN(n-j)
		w.perm[j], w.perm[x] = w.perm[x], w.perm[j]
		w.picked = append(w.picked, w.perm[j])
	}
	slices.Sort(w.picked)
	w.next = 0
}

// stockQuantity draws a quantity: ~5% zero, ~10% low (1-5), the rest 6-200
// with most stock toward the low end, as in a real shop.
func stockQuantity(r *rand.Rand) int32 {
	switch u := r.Float64(); {
	case u < 0.05:
		return 0
	case u < 0.15:
		return 1 + r.Int32N(5)
	default:
		return 6 + int32(min(194, r.ExpFloat64()*40))
	}
}

// stockedAt picks when a store last stocked product p: after the product was
// created (the end of its slice of the year) and before Now.
func (s *seeder) stockedAt(p int64, r *rand.Rand) time.Time {
	created := s.start.Add(time.Duration(float64(p) / float64(s.opts.Products) * float64(s.span)))
	return created.Add(time.Duration(r.Float64() * float64(s.opts.Now.Sub(created)))).Truncate(time.Second)
}

func (s *seeder) inventoryRows() *rowSource {
	w := s.newStockWalker()
	return s.newSource(5, true, func(v []any) bool {
		if !w.advance() {
			return false
		}
		c := w.current
		v[0], v[1], v[2], v[3], v[4] = c.id, c.store, c.product, c.quantity, c.updated
		return true
	})
}

// movementRows writes the "initial" ledger row of every inventory row, with
// the same id: 0 -> quantity (a zero row gets a zero delta, so every row has
// exactly one initial movement).
func (s *seeder) movementRows() *rowSource {
	w := s.newStockWalker()
	return s.newSource(8, true, func(v []any) bool {
		if !w.advance() {
			return false
		}
		c := w.current
		v[0], v[1], v[2], v[3] = c.id, c.store, c.product, c.quantity
		v[4], v[5], v[6], v[7] = int32(0), c.quantity, "initial", c.updated
		return true
	})
}

// productGen draws product titles, descriptions and prices.
type productGen struct {
	r       *rand.Rand
	seed    uint64
	cats    []seedCategory
	cumul   []float64 // cumulative category weights
	zipfs   []categoryZipfs
	colors  *rand.Zipf
	b, desc strings.Builder
}

// categoryZipfs skews a category's word choices: a few words are very common,
// most are rare.
type categoryZipfs struct {
	brand, tail, noun *rand.Zipf
	adj, spec         []*rand.Zipf // per noun group
}

// Brand mix: named brands make up most titles; the rest come from a long
// tail of generated lesser-known brands, as on a marketplace. The tail makes
// the tens of thousands of rare words a large catalogue has.
const (
	brandTail       = 8000
	tailBrandChance = 0.25
)

func newProductGen(r *rand.Rand, seed uint64, cats []seedCategory) *productGen {
	g := &productGen{r: r, seed: seed, cats: cats}
	total := 0.0
	for _, c := range cats {
		total += c.tmpl.weight
		g.cumul = append(g.cumul, total)
		z := categoryZipfs{
			brand: rand.NewZipf(r, 1.1, 2, uint64(len(c.tmpl.brands)-1)),
			tail:  rand.NewZipf(r, 1.02, 10, brandTail-1),
			noun:  rand.NewZipf(r, 1.1, 3, uint64(len(c.nouns)-1)),
		}
		for _, grp := range c.tmpl.groups {
			z.adj = append(z.adj, rand.NewZipf(r, 1.2, 2, uint64(len(grp.adjectives)-1)))
			z.spec = append(z.spec, rand.NewZipf(r, 1.3, 1, uint64(len(grp.specs)-1)))
		}
		g.zipfs = append(g.zipfs, z)
	}
	g.colors = rand.NewZipf(r, 1.3, 1, uint64(len(seedColors)-1))
	return g
}

// Title slots, filled by expand.
const (
	slotBrand = iota
	slotAdj
	slotNoun
	slotNoun2
	slotSpec
	slotColor
	slotModel
	slotAdjLower
	slotNounLower
	slotFeature
	slotFeature2
	slotFeature3
	slotThese // "this" or "these", agreeing with the noun
	slotCount
)

var slotNames = map[string]int{
	"brand": slotBrand, "adj": slotAdj, "noun": slotNoun, "noun2": slotNoun2, "spec": slotSpec,
	"color": slotColor, "model": slotModel, "adjl": slotAdjLower, "nounl": slotNounLower,
	"feature": slotFeature, "feature2": slotFeature2, "feature3": slotFeature3, "these": slotThese,
}

// segment is literal text followed by a slot (-1: none).
type segment struct {
	text string
	slot int
}

// parsePatterns splits "{brand} {noun}" patterns once, so generating a
// million titles does no parsing.
func parsePatterns(patterns []string) [][]segment {
	out := make([][]segment, len(patterns))
	for i, p := range patterns {
		for p != "" {
			lit, rest, ok := strings.Cut(p, "{")
			if !ok {
				out[i] = append(out[i], segment{text: p, slot: -1})
				break
			}
			name, after, ok := strings.Cut(rest, "}")
			slot, known := slotNames[name]
			if !ok || !known {
				panic(fmt.Sprintf("seed template %q: bad placeholder %q", patterns[i], name))
			}
			out[i] = append(out[i], segment{text: lit, slot: slot})
			p = after
		}
	}
	return out
}

// next draws one product: its category, title, description and price in cents.
func (g *productGen) next() (*seedCategory, string, string, int64) {
	r := g.r
	ci := sort.SearchFloat64s(g.cumul, r.Float64()*g.cumul[len(g.cumul)-1])
	ci = min(ci, len(g.cats)-1)
	c, z, t := &g.cats[ci], &g.zipfs[ci], g.cats[ci].tmpl
	n := c.nouns[z.noun.Uint64()]
	grp := &t.groups[n.group]

	var slots [slotCount]string
	if r.Float64() < tailBrandChance {
		slots[slotBrand] = g.tailBrand(ci, z.tail.Uint64())
	} else {
		slots[slotBrand] = t.brands[z.brand.Uint64()]
	}
	slots[slotAdj] = grp.adjectives[z.adj[n.group].Uint64()]
	slots[slotNoun] = n.word
	// A second, different noun from the same group, for titles like "The
	// River of Stars".
	slots[slotNoun2] = n.word
	if len(grp.nouns) > 1 {
		slots[slotNoun2] = grp.nouns[(n.index+1+r.IntN(len(grp.nouns)-1))%len(grp.nouns)].word
	}
	slots[slotSpec] = grp.specs[z.spec[n.group].Uint64()]
	slots[slotColor] = seedColors[g.colors.Uint64()]
	slots[slotModel] = g.model()
	slots[slotAdjLower] = lowerWords(slots[slotAdj])
	slots[slotThese] = "this"
	if strings.HasSuffix(n.word, "s") && !strings.HasSuffix(n.word, "ss") { // "Headphones", not "Glass"
		slots[slotThese] = "these"
	}
	slots[slotNounLower] = lowerWords(n.word)
	f := r.Perm(len(grp.features))
	for i, slot := range []int{slotFeature, slotFeature2, slotFeature3} {
		slots[slot] = grp.features[f[i%len(f)]]
	}

	titles := c.titles
	if c.groupTitles[n.group] != nil {
		titles = c.groupTitles[n.group]
	}
	g.b.Reset()
	expand(&g.b, titles[r.IntN(len(titles))], &slots)
	title := g.b.String()

	g.desc.Reset()
	expand(&g.desc, c.intros[r.IntN(len(c.intros))], &slots)
	for _, i := range r.Perm(len(t.details))[:min(len(t.details), 1+r.IntN(2))] {
		g.desc.WriteByte(' ')
		g.desc.WriteString(t.details[i])
	}
	if r.IntN(2) == 0 {
		g.desc.WriteByte(' ')
		g.desc.WriteString(genericDetails[r.IntN(len(genericDetails))])
	}
	return c, title, g.desc.String(), price(r, n.min, n.max)
}

func expand(b *strings.Builder, segs []segment, slots *[slotCount]string) {
	for _, s := range segs {
		b.WriteString(s.text)
		if s.slot >= 0 {
			b.WriteString(slots[s.slot])
		}
	}
}

// tailBrand returns the i-th generated brand of category cat ("Velora",
// "Brantix", or an author's name for books): a pure function of the seed, cat and i, so every product that
// draws i shares the name.
func (g *productGen) tailBrand(cat int, i uint64) string {
	h := mix(mix(g.seed^streamBrands, uint64(cat)), i)
	pick := func(words []string) string {
		w := words[h%uint64(len(words))]
		h /= uint64(len(words))
		return w
	}
	if g.cats[cat].tmpl.authors {
		return pick(authorFirst) + " " + pick(authorLast)
	}
	var b strings.Builder
	b.WriteString(pick(brandOnsets))
	b.WriteString(pick(brandVowels))
	b.WriteString(pick(brandMids))
	if h%4 == 0 { // now and then a third syllable
		h /= 4
		b.WriteString(pick(brandVowels))
		b.WriteString(pick(brandMids))
	}
	b.WriteString(pick(brandEnds))
	name := b.String()
	return strings.ToUpper(name[:1]) + name[1:]
}

// model returns a model code such as "X240" or "MX-500".
func (g *productGen) model() string {
	prefix := modelLetters[g.r.IntN(len(modelLetters))]
	num := strconv.Itoa(10 * (1 + g.r.IntN(99)))
	if len(prefix) > 1 {
		return prefix + "-" + num
	}
	return prefix + num
}

// price draws a price between lo and hi whole units, log-uniformly (cheap
// items are more common than dear ones), with a shop-like ending: 24.99,
// 9.49, 1299.00.
func price(r *rand.Rand, lo, hi int64) int64 {
	p := math.Exp(math.Log(float64(lo)) + r.Float64()*(math.Log(float64(hi))-math.Log(float64(lo))))
	whole := int64(p)
	switch {
	case whole >= 200:
		whole = whole/10*10 + 9 // 1299.99 rather than 1293.99
	case whole < 1:
		whole = 1
	}
	var cents int64
	switch u := r.Float64(); {
	case u < 0.65:
		cents = 99
	case u < 0.80:
		cents = 49
	case u < 0.90:
		cents = 95
	default:
		cents = 0
	}
	return whole*100 + cents
}

// lowerWords lowercases the plain words of s ("Gaming Laptop" -> "gaming
// laptop", "T-Shirt" -> "t-shirt") but keeps acronyms and brand-like words
// ("USB-C", "4K", "OLED") as they are.
func lowerWords(s string) string {
	words := strings.Fields(s)
	for i, w := range words {
		plain := true
		for part := range strings.SplitSeq(w, "-") {
			if part == "" || part[0] < 'A' || part[0] > 'Z' || strings.IndexFunc(part[1:], notLower) >= 0 {
				plain = false
			}
		}
		if plain && len(w) > 1 {
			words[i] = strings.ToLower(w)
		}
	}
	return strings.Join(words, " ")
}

func notLower(r rune) bool { return (r < 'a' || r > 'z') && r != '\'' }

// newRand returns an independent generator for one stream of one seed.
func newRand(seed, stream, n uint64) *rand.Rand {
	return rand.New(rand.NewPCG(mix(seed, stream), mix(stream<<32|n, seed)))
}

// mix combines two values into a well-spread 64-bit hash (splitmix64's finalizer).
func mix(a, b uint64) uint64 {
	z := a ^ (b+0x9e3779b97f4a7c15)*0xbf58476d1ce4e5b9
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}
