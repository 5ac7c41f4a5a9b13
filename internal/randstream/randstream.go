// Package randstream derives named, independent random streams from one seed.
//
// Every random choice in a simulation draws from a stream named after its
// purpose ("demand", "placement", "fargate-start", ...). A stream is a PCG
// generator seeded with (seed, FNV-1a hash of the name), so adding a draw in
// one component never shifts another component's draws, and two experiments
// run with the same seed see the same demand (common random numbers).
package randstream

import "math/rand/v2"

// Hash returns the 64-bit FNV-1a hash of name, the second half of a stream's
// PCG state.
func Hash(name string) uint64 {
	const (
		offset = 14695981039346656037
		prime  = 1099511628211
	)
	h := uint64(offset)
	for i := 0; i < len(name); i++ {
		h ^= uint64(name[i])
		h *= prime
	}
	return h
}

// PCG returns the generator of the stream called name under seed. Hot loops
// call it directly to avoid rand.Rand's interface call.
func PCG(seed uint64, name string) *rand.PCG { return rand.NewPCG(seed, Hash(name)) }

// New returns the stream called name under seed.
func New(seed uint64, name string) *rand.Rand { return rand.New(PCG(seed, name)) }
