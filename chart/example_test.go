package chart_test

import (
	"fmt"

	"github.com/ecssim/ecssim/chart"
)

// ParetoFront keeps the arms no other arm beats on both cost and p99.
func ExampleParetoFront() {
	arms := []string{"cpu40", "cpu50", "cpu60", "cpu70"}
	cost := []float64{30, 27, 31, 18} // $
	p99 := []float64{210, 290, 300, 440}
	for _, i := range chart.ParetoFront(cost, p99) {
		fmt.Println(arms[i], cost[i], p99[i])
	}
	// Output:
	// cpu70 18 440
	// cpu50 27 290
	// cpu40 30 210
}
