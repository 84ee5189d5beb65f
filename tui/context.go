package tui

import (
	"context"
	"time"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/client"
)

// programContext is what every screen shares, after gh-dash's
// ProgramContext: the client, the chosen store, the size of the screen
// body, the styles, the keys and the clock. The root model owns it and
// keeps it current; screens read it.
type programContext struct {
	ctx    context.Context // cancelled when the program ends; every request uses it
	client *client.Client
	server string
	store  aforro.Store // ID 0 until one is chosen

	width, height int // of the body, between the tabs and the status line

	styles   Styles
	keys     KeyMap
	now      func() time.Time
	location *time.Location

	warnAt       int           // quantities at or below it are low stock
	pageSize     int           // rows per page of every list
	debounce     time.Duration // typing pause before a suggestion or filter request
	suggestEvery time.Duration // the least time between two suggestion requests
	watchEvery   time.Duration // the Summary screen's refresh period
	requestLimit time.Duration // bound of one request, retries included

	statusSeq int // numbers status sentences as they are said (see status)
}

// request returns a context for one request, bounded so that a server that
// accepts connections but never answers cannot leave a screen loading
// forever.
func (c *programContext) request() (context.Context, context.CancelFunc) {
	return context.WithTimeout(c.ctx, c.requestLimit)
}

// formatTime writes t in the user's time zone, to the minute.
func (c *programContext) formatTime(t time.Time) string {
	return t.In(c.location).Format("2006-01-02 15:04")
}

// formatClock writes t in the user's time zone, to the second.
func (c *programContext) formatClock(t time.Time) string {
	return t.In(c.location).Format("15:04:05")
}
