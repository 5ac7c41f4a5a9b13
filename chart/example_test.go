package chart_test

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/ecssim/ecssim/chart"
	"github.com/ecssim/ecssim/tidy"
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

// A page holds charts, settings and tables in one HTML file with nothing
// to fetch.
func ExamplePage() {
	rows := []tidy.PeriodRow{{Cluster: "prod", Service: "web", Length: time.Hour, Desired: 2, Running: 2}}
	var svg, html bytes.Buffer
	if err := chart.Run(&svg, chart.SVG, rows, nil, chart.Options{}); err != nil {
		fmt.Println(err)
		return
	}
	p := chart.Page{
		Title:    "prod/web",
		Settings: [][2]string{{"seed", "1"}},
		Charts:   []chart.Figure{{Caption: "the hour", SVG: svg.Bytes()}},
		Tables:   []tidy.Named{{Name: "periods", Table: tidy.PeriodTable(rows)}},
	}
	if err := p.WriteHTML(&html); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(strings.Count(html.String(), "<svg"), "chart,", strings.Count(html.String(), "<table>"), "tables")
	// Output: 1 chart, 2 tables
}
