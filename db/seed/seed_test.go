package seed_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/aforro/aforro/db"
	"github.com/aforro/aforro/db/dbtest"
	"github.com/aforro/aforro/db/seed"
)

func TestMain(m *testing.M) { os.Exit(dbtest.Main(m)) }

// seedNow is a fixed anchor so seeded rows are comparable across runs.
var seedNow = time.Date(2025, 3, 14, 0, 0, 0, 0, time.UTC)

// seeded returns a fresh database seeded with opts.
func seeded(t *testing.T, opts seed.Options) (*db.DB, seed.Result) {
	t.Helper()
	d := dbtest.Open(t)
	res, err := seed.Run(context.Background(), d, opts)
	if err != nil {
		t.Fatalf("seed: %v", err)
	}
	return d, res
}

func defaultOpts() seed.Options {
	o := seed.DefaultOptions()
	o.Now = seedNow
	return o
}

// TestSeedDefaults checks the shape of the default data set.
func TestSeedDefaults(t *testing.T) {
	t.Parallel()
	d, res := seeded(t, defaultOpts())
	if res.Inventory < 7000 {
		t.Errorf("inventory rows = %d, want at least 7000", res.Inventory)
	}
	want := seed.Result{Categories: 15, Products: 1200, Stores: 25, Inventory: res.Inventory}
	if diff := cmp.Diff(want, res); diff != "" {
		t.Errorf("result (-want +got):\n%s", diff)
	}
	counts := map[string]int64{}
	for _, table := range []string{"categories", "products", "stores", "inventory", "stock_movements"} {
		counts[table] = dbtest.QueryInt(t, d, "SELECT count(*) FROM "+table)
	}
	wantCounts := map[string]int64{"categories": 15, "products": 1200, "stores": 25,
		"inventory": int64(res.Inventory), "stock_movements": int64(res.Inventory)}
	if diff := cmp.Diff(wantCounts, counts); diff != "" {
		t.Errorf("row counts (-want +got):\n%s", diff)
	}

	checks := []struct {
		name string
		sql  string
		want func(n int64) bool
	}{
		{"rows whose ledger does not sum to the quantity", `
			SELECT count(*) FROM inventory i
			LEFT JOIN (SELECT store_id, product_id, sum(delta) AS total, count(*) AS n
			           FROM stock_movements GROUP BY store_id, product_id) m USING (store_id, product_id)
			WHERE m.total IS DISTINCT FROM i.quantity OR m.n <> 1`, eq(0)},
		{"movements that are not 'initial' from 0 without an order", `
			SELECT count(*) FROM stock_movements
			WHERE reason <> 'initial' OR quantity_before <> 0 OR order_id IS NOT NULL`, eq(0)},
		{"zero rows", `SELECT count(*) FROM inventory WHERE quantity = 0`, between(150, 750)},
		{"low rows (1-5)", `SELECT count(*) FROM inventory WHERE quantity BETWEEN 1 AND 5`, between(400, 1300)},
		{"rows above 200", `SELECT count(*) FROM inventory WHERE quantity > 200`, eq(0)},
		{"products created outside the year before now", `
			SELECT count(*) FROM products
			WHERE created_at < $1::timestamptz - interval '1 year' OR created_at > $1`, eq(0)},
		{"products created in the last month", `
			SELECT count(*) FROM products WHERE created_at > $1::timestamptz - interval '1 month'`, between(50, 150)},
		{"inventory updated before its product existed or after now", `
			SELECT count(*) FROM inventory i JOIN products p ON p.id = i.product_id
			WHERE i.updated_at < p.created_at OR i.updated_at > $1`, eq(0)},
		{"prices not positive with two places", `
			SELECT count(*) FROM products WHERE price <= 0 OR price::text !~ '^[0-9]+\.[0-9]{2}$'`, eq(0)},
		{"distinct prices", `SELECT count(DISTINCT price) FROM products`, between(300, 1200)},
		{"empty categories", `
			SELECT count(*) FROM categories c WHERE NOT EXISTS (SELECT 1 FROM products p WHERE p.category_id = c.id)`, eq(0)},
		{"stores stocking outside 20-30% of the catalogue", `
			SELECT count(*) FROM (SELECT store_id, count(*) AS n FROM inventory GROUP BY store_id) s
			WHERE n < 240 OR n > 360`, eq(0)},
		{"distinct store names", `SELECT count(DISTINCT name) FROM stores`, eq(25)},
		// The seed builds the search structures in bulk, not through the
		// triggers; they must come out as the triggers would make them.
		{"search documents that differ from the trigger's", `
			SELECT count(*) FROM products p JOIN categories c ON c.id = p.category_id
			WHERE p.search_vector IS DISTINCT FROM product_search_document(p.title, c.name, p.description)`, eq(0)},
		{"autocomplete titles that differ from the products' titles", `
			SELECT count(*) FROM (SELECT lower(title) COLLATE "C" AS title_lower, count(*)::integer AS products
			                        FROM products GROUP BY 1) p
			FULL JOIN search_titles s USING (title_lower)
			WHERE s.products IS DISTINCT FROM p.products`, eq(0)},
		{"products whose stocked_stores differ from the inventory", dbtest.StockDrift, eq(0)},
		{"triggers left disabled", `
			SELECT count(*) FROM pg_trigger WHERE tgrelid IN ('products'::regclass, 'inventory'::regclass) AND tgenabled = 'D'`, eq(0)},
		{"blank descriptions or locations", `
			SELECT (SELECT count(*) FROM products WHERE description = '') +
			       (SELECT count(*) FROM stores WHERE location = '')`, eq(0)},
	}
	for _, c := range checks {
		args := []any{}
		if strings.Contains(c.sql, "$1") {
			args = append(args, seedNow)
		}
		if n := dbtest.QueryInt(t, d, c.sql, args...); !c.want(n) {
			t.Errorf("%s: %d", c.name, n)
		}
	}
}

