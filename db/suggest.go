package db

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/aforro/aforro"
)

// Autocomplete's statements keep the pool's cached statements: their plans
// do not depend on the values (prefixes are index ranges, not LIKE
// patterns), and planning would cost more than running them; only its rare
// fetch is planned per call, in this mode.
const execMode = pgx.QueryExecModeExec

// suggestFetchWordsMax is the most completions of its last word an
// autocomplete query of several words fetches by; past it ("usb c") the fetch
// narrows by the other words alone, since testing a title against thousands
// of words costs more than reading the titles the other words leave.
const suggestFetchWordsMax = 300

// Rough costs, in microseconds, of fetching the candidates of an
// autocomplete query of several words through the words index, measured at a
// million products: per completion of the last word (a posting list merged
// into the bitmap), per title holding a completion, and per title holding
// the other words (read and tested for the phrase).
const (
	costCompletion      = 40.0
	costCompletionTitle = 0.1
	costHeadTitle       = 0.6
)

// suggestTimeout bounds one autocomplete request in the database.
const suggestTimeout = 3 * time.Second

// Suggest answers GET /api/search/suggest/ for a trimmed q: at most
// aforro.MaxSuggestions distinct titles (ignoring case), alphabetical
// (case-insensitive) within each group: titles that start with q, then
// titles with another word that starts with q, then, when q has a word no
// title has, the titles a corrected q would find. A q that is exactly a
// product's SKU or barcode (and holds a digit, as codes do) puts the titles
// of the products it names first, and is not corrected.
func (d *DB) Suggest(ctx context.Context, q string) ([]string, error) {
	// No transaction: autocomplete's statements are small and planned once
	// per connection, and BEGIN and COMMIT would cost as much as they do. A
	// deadline stands in for the statement timeout.
	qctx, cancel := context.WithTimeout(ctx, suggestTimeout)
	defer cancel()
	out, err := suggest(qctx, d.Pool, q)
	if err != nil {
		if qctx.Err() != nil && ctx.Err() == nil {
			return nil, aforro.Errorf(aforro.EUNAVAILABLE, "The search took too long; try a more specific query.")
		}
		return nil, wrapError(err, "suggest")
	}
	if out == nil {
		out = []string{}
	}
	return out, nil
}

// suggest is Suggest on conn.
func suggest(ctx context.Context, conn Querier, q string) ([]string, error) {
	const k = aforro.MaxSuggestions
	coded, err := codeTitles(ctx, conn, q)
	if err != nil {
		return nil, err
	}
	if len(coded) > 0 {
		// A code is exact: its products' titles first, then the text
		// groups, never a spelling correction of the code.
		rest, err := suggestText(ctx, conn, q, false)
		if err != nil {
			return nil, err
		}
		return distinctTitles(append(coded, rest...), k), nil
	}
	return suggestText(ctx, conn, q, true)
}

// suggestText is the titles of suggest's text groups; correct allows the
// spelling correction.
func suggestText(ctx context.Context, conn Querier, q string, correct bool) ([]string, error) {
	const k = aforro.MaxSuggestions
	a, err := analyzeSuggest(ctx, conn, q)
	if err != nil {
		return nil, err
	}
	out := a.prefixTitles
	if len(out) < k {
		more, err := wordPrefixTitles(ctx, conn, a, false, out, k-len(out))
		if err != nil {
			return nil, err
		}
		out = append(out, more...)
	}
	if len(out) >= k || !a.hasUnknownWord() || !correct {
		return out, nil
	}
	fixed, err := correctSuggestQuery(ctx, conn, a)
	if err != nil || fixed == a.lower {
		return out, err
	}
	b, err := analyzeSuggest(ctx, conn, fixed)
	if err != nil {
		return nil, err
	}
	more, err := wordPrefixTitles(ctx, conn, b, true, out, k-len(out))
	if err != nil {
		return nil, err
	}
	return append(out, more...), nil
}

// suggestAnalysis is what one statement learns about an autocomplete query.
type suggestAnalysis struct {
	q, lower     string
	prefixTitles []string // the first titles that start with q
	last         string   // the last word of q ('simple' lexeme), "" if none
	head         []string // the other words of q
	// headTitles is the fewest titles any head word is in: nil without head
	// words, 0 when a head word is in no title.
	headTitles *int
	// completions counts the title words that start with last, and
	// completionTitles the titles holding them (with repeats).
	completions, completionTitles int
}

// hasUnknownWord reports whether a word of q is in no title (the last one:
// starts no title word), so that correcting it may find more.
func (a suggestAnalysis) hasUnknownWord() bool {
	return a.last != "" && (a.completions == 0 || a.headMissing())
}

