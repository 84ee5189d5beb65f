//go:build race

package tui

// raceEnabled says the tests run with the race detector, so the binaries
// the end-to-end test builds are built with it too: they then reuse the
// packages the test binary was compiled from, instead of compiling every
// dependency once more.
const raceEnabled = true