func eq(want int64) func(int64) bool { return func(n int64) bool { return n == want } }

func between(lo, hi int64) func(int64) bool { return func(n int64) bool { return n >= lo && n <= hi } }

// TestSeedTitleWords checks that title words are skewed like a real
// catalogue's: a few very common words, a long tail of rare ones.
func TestSeedTitleWords(t *testing.T) {
	t.Parallel()
	d, _ := seeded(t, defaultOpts())
	rows, err := d.Pool.Query(context.Background(), `SELECT title FROM products`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	freq := map[string]int{}
	for rows.Next() {
		var title string
		if err := rows.Scan(&title); err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, w := range strings.FieldsFunc(strings.ToLower(title), func(r rune) bool {
			return r == ' ' || r == ',' || r == '(' || r == ')' || r == ':'
		}) {
			if !seen[w] {
				seen[w] = true
				freq[w]++
			}
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	common, rare := 0, 0
	for _, n := range freq {
		if n >= 60 { // in 5% of the titles or more
			common++
		}
		if n <= 2 {
			rare++
		}
	}
	if common < 3 || common > len(freq)/10 {
		t.Errorf("%d of %d words appear in 60+ titles; want a few", common, len(freq))
	}
	if rare < len(freq)/3 {
		t.Errorf("%d of %d words appear in at most 2 titles; want a long tail", rare, len(freq))
	}
}

// dump returns every seeded row of every table, as JSON, ordered by id.
func dump(t *testing.T, d *db.DB) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, table := range []string{"categories", "products", "stores", "inventory", "stock_movements"} {
		rows, err := d.Pool.Query(context.Background(), "SELECT to_jsonb(t)::text FROM "+table+" t ORDER BY id")
		if err != nil {
			t.Fatalf("dump %s: %v", table, err)
		}
		for rows.Next() {
			var row string
			if err := rows.Scan(&row); err != nil {
				t.Fatalf("dump %s: %v", table, err)
			}
			out[table] = append(out[table], row)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			t.Fatalf("dump %s: %v", table, err)
		}
	}
	return out
}

// TestSeedDeterministic seeds three databases: the same seed and Now give
// identical rows, ids and times included; another seed gives other data.
func TestSeedDeterministic(t *testing.T) {
	t.Parallel()
	opts := defaultOpts()
	opts.Products, opts.Stores = 600, 10
	a, _ := seeded(t, opts)
	b, _ := seeded(t, opts)
	other := opts
	other.Seed = 2
	c, _ := seeded(t, other)

	da, db2, dc := dump(t, a), dump(t, b), dump(t, c)
	if diff := cmp.Diff(da, db2); diff != "" {
		t.Errorf("same seed, different rows (-first +second):\n%s", diff)
	}
	if len(da["products"]) != 600 {
		t.Fatalf("dumped %d products, want 600", len(da["products"]))
	}
	for _, table := range []string{"products", "stores", "inventory"} {
		if cmp.Equal(da[table], dc[table]) {
			t.Errorf("seeds 1 and 2 gave the same %s", table)
		}
	}
}

// TestSeedNonEmpty checks the refusal of a non-empty database and the
// replacement of its data with Reset.
func TestSeedNonEmpty(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	opts := defaultOpts()
	opts.Products, opts.Stores = 300, 5
	d, _ := seeded(t, opts)
	before := dump(t, d)

	empty, err := seed.IsEmpty(ctx, d)
	if err != nil || empty {
		t.Fatalf("IsEmpty after seeding = %v, %v; want false", empty, err)
	}

	_, err = seed.Run(ctx, d, opts)
	var ne *seed.NotEmptyError
	if !errors.As(err, &ne) {
		t.Fatalf("second seed: err = %v, want a *seed.NotEmptyError", err)
	}
	if want := "database is not empty (300 products, 5 stores); use --reset to replace its data"; err.Error() != want {
		t.Errorf("error = %q, want %q", err, want)
	}

	// A store-scoped token must not silently widen to every store.
	var scoped, global int64
	err = d.Pool.QueryRow(ctx, `INSERT INTO api_tokens (name, role, secret_hash)
		VALUES ('scoped', 'staff', decode(repeat('aa', 32), 'hex')) RETURNING id`).Scan(&scoped)
	if err != nil {
		t.Fatal(err)
	}
	err = d.Pool.QueryRow(ctx, `INSERT INTO api_tokens (name, role, secret_hash)
		VALUES ('global', 'admin', decode(repeat('bb', 32), 'hex')) RETURNING id`).Scan(&global)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Pool.Exec(ctx, `INSERT INTO api_token_stores (token_id, store_id) VALUES ($1, 1)`, scoped); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Pool.Exec(ctx, `INSERT INTO categories (name) VALUES ('Extra')`); err != nil {
		t.Fatal(err)
	}

	opts.Reset = true
	res, err := seed.Run(ctx, d, opts)
	if err != nil {
		t.Fatalf("seed with reset: %v", err)
	}
	if res.Products != 300 || res.Stores != 5 {
		t.Errorf("reset result = %+v", res)
	}
	if diff := cmp.Diff(before, dump(t, d)); diff != "" {
		t.Errorf("reset did not give the same data (-before +after):\n%s", diff)
	}
	revoked := map[int64]bool{}
	rows, err := d.Pool.Query(ctx, `SELECT id, revoked_at IS NOT NULL FROM api_tokens`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		var r bool
		if err := rows.Scan(&id, &r); err != nil {
			t.Fatal(err)
		}
		revoked[id] = r
	}
	rows.Close()
	if diff := cmp.Diff(map[int64]bool{scoped: true, global: false}, revoked); diff != "" {
		t.Errorf("tokens revoked after reset (-want +got):\n%s", diff)
	}
}

// TestSeedEmpty checks IsEmpty on a fresh database.
func TestSeedEmpty(t *testing.T) {
	t.Parallel()
	d := dbtest.Open(t)
	empty, err := seed.IsEmpty(context.Background(), d)
	if err != nil || !empty {
		t.Fatalf("IsEmpty on a fresh database = %v, %v; want true", empty, err)
	}
}

// TestSeedSequences checks that rows inserted without an id after seeding
// take the next id instead of colliding with the explicit ones.
func TestSeedSequences(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	opts := defaultOpts()
	opts.Products, opts.Stores, opts.Categories = 50, 2, 3
	d, res := seeded(t, opts)

	var cat, prod, store, inv, mov int64
	steps := []struct {
		name string
		sql  string
		args func() []any
		dest *int64
		want int64
	}{
		{"category", `INSERT INTO categories (name) VALUES ('Brand New') RETURNING id`,
			func() []any { return nil }, &cat, 4},
		{"product", `INSERT INTO products (title, price, category_id) VALUES ('Thing', 1, $1) RETURNING id`,
			func() []any { return []any{cat} }, &prod, 51},
		{"store", `INSERT INTO stores (name) VALUES ('New Store') RETURNING id`,
			func() []any { return nil }, &store, 3},
		{"inventory", `INSERT INTO inventory (store_id, product_id, quantity) VALUES ($1, $2, 1) RETURNING id`,
			func() []any { return []any{store, prod} }, &inv, int64(res.Inventory) + 1},
		{"movement", `INSERT INTO stock_movements (store_id, product_id, delta, quantity_before, quantity_after, reason)
			VALUES ($1, $2, 1, 0, 1, 'initial') RETURNING id`,
			func() []any { return []any{store, prod} }, &mov, int64(res.Inventory) + 1},
	}
	for _, s := range steps {
		if err := d.Pool.QueryRow(ctx, s.sql, s.args()...).Scan(s.dest); err != nil {
			t.Fatalf("insert %s: %v", s.name, err)
		}
		if *s.dest != s.want {
			t.Errorf("new %s id = %d, want %d", s.name, *s.dest, s.want)
		}
	}
}

// TestSeedManyCategories checks that categories beyond the templates get
// distinct names and that tiny catalogues work.
func TestSeedManyCategories(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts seed.Options
	}{
		{"more categories than templates", seed.Options{Categories: 45, Products: 200, Stores: 3, Seed: 7, Now: seedNow}},
		{"one of everything", seed.Options{Categories: 1, Products: 1, Stores: 1, Seed: 1, Now: seedNow}},
		{"more categories than products", seed.Options{Categories: 30, Products: 5, Stores: 2, Seed: 3, Now: seedNow}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, res := seeded(t, tt.opts)
			want := seed.Result{Categories: tt.opts.Categories, Products: tt.opts.Products,
				Stores: tt.opts.Stores, Inventory: res.Inventory}
			if diff := cmp.Diff(want, res); diff != "" {
				t.Errorf("result (-want +got):\n%s", diff)
			}
			if n := dbtest.QueryInt(t, d, `SELECT count(DISTINCT lower(name)) FROM categories`); n != int64(tt.opts.Categories) {
				t.Errorf("%d distinct category names, want %d", n, tt.opts.Categories)
			}
			if res.Inventory < tt.opts.Stores {
				t.Errorf("%d inventory rows for %d stores; every store should stock something", res.Inventory, tt.opts.Stores)
			}
		})
	}
}

