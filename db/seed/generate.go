package seed

import (
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/aforro/aforro"
)

// maxStockedPerStore caps how many products one store stocks, so a huge
// catalogue does not make the inventory table explode. Options.Dense lifts it.
const maxStockedPerStore = 10_000

// Independent random streams per phase, so changing one count does not
// reshuffle the data of the other phases.
const (
	streamStores = iota + 1
	streamProducts
	streamStock
	streamBrands
)

// generator generates the rows of one data set. Every row is a pure
// function of the options, so the same options give the same rows.
type generator struct {
	opts   Options
	start  time.Time     // one year before opts.Now
	span   time.Duration // opts.Now - start
	cats   []category
	stocks []int // products stocked by each store (index: store id - 1)
	// The products' titles, categories and prices (index: product id - 1),
	// kept by productRows for the inventory rows that repeat them
	// (migrations 008 and 014).
	titles      []string
	productCats []int64
	prices      []pgtype.Numeric
}

// category is one generated category and the template it follows.
type category struct {
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
	noun
	group, index int
}

func newGenerator(opts Options) *generator {
	start := opts.Now.AddDate(-1, 0, 0)
	g := &generator{opts: opts, start: start, span: opts.Now.Sub(start)}
	for i := range opts.Categories {
		t := &templates[i%len(templates)]
		name := t.name
		if round := i / len(templates); round > 0 {
			name += " " + strconv.Itoa(round+1) // "Electronics 2": unique ignoring case
		}
		intros := t.intros
		if intros == nil {
			intros = defaultIntros
		}
		c := category{id: int64(i + 1), name: name, tmpl: t,
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
		g.cats = append(g.cats, c)
	}
	g.stocks = stockCounts(opts)
	return g
}

func countNouns(t *categoryTemplate) int {
	n := 0
	for _, g := range t.groups {
		n += len(g.nouns)
	}
	return n
}

// stockCounts decides how many products each store stocks: a 20-30% share of
// the catalogue, capped at maxStockedPerStore unless opts.Dense. The shares
// are the same either way (the cap only cuts them), and they are stratified
// (each store draws from its own slice of the 20-30% range, slices shuffled)
// so the total stays close to 25% of products × stores whatever the seed.
func stockCounts(opts Options) []int {
	r := newRand(opts.Seed, streamStock, 0)
	bands := r.Perm(opts.Stores)
	counts := make([]int, opts.Stores)
	for i := range counts {
		share := 0.20 + 0.10*(float64(bands[i])+r.Float64())/float64(opts.Stores)
		n := min(int(math.Round(share*float64(opts.Products))), opts.Products)
		if !opts.Dense {
			n = min(n, maxStockedPerStore)
		}
		counts[i] = max(1, n)
	}
	return counts
}

// table is one generated table: its name, its columns and its rows, whose
// values come in the order of the columns.
type table struct {
	name    string
	columns []string
	rows    func() rowFunc
}

// rowFunc writes the next row of a table into vals and reports false after
// the last row.
type rowFunc func(vals []any) bool

// tables lists the generated tables in dependency order. Each table's rows
// start when its rows function is called.
func (g *generator) tables() []table {
	return []table{
		{"categories", []string{"id", "name"}, g.categoryRows},
		{"stores", []string{"id", "name", "location"}, g.storeRows},
		{"products", []string{"id", "title", "description", "price", "category_id", "created_at", "updated_at", "stocked_stores",
			"sku", "barcodes", "barcode_keys"}, g.productRows},
		{"inventory", []string{"id", "store_id", "product_id", "quantity", "updated_at", "product_title", "category_id", "product_price"}, g.inventoryRows},
		{"stock_movements", []string{"id", "store_id", "product_id", "delta", "quantity_before",
			"quantity_after", "reason", "created_at", "source"}, g.movementRows},
	}
}

func (g *generator) categoryRows() rowFunc {
	i := 0
	return func(v []any) bool {
		if i == len(g.cats) {
			return false
		}
		v[0], v[1] = g.cats[i].id, g.cats[i].name
		i++
		return true
	}
}

// storeRows names stores after a city and a neighbourhood ("Austin
// Riverside"), each pair used once before any repeats with a number.
func (g *generator) storeRows() rowFunc {
	r := newRand(g.opts.Seed, streamStores, 0)
	pairs := len(storeCities) * len(storeAreas)
	order := r.Perm(pairs)
	id := 0
	return func(v []any) bool {
		if id == g.opts.Stores {
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
	}
}

// productRows generates the catalogue. Product ids follow creation time, as
// they would in a live system: product i was created in the i-th slice of
// the year before Now.
func (g *generator) productRows() rowFunc {
	r := newRand(g.opts.Seed, streamProducts, 0)
	pg := newProductGen(r, g.opts.Seed, g.cats)
	n := g.opts.Products
	stocked := g.stockedStores()
	g.titles, g.productCats, g.prices = make([]string, 0, n), make([]int64, 0, n), make([]pgtype.Numeric, 0, n)
	id := 0
	return func(v []any) bool {
		if id == n {
			return false
		}
		id++
		c, title, desc, cents := pg.next()
		created := g.start.Add(time.Duration((float64(id-1) + r.Float64()) / float64(n) * float64(g.span)))
		v[0], v[1], v[2] = int64(id), title, desc
		v[3] = pgtype.Numeric{Int: big.NewInt(cents), Exp: -2, Valid: true}
		created = created.Truncate(time.Second)
		v[4], v[5], v[6], v[7] = c.id, created, created, stocked.of(id)
		v[8], v[9], v[10] = productCodes(id, c.name)
		g.titles, g.productCats, g.prices = append(g.titles, title), append(g.productCats, c.id), append(g.prices, v[3].(pgtype.Numeric))
		return true
	}
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
func (g *generator) stockedStores() productStores {
	type pair struct{ product, store int32 }
	// Sized for every row up front: a dense seed has 25 million, and growing
	// the slice by appends would hold up to three times that at once.
	total := 0
	for _, n := range g.stocks {
		total += n
	}
	pairs := make([]pair, 0, total)
	w := g.newStockWalker()
	for w.advance() {
		if w.current.quantity > 0 {
			pairs = append(pairs, pair{int32(w.current.product), int32(w.current.store)})
		}
	}
	ps := productStores{start: make([]int32, g.opts.Products+1), stores: make([]int64, len(pairs))}
	for _, x := range pairs {
		ps.start[x.product]++
	}
	for p := 1; p <= g.opts.Products; p++ {
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
	g       *generator
	perm    []int32 // a permutation of product indexes, partially shuffled per store
	store   int     // current store id
	picked  []int32 // the current store's products, in id order
	next    int     // index into picked
	r       *rand.Rand
	lastID  int64
	current stockRow
}

func (g *generator) newStockWalker() *stockWalker {
	perm := make([]int32, g.opts.Products)
	for i := range perm {
		perm[i] = int32(i)
	}
	return &stockWalker{g: g, perm: perm}
}

// advance moves to the next inventory row and reports false after the last.
func (w *stockWalker) advance() bool {
	for w.next == len(w.picked) {
		if w.store == len(w.g.stocks) {
			return false
		}
		w.store++
		w.pickProducts()
	}
	p := int64(w.picked[w.next]) + 1
	w.next++
	w.lastID++
	w.current = stockRow{id: w.lastID, store: int64(w.store), product: p,
		quantity: stockQuantity(w.r), updated: w.g.stockedAt(p, w.r)}
	return true
}

// pickProducts chooses the current store's products: a partial Fisher-Yates
// shuffle takes a uniform sample in O(count), then sorting it writes the rows
// in (store, product) order, which keeps index inserts local.
func (w *stockWalker) pickProducts() {
	w.r = newRand(w.g.opts.Seed, streamStock, uint64(w.store))
	k := w.g.stocks[w.store-1]
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
func (g *generator) stockedAt(p int64, r *rand.Rand) time.Time {
	created := g.start.Add(time.Duration(float64(p) / float64(g.opts.Products) * float64(g.span)))
	return created.Add(time.Duration(r.Float64() * float64(g.opts.Now.Sub(created)))).Truncate(time.Second)
}

func (g *generator) inventoryRows() rowFunc {
	w := g.newStockWalker()
	return func(v []any) bool {
		if !w.advance() {
			return false
		}
		c := w.current
		v[0], v[1], v[2], v[3], v[4] = c.id, c.store, c.product, c.quantity, c.updated
		v[5], v[6], v[7] = g.titles[c.product-1], g.productCats[c.product-1], g.prices[c.product-1]
		return true
	}
}

// movementRows writes the "initial" ledger row of every inventory row, with
// the same id: 0 -> quantity (a zero row gets a zero delta, so every row has
// exactly one initial movement).
func (g *generator) movementRows() rowFunc {
	w := g.newStockWalker()
	return func(v []any) bool {
		if !w.advance() {
			return false
		}
		c := w.current
		v[0], v[1], v[2], v[3] = c.id, c.store, c.product, c.quantity
		// The seed records itself as the maker (no token: migration 012).
		v[4], v[5], v[6], v[7], v[8] = int32(0), c.quantity, aforro.ReasonInitial, c.updated, aforro.SourceSeed
		return true
	}
}

// productGen draws product titles, descriptions and prices.
type productGen struct {
	r       *rand.Rand
	seed    uint64
	cats    []category
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

func newProductGen(r *rand.Rand, seed uint64, cats []category) *productGen {
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
	g.colors = rand.NewZipf(r, 1.3, 1, uint64(len(colors)-1))
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
func (g *productGen) next() (*category, string, string, int64) {
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
	slots[slotColor] = colors[g.colors.Uint64()]
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
