package version

import (
	"runtime/debug"
	"strings"
	"testing"
)

func TestDescribe(t *testing.T) {
	tests := []struct {
		name string
		info debug.BuildInfo
		want string
	}{
		{"a release with its commit", debug.BuildInfo{GoVersion: "go1.26.11", Main: debug.Module{Version: "v1.2.0"},
			Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "3f2a1c9e0b7d5a6b7c8d9e0f1a2b3c4d5e6f7a8b"},
				{Key: "vcs.time", Value: "2026-12-06T10:00:00Z"}, {Key: "vcs.modified", Value: "false"}}},
			"v1.2.0 (commit 3f2a1c9e0b7d, 2026-12-06T10:00:00Z) go1.26.11"},
		{"a work tree with changes", debug.BuildInfo{GoVersion: "go1.26.11", Main: debug.Module{Version: "(devel)"},
			Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "abc"}, {Key: "vcs.modified", Value: "true"}}},
			"(devel) (commit abc, modified) go1.26.11"},
		{"no VCS stamp", debug.BuildInfo{GoVersion: "go1.26.8"}, "(devel) go1.26.8"},
	}
	for _, tc := range tests {
		if got := describe(&tc.info); got != tc.want {
			t.Errorf("%s: describe = %q, want %q", tc.name, got, tc.want)
		}
	}
	if got := String("aforroctl"); !strings.HasPrefix(got, "aforroctl ") || !strings.Contains(got, "go1.") {
		t.Errorf("String = %q, want the program, a version and the Go version", got)
	}
}