// fetchByCompletions reports whether fetching the titles that hold the head
// words and a completion of the last word costs less than fetching every
// title that holds the head words: only when the completions are few next to
// those titles ("set piec": 2 completions, 22,000 titles with "set"; not
// "building se": 265 completions, 3,600 titles with "building").
func (a suggestAnalysis) fetchByCompletions() bool {
	byCompletions := costCompletion*float64(a.completions) + costCompletionTitle*float64(a.completionTitles)
	return a.completions <= suggestFetchWordsMax && a.headTitles != nil &&
		byCompletions < costHeadTitle*float64(*a.headTitles)
}

// headMissing reports whether a head word of q is in no title.
func (a suggestAnalysis) headMissing() bool { return a.headTitles != nil && *a.headTitles == 0 }

// analyzeSuggest splits q into words the way the titles' words were made
// and finds the first titles that start with q. (Answering the second group
// in the same statement would save a round trip, but its generic plan looks
// dear enough that PostgreSQL then plans it on every call, which costs more.)
func analyzeSuggest(ctx context.Context, conn Querier, q string) (suggestAnalysis, error) {
	a := suggestAnalysis{q: q}
	err := conn.QueryRow(ctx, `
		WITH words AS (
			SELECT search_query_words($1::text) AS w
		), last AS (
			SELECT w[cardinality(w)] AS word FROM words WHERE cardinality(w) > 0
		), head AS (
			SELECT DISTINCT x.word FROM words, unnest(w[1:cardinality(w) - 1]) AS x(word)
		)
		SELECT lower($1::text),
		       ARRAY(SELECT t.title FROM search_titles t
		              WHERE t.title_lower >= lower($1::text) AND t.title_lower < lower($1::text) || U&'\+10FFFF'
		                AND t.title_lower LIKE search_like_prefix(lower($1::text))
		              ORDER BY t.title_lower LIMIT $2::integer),
		       coalesce((SELECT word FROM last), ''),
		       ARRAY(SELECT word FROM head ORDER BY word),
		       (SELECT min(coalesce(s.titles, 0)) FROM head h LEFT JOIN search_words s ON s.word = h.word),
		       c.n, c.titles
		  FROM (SELECT count(*) AS n, coalesce(sum(s.titles), 0) AS titles FROM search_words s, last
		         WHERE s.word >= last.word AND s.word < last.word || U&'\+10FFFF') c`,
		q, aforro.MaxSuggestions).Scan(&a.lower, &a.prefixTitles, &a.last, &a.head, &a.headTitles,
		&a.completions, &a.completionTitles)
	if err != nil {
		return a, wrapError(err, "analyze autocomplete query")
	}
	return a, nil
}

// wordPrefixTitles returns up to k titles in which a word starts with a.q,
// alphabetically, leaving out exclude and, unless withPrefix, the titles
// that start with a.q. For a one-word query the first titles kept for each
// completed word (search_words.first_titles) almost always answer; when they
// cannot prove their answer complete, and for longer queries, candidates are
// fetched through the words index and sorted.
func wordPrefixTitles(ctx context.Context, conn Querier, a suggestAnalysis, withPrefix bool, exclude []string, k int) ([]string, error) {
	if a.last == "" || a.completions == 0 || a.headMissing() {
		return nil, nil // some word of q is in no title
	}
	if exclude == nil {
		exclude = []string{} // NULL would make <> ALL exclude every title
	}
	if len(a.head) == 0 {
		titles, exact, err := listedTitles(ctx, conn, a, withPrefix, exclude, k, false)
		if err != nil || exact {
			return titles, err
		}
		titles, _, err = listedTitles(ctx, conn, a, withPrefix, exclude, k, true)
		return titles, err
	}
	// A title can hold the phrase after starting with its last word ("Laptop
	// Bag for Gaming Laptop"), which the lists leave out: fetch instead,
	// narrowed to the titles holding every head word and, when that is
	// cheaper, one of the last word's completions.
	var words []string
	if a.fetchByCompletions() {
		var err error
		if words, err = completions(ctx, conn, a.last); err != nil {
			return nil, err
		}
	}
	return fetchTitles(ctx, conn, a, words, withPrefix, exclude, k)
}