// TestSeedDense seeds a catalogue big enough for the cap to matter: dense,
// each store stocks its whole 20-30% share, and the rows stay consistent
// (one initial movement each, the stocked-store lists, the copied titles).
func TestSeedDense(t *testing.T) {
	t.Parallel()
	opts := defaultOpts()
	opts.Products, opts.Stores, opts.Dense = 60_000, 2, true
	d, res := seeded(t, opts)
	if res.Inventory <= 2*10_000 {
		t.Errorf("inventory rows = %d, want more than the capped 20,000", res.Inventory)
	}
	checks := []struct {
		name string
		sql  string
		want func(n int64) bool
	}{
		{"stores stocking outside 20-30% of the catalogue", `
			SELECT count(*) FROM (SELECT store_id, count(*) AS n FROM inventory GROUP BY store_id) s
			WHERE n < 12000 OR n > 18000`, eq(0)},
		{"inventory rows", `SELECT count(*) FROM inventory`, eq(int64(res.Inventory))},
		{"inventory rows without exactly one initial movement", `
			SELECT count(*) FROM inventory i
			LEFT JOIN (SELECT store_id, product_id, sum(delta) AS total, count(*) AS n
			           FROM stock_movements GROUP BY store_id, product_id) m USING (store_id, product_id)
			WHERE m.total IS DISTINCT FROM i.quantity OR m.n <> 1`, eq(0)},
		{"movements", `SELECT count(*) FROM stock_movements`, eq(int64(res.Inventory))},
		{"products whose stocked_stores differ from the inventory", dbtest.StockDrift, eq(0)},
		{"inventory rows whose title, category or price differ from the product's", `
			SELECT count(*) FROM inventory i JOIN products p ON p.id = i.product_id
			WHERE i.product_title <> p.title OR i.category_id <> p.category_id OR i.product_price <> p.price`, eq(0)},
	}
	for _, c := range checks {
		if n := dbtest.QueryInt(t, d, c.sql); !c.want(n) {
			t.Errorf("%s: %d", c.name, n)
		}
	}
}

