package randstream

import "testing"

func TestHashIsFNV1a(t *testing.T) {
	// Reference values of 64-bit FNV-1a, from the algorithm's published test
	// vectors (the empty string is the offset basis).
	for _, tc := range []struct {
		in   string
		want uint64
	}{
		{"", 0xcbf29ce484222325},
		{"a", 0xaf63dc4c8601ec8c},
		{"foobar", 0x85944171f73967e8},
	} {
		if got := Hash(tc.in); got != tc.want {
			t.Errorf("Hash(%q) = %#x, want %#x", tc.in, got, tc.want)
		}
	}
}

func TestStreamsAreReproducibleAndDistinct(t *testing.T) {
	a1, a2, b := New(7, "demand"), New(7, "demand"), New(7, "placement")
	same, diff := 0, 0
	for range 1000 {
		x, y, z := a1.Uint64(), a2.Uint64(), b.Uint64()
		if x == y {
			same++
		}
		if x == z {
			diff++
		}
	}
	if same != 1000 {
		t.Errorf("same seed and name agreed on %d of 1000 draws, want all", same)
	}
	if diff != 0 {
		t.Errorf("different names agreed on %d of 1000 draws, want none", diff)
	}
}