// listedTitles answers from the first titles kept for every word that starts
// with a.last (plus, withPrefix, the first titles that start with a.q). The
// answer is exact unless a word's list was cut before the last title
// returned, or before the answer filled up. With fetchCut, the titles of the
// words whose lists were cut are fetched as well, which makes it exact. The
// statement is assembled from the parts each call needs: a part switched off
// by a parameter would make its generic plan look dear, and PostgreSQL would
// then plan it on every call.
func listedTitles(ctx context.Context, conn Querier, a suggestAnalysis, withPrefix bool, exclude []string,
	k int, fetchCut bool) ([]string, bool, error) {
	candidates := `
			SELECT x.title, lower(x.title) COLLATE "C" AS title_lower FROM c, unnest(c.first_titles) AS x(title)`
	filter := `AND title_lower NOT LIKE search_like_prefix(lower($2::text))`
	if withPrefix {
		filter = ""
		candidates += `
			UNION
			(SELECT t.title, t.title_lower FROM search_titles t
			  WHERE t.title_lower >= lower($2::text) AND t.title_lower < lower($2::text) || U&'\+10FFFF'
			    AND t.title_lower LIKE search_like_prefix(lower($2::text))
			  ORDER BY t.title_lower LIMIT $4::integer + cardinality($3::text[]))`
	}
	if fetchCut {
		candidates += `
			UNION
			SELECT t.title, t.title_lower FROM search_titles t
			 WHERE t.words && ARRAY(SELECT c.word FROM c WHERE c.tail_titles > cardinality(c.first_titles))`
	}
	var titles []string
	var exact bool
	err := conn.QueryRow(ctx, `
		WITH c AS (
			SELECT w.word, w.tail_titles, w.first_titles FROM search_words w
			 WHERE w.word >= $1::text AND w.word < $1::text || U&'\+10FFFF' AND w.tail_titles > 0
		), candidate AS (`+candidates+`
		), answer AS (
			SELECT title, title_lower FROM candidate
			 WHERE search_word_prefix_match(title_lower, lower($2::text))
			   `+filter+`
			   AND title <> ALL ($3::text[])
			 ORDER BY title_lower LIMIT $4::integer
		)
		SELECT ARRAY(SELECT title FROM answer ORDER BY title_lower),
		       NOT EXISTS (
		           SELECT 1 FROM c
		            WHERE c.tail_titles > cardinality(c.first_titles)
		              AND coalesce((SELECT count(*) FROM answer) < $4::integer
		                        OR lower(c.first_titles[cardinality(c.first_titles)]) COLLATE "C"
		                           < (SELECT max(title_lower) FROM answer), true))`,
		a.last, a.q, exclude, k).Scan(&titles, &exact)
	if err != nil {
		return nil, false, wrapError(err, "list autocomplete titles")
	}
	return titles, exact || fetchCut, nil
}

// fetchTitles finds, through the GIN index on search_titles.words, the
// titles holding every head word of a and, when words is not empty, one of
// words, and returns the first k in which a word starts with a.q.
func fetchTitles(ctx context.Context, conn Querier, a suggestAnalysis, words []string, withPrefix bool,
	exclude []string, k int) ([]string, error) {
	var args params
	q := args.add(a.q) + "::text"
	var match []string
	if len(words) > 0 {
		match = append(match, "t.words && "+args.add(words)+"::text[]")
	}
	if len(a.head) > 0 {
		match = append(match, "t.words @> "+args.add(a.head)+"::text[]")
	}
	// The candidates are found first and sorted after (OFFSET 0 keeps the
	// planner from walking the titles in order instead, hoping for an early
	// match, which reads all 400,000 when the phrase is rare).
	rows, err := conn.Query(ctx, `
		SELECT title FROM (
			SELECT t.title, t.title_lower FROM search_titles t
			 WHERE `+strings.Join(match, " AND ")+`
			   AND t.title_lower LIKE '%' || search_like_prefix(lower(`+q+`))
			   AND search_word_prefix_match(t.title_lower, lower(`+q+`))
			   AND (`+args.add(withPrefix)+`::boolean OR t.title_lower NOT LIKE search_like_prefix(lower(`+q+`)))
			   AND t.title <> ALL (`+args.add(exclude)+`::text[])
			OFFSET 0) t
		 ORDER BY title_lower
		 LIMIT `+args.add(k)+`::integer`,
		append([]any{execMode}, args...)...)
	if err != nil {
		return nil, wrapError(err, "fetch autocomplete titles")
	}
	titles, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, wrapError(err, "fetch autocomplete titles")
	}
	return titles, nil
}

// completions lists every title word that starts with prefix.
func completions(ctx context.Context, conn Querier, prefix string) ([]string, error) {
	rows, err := conn.Query(ctx, `
		SELECT word FROM search_words WHERE word >= $1::text AND word < $1::text || U&'\+10FFFF'`,
		prefix)
	if err != nil {
		return nil, wrapError(err, fmt.Sprintf("complete %q", prefix))
	}
	words, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, wrapError(err, fmt.Sprintf("complete %q", prefix))
	}
	return words, nil
}
