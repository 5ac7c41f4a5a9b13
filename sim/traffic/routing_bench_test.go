package traffic

import (
	"fmt"
	"testing"
)

// BenchmarkFluidRouting is one fluid step of one service under each
// routing: 20 tasks at ρ = 0.7, FCFS with one slot and an unbounded queue
// (round robin: GIM1Sigma; shortest queue: the closed form) and processor
// sharing with 32 in service and 64 waiting (round robin: the random
// chain; shortest queue: the O(N·K) chain). Random routing is the formula
// every routing used before.
func BenchmarkFluidRouting(b *testing.B) {
	for _, server := range []ServerConfig{
		{Concurrency: 1, QueueLimit: Unlimited},
		{Discipline: ProcessorSharing, Concurrency: 32, QueueLimit: 64},
	} {
		for _, r := range []Routing{RandomRouting, RoundRobinRouting, ShortestQueueRouting} {
			in := FluidInput{OfferedRate: 0.7 * 20 / 0.1, Tasks: 20, Server: server, MeanWork: 0.1, SCV: 2, Routing: r, Cursors: 3}
			b.Run(fmt.Sprintf("%v/c=%d/%v", server.Discipline, server.Concurrency, r), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := Fluid(in); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
