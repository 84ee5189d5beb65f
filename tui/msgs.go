package tui

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/client"
)

// result is embedded in every message that carries the outcome of a
// request, so the root model can tell from any of them whether the server
// answered (and the connection state in the header stays true).
type result struct{ err error }

// requestErr returns the request's error, nil on success.
func (r result) requestErr() error { return r.err }

// requestResult is any message with a request's outcome.
type requestResult interface{ requestErr() error }

// Messages with the answers of requests; seq, where present, lets a screen
// drop an answer that a newer request has made stale.
type (
	storeCheckedMsg struct {
		result
		id         int64
		store      aforro.Store
		notCovered bool // the store exists, but the token does not cover it
	}
	storesLoadedMsg struct {
		result
		stores []aforro.Store
	}
	// pageLoadedMsg answers a pagedList's load; list says which list
	// asked, as two lists may hold rows of the same type.
	pageLoadedMsg[T any] struct {
		result
		list *pagedList[T]
		seq  int
		page aforro.Page[T]
	}
	orderLoadedMsg struct {
		result
		id    int64
		order aforro.Order
	}
	orderCancelledMsg struct {
		result
		id    int64
		order aforro.Order
	}
	orderPlacedMsg struct {
		result
		key      string
		order    aforro.Order
		replayed bool
	}
	categoriesLoadedMsg struct {
		result
		categories []aforro.Category
	}
	suggestionsMsg struct {
		result
		seq         int
		query       string
		suggestions []string
	}
	// summaryLoadedMsg carries both of the Summary screen's answers: the
	// stored rows of the latest day (result: a 404 is "none yet") and the
	// store's live row of today (liveErr).
	summaryLoadedMsg struct {
		result
		seq     int
		day     aforro.DaySummaries
		live    aforro.LiveSummary
		liveErr error
		at      time.Time
	}
	healthMsg struct{ result }
)

// Messages between the models, and timers.
type (
	// storeChosenMsg says the user picked a store (or the remembered one
	// still exists); every screen starts over for it.
	storeChosenMsg struct{ store aforro.Store }
	// storeSavedMsg reports remembering the store in the config file.
	storeSavedMsg struct{ err error }
	// addToOrderMsg asks the Order screen to add one of a product.
	addToOrderMsg struct{ line basketLine }
	// addToSheetMsg asks the Receive or Count screen (target) to add one
	// unit of a product picked on another screen; system is the store's
	// quantity as that screen knew it (nil: unknown or none).
	addToSheetMsg struct {
		target    tab
		productID int64
		title     string
		system    *int
	}
	// statusMsg puts a sentence in the status line; seq orders sentences
	// by when they were said, not by when their command ran.
	statusMsg struct {
		kind  statusKind
		text  string
		seq   int
		about string // for an error: what failed ("Load the inventory")
	}
	// loadedMsg says that what loaded: an error status about it is stale.
	loadedMsg struct{ what string }
	// clearStatusMsg clears the status line if it still shows sentence id.
	clearStatusMsg struct{ id int }
	// probeMsg asks the server whether it is back, while disconnected.
	probeMsg struct{}
	// reconnectedMsg tells the screens the server answers again, so what
	// failed to load can load now.
	reconnectedMsg struct{}
	// filterDebounceMsg and suggestDebounceMsg end a typing pause; only the
	// one with the latest seq leads to a request.
	filterDebounceMsg  struct{ seq int }
	suggestDebounceMsg struct{ seq int }
	// suggestResumeMsg ends the pause in suggestions of generation gen that
	// a 429 started.
	suggestResumeMsg struct{ gen int }
	// watchTickMsg is the Summary screen's refresh timer of generation gen.
	watchTickMsg struct{ gen int }
)

// statusKind is the tone of a status sentence.
type statusKind int

const (
	statusInfo statusKind = iota
	statusSuccess
	statusWarn
	statusError
)

// status returns a command that shows a sentence in the status line. It is
// numbered now, in Update, so that of two sentences the later one stays
// whichever command delivers it first.
func (c *programContext) status(kind statusKind, format string, args ...any) tea.Cmd {
	c.statusSeq++
	s := statusMsg{kind: kind, text: fmt.Sprintf(format, args...), seq: c.statusSeq}
	return func() tea.Msg { return s }
}

// errorStatus returns a command that shows err calmly: what the server
// said, or that it cannot be reached, never a Go error chain. It returns nil
// for a request cancelled because the program is ending.
func (c *programContext) errorStatus(what string, err error) tea.Cmd {
	kind, text := describe(err)
	if text == "" {
		return nil
	}
	if what != "" && kind == statusError {
		text = what + ": " + text
	}
	c.statusSeq++
	s := statusMsg{kind: kind, text: text, seq: c.statusSeq}
	if kind == statusError {
		s.about = what
	}
	return func() tea.Msg { return s }
}

// loaded returns a command that clears an error status about what, now
// that what loaded: a failure already put right must not stay on screen.
func (c *programContext) loaded(what string) tea.Cmd {
	return func() tea.Msg { return loadedMsg{what: what} }
}

// describe turns a request error into a status sentence and its tone.
func describe(err error) (statusKind, string) {
	var (
		ae *client.APIError
		ce *client.ConnError
	)
	switch {
	case err == nil, errors.Is(err, context.Canceled):
		return statusInfo, ""
	case errors.As(err, &ae) && ae.Status == http.StatusTooManyRequests:
		return statusWarn, fmt.Sprintf("Busy: too many requests. Try again in %s.", waitText(ae.RetryAfter))
	case errors.As(err, &ae) && ae.Status == http.StatusUnauthorized:
		return statusError, ae.Message + ` Quit (q) and run "aforroctl login" with a live token.`
	case errors.As(err, &ae):
		return statusError, ae.Message
	case errors.As(err, &ce):
		if ce.Timeout() {
			return statusError, fmt.Sprintf("The server at %s did not answer in time.", ce.Server)
		}
		return statusError, fmt.Sprintf("Cannot reach the server at %s.", ce.Server)
	case errors.Is(err, context.DeadlineExceeded):
		return statusError, "The server did not answer in time."
	}
	return statusError, "Something went wrong: " + err.Error()
}

// unreachable reports whether err means the server did not answer at all.
func unreachable(err error) bool {
	var ce *client.ConnError
	return errors.As(err, &ce) || errors.Is(err, context.DeadlineExceeded)
}

// waitText writes a Retry-After delay in whole seconds, at least one.
func waitText(d time.Duration) string {
	s := max(int(math.Ceil(d.Seconds())), 1)
	if s == 1 {
		return "1 second"
	}
	return fmt.Sprintf("%d seconds", s)
}
