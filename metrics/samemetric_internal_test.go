package metrics

import (
	"testing"

	"pgregory.net/rapid"
)

// TestSameMetricAsStrings holds sameMetric to the identity Metric.String
// spells out (namespace, name and the dimensions sorted by name), over
// metrics drawn from small alphabets so that equal ones are common, with
// unique dimension names in any order, as Validate requires.
func TestSameMetricAsStrings(t *testing.T) {
	gen := rapid.Custom(func(t *rapid.T) Metric {
		m := Metric{Namespace: rapid.SampledFrom([]string{"A", "B"}).Draw(t, "ns"), Name: rapid.SampledFrom([]string{"x", "y"}).Draw(t, "name")}
		names := rapid.Permutation([]string{"k1", "k2", "k3"}).Draw(t, "order")
		for _, n := range names[:rapid.IntRange(0, 3).Draw(t, "dims")] {
			m.Dimensions = append(m.Dimensions, Dimension{Name: n, Value: rapid.SampledFrom([]string{"1", "2"}).Draw(t, "value")})
		}
		return m
	})
	rapid.Check(t, func(t *rapid.T) {
		a, b := gen.Draw(t, "a"), gen.Draw(t, "b")
		if got, want := sameMetric(a, b), a.String() == b.String(); got != want {
			t.Fatalf("sameMetric(%v, %v) = %v, want %v", a, b, got, want)
		}
	})
}
