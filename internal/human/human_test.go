package human

import "testing"

func TestPlural(t *testing.T) {
	tests := []struct {
		n    int
		want string
	}{
		{0, "0 lines"}, {1, "1 line"}, {2, "2 lines"}, {-1, "-1 line"}, {-2, "-2 lines"}, {1000, "1000 lines"},
	}
	for _, tc := range tests {
		if got := Plural(tc.n, "line", "lines"); got != tc.want {
			t.Errorf("Plural(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}
