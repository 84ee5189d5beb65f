package server

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/aforro/aforro"
)

// Validation shared by the writes of categories, products, stores and
// inventory.
//
// Admin writes of categories, products and stores. POST needs every required
// field and answers 201 with the resource and a Location header; PATCH takes
// any non-empty subset (an empty one is 400: a PATCH that changes nothing is
// more likely a client bug than an intent) and answers 200 with the whole
// resource; DELETE answers 204. JSON null counts as an absent field.

// textRule is the validation of one free-text field; values are trimmed of
// surrounding white space before they are measured and stored.
type textRule struct {
	field     string
	min, max  int  // length in characters
	multiline bool // line breaks and tabs allowed
}

// check trims *v in place and records a problem with it; a nil v is a
// problem only when required.
func (r textRule) check(v *string, required bool, errs *aforro.FieldErrors) {
	if v == nil {
		if required {
			errs.Add(r.field, "is required")
		}
		return
	}
	*v = strings.TrimSpace(*v)
	switch n := utf8.RuneCountInString(*v); {
	case n < r.min:
		errs.Add(r.field, "must not be empty")
	case n > r.max:
		errs.Add(r.field, fmt.Sprintf("must be at most %d characters", r.max))
	case hasControl(*v, r.multiline):
		// PostgreSQL text cannot hold NUL, and no name needs a control character.
		errs.Add(r.field, "must not contain control characters")
	}
}

// hasControl reports whether s holds a control character other than, when
// multiline, a line break or tab.
func hasControl(s string, multiline bool) bool {
	for _, c := range s {
		if multiline && (c == '\n' || c == '\r' || c == '\t') {
			continue
		}
		if unicode.IsControl(c) {
			return true
		}
	}
	return false
}

// nothingToChange is the answer to a PATCH without any field.
func nothingToChange(fields string) error {
	return aforro.Errorf(aforro.EINVALID, "Nothing to change: send at least one of %s.", fields)
}
