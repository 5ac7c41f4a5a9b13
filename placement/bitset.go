package placement

// bitset is a dense set of small non-negative integers (instance slots).
// Dense words beat compressed sets at the at most 1e6 instances a cluster
// simulation holds: a million slots take 125 KB, and a test is one load
// where a compressed set searches.
type bitset []uint64

func (b bitset) has(i int32) bool { return b[i>>6]&(1<<(uint(i)&63)) != 0 }

func (b bitset) set(i int32, v bool) {
	if v {
		b[i>>6] |= 1 << (uint(i) & 63)
	} else {
		b[i>>6] &^= 1 << (uint(i) & 63)
	}
}

// grow returns b with room for n bits, keeping its contents.
func (b bitset) grow(n int) bitset {
	words := (n + 63) >> 6
	if words <= len(b) {
		return b
	}
	if words <= cap(b) {
		return b[:words]
	}
	nb := make(bitset, words, 2*words)
	copy(nb, b)
	return nb
}
