package db

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
)

// Spelling correction, shared by search and autocomplete: a word no title
// has is replaced by the closest title word (search_words, pg_trgm).

// wordSpan is a run of letters and digits in a string.
type wordSpan struct {
	start, end int
	word       string // lower case
}

// wordSpans finds the runs of letters and digits of s.
func wordSpans(s string) []wordSpan {
	var spans []wordSpan
	start := -1
	for i, r := range s + " " {
		switch {
		case isWordRune(r) && start < 0:
			start = i
		case !isWordRune(r) && start >= 0:
			spans = append(spans, wordSpan{start, i, strings.ToLower(s[start:i])})
			start = -1
		}
	}
	return spans
}

// correctQuery replaces the words of q that no title has (the last one: that
// no title word starts with) by the closest title word, and returns q
// unchanged when it finds nothing to correct.
func correctQuery(ctx context.Context, tx pgx.Tx, q string) (string, error) {
	spans := wordSpans(q)
	var words []string
	for _, s := range spans {
		if utf8.RuneCountInString(s.word) >= minPrefixRunes && s.word != "or" {
			words = append(words, s.word)
		}
	}
	_, prefix := splitPrefix(q)
	fixes, err := correctWords(ctx, tx, words, strings.ToLower(prefix))
	if err != nil || len(fixes) == 0 {
		return q, err
	}
	return replaceWords(q, fixes), nil
}

// correctWords maps each of words that is not a title word to the most
// similar title word (trigram similarity at least 0.3, ties to the more
// common word). prefix, when one of words, counts as known if a title word
// starts with it.
func correctWords(ctx context.Context, conn Querier, words []string, prefix string) (map[string]string, error) {
	if len(words) == 0 {
		return nil, nil
	}
	rows, err := conn.Query(ctx, `
		SELECT u.word, fix.word
		  FROM unnest($1::text[]) AS u(word)
		  CROSS JOIN LATERAL (
		        SELECT s.word FROM search_words s
		         WHERE s.word % u.word AND similarity(s.word, u.word) >= 0.3
		         ORDER BY s.word <-> u.word, s.titles DESC, s.word
		         LIMIT 1) fix
		 WHERE NOT EXISTS (SELECT 1 FROM search_words s WHERE s.word = u.word)
		   AND NOT (u.word = $2::text AND EXISTS (
		        SELECT 1 FROM search_words s
		         WHERE s.word >= u.word AND s.word < u.word || U&'\+10FFFF'))`,
		words, prefix)
	if err != nil {
		return nil, wrapError(err, "correct words")
	}
	fixes := map[string]string{}
	var from, to string
	_, err = pgx.ForEachRow(rows, []any{&from, &to}, func() error {
		fixes[from] = to
		return nil
	})
	if err != nil {
		return nil, wrapError(err, "correct words")
	}
	return fixes, nil
}

// correctSuggestQuery corrects the words of an autocomplete query that are in
// no title (the last one: that starts no title word), returning the lower
// case query with the corrections in place.
func correctSuggestQuery(ctx context.Context, conn Querier, a suggestAnalysis) (string, error) {
	fixes, err := correctWords(ctx, conn, append([]string{a.last}, a.head...), a.last)
	if err != nil || len(fixes) == 0 {
		return a.lower, err
	}
	return replaceWords(a.lower, fixes), nil
}

// replaceWords replaces the runs of letters and digits of s that fixes maps
// (by their lower case).
func replaceWords(s string, fixes map[string]string) string {
	var b strings.Builder
	last := 0
	for _, w := range wordSpans(s) {
		if fix, ok := fixes[w.word]; ok {
			b.WriteString(s[last:w.start])
			b.WriteString(fix)
			last = w.end
		}
	}
	b.WriteString(s[last:])
	return b.String()
}
