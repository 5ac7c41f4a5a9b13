package golden

import "testing"

func TestFirstDiff(t *testing.T) {
	for _, tc := range []struct {
		got, want string
		line      int
		g, w      string
	}{
		{"a\nb\nc", "a\nx\nc", 2, "b", "x"},
		{"a\nb", "a\nb\nc", 3, "(end)", "c"},
		{"a\nb\nc", "a\nb", 3, "c", "(end)"},
	} {
		line, g, w := firstDiff(tc.got, tc.want)
		if line != tc.line || g != tc.g || w != tc.w {
			t.Errorf("firstDiff(%q, %q) = %d %q %q, want %d %q %q", tc.got, tc.want, line, g, w, tc.line, tc.g, tc.w)
		}
	}
}