// TestSeedValidate checks that out-of-range options are refused before
// anything is written.
func TestSeedValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		edit func(*seed.Options)
		want string
	}{
		{"no products", func(o *seed.Options) { o.Products = 0 }, "products must be between 1 and"},
		{"no stores", func(o *seed.Options) { o.Stores = 0 }, "stores must be between 1 and"},
		{"no categories", func(o *seed.Options) { o.Categories = 0 }, "categories must be between 1 and 1000"},
		{"too many categories", func(o *seed.Options) { o.Categories = 1001 }, "categories must be between 1 and 1000"},
		{"negative products", func(o *seed.Options) { o.Products = -5 }, "products must be between 1 and"},
		{"dense beyond its bound", func(o *seed.Options) { o.Products, o.Stores, o.Dense = 1_000_000, 201, true },
			"a dense seed allows products × stores up to 200000000"},
	}
	d := dbtest.Open(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := defaultOpts()
			tt.edit(&opts)
			_, err := seed.Run(context.Background(), d, opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want one containing %q", err, tt.want)
			}
		})
	}
	if empty, err := seed.IsEmpty(context.Background(), d); err != nil || !empty {
		t.Errorf("IsEmpty after refused seeds = %v, %v; want true", empty, err)
	}
}

// schema lists the indexes, constraints and their comments of the seeded
// tables, to check that seeding (which rebuilds them around the bulk load)
// leaves the schema exactly as the migrations made it.
func schema(t *testing.T, d *db.DB) []string {
	t.Helper()
	rows, err := d.Pool.Query(context.Background(), `
		SELECT format('%s %s %s', c.relname, pg_get_indexdef(i.indexrelid), obj_description(i.indexrelid, 'pg_class'))
		FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
		WHERE i.indrelid = ANY ('{categories,products,stores,inventory,stock_movements}'::text[]::regclass[])
		UNION ALL
		SELECT format('%s %s %s %s', conname, conrelid::regclass, pg_get_constraintdef(oid),
		              obj_description(oid, 'pg_constraint'))
		FROM pg_constraint
		WHERE conrelid = ANY ('{categories,products,stores,inventory,stock_movements}'::text[]::regclass[])
		UNION ALL
		SELECT format('%s %s', pg_get_triggerdef(oid), tgenabled)
		FROM pg_trigger
		WHERE tgrelid = ANY ('{categories,products,stores,inventory,stock_movements}'::text[]::regclass[])
		  AND NOT tgisinternal
		ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestSeedKeepsSchema checks that the indexes, foreign keys and triggers
// dropped or disabled for the bulk load come back identical, comments
// included.
func TestSeedKeepsSchema(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := dbtest.Open(t)
	for _, sql := range []string{
		`COMMENT ON INDEX products_title_idx IS 'titles, for it''s the suggest index'`,
		`COMMENT ON CONSTRAINT inventory_product_id_fkey ON inventory IS 'stock needs a product'`,
	} {
		if _, err := d.Pool.Exec(ctx, sql); err != nil {
			t.Fatal(err)
		}
	}
	before := schema(t, d)
	if len(before) < 20 {
		t.Fatalf("only %d indexes and constraints found; the query is wrong", len(before))
	}
	opts := defaultOpts()
	opts.Products, opts.Stores = 100, 2
	if _, err := seed.Run(ctx, d, opts); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(before, schema(t, d)); diff != "" {
		t.Errorf("schema changed by seeding (-before +after):\n%s", diff)
	}
	// The foreign keys are enforced again.
	_, err := d.Pool.Exec(ctx, `INSERT INTO inventory (store_id, product_id, quantity) VALUES (1, 999999, 1)`)
	if err == nil || !strings.Contains(err.Error(), "inventory_product_id_fkey") {
		t.Errorf("insert of stock for a missing product: err = %v, want a foreign key violation", err)
	}
}
