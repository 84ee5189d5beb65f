// Package version says which build a binary is, from the build information
// the Go toolchain embeds: the module version, the commit and the Go version.
package version

import (
	"runtime/debug"
	"strings"
)

// String returns the version line of program: "aforroctl v1.2.0 (commit
// 3f2a1c9e0b7d, 2026-12-06T10:00:00Z, modified) go1.26.11". Parts the build
// did not record are left out: "(devel)" is a build from a work tree, and
// without VCS stamping (-buildvcs=false, or no git) there is no commit.
func String(program string) string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return program + " (no build information)"
	}
	return program + " " + describe(info)
}

// describe writes the version, the commit and the Go version of info.
func describe(info *debug.BuildInfo) string {
	v := info.Main.Version
	if v == "" {
		v = "(devel)"
	}
	var commit []string
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	if rev := settings["vcs.revision"]; rev != "" {
		commit = append(commit, "commit "+rev[:min(len(rev), 12)])
		if t := settings["vcs.time"]; t != "" {
			commit = append(commit, t)
		}
		if settings["vcs.modified"] == "true" {
			commit = append(commit, "modified")
		}
	}
	if len(commit) > 0 {
		v += " (" + strings.Join(commit, ", ") + ")"
	}
	return v + " " + info.GoVersion
}
