package chart

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/ecssim/ecssim/tidy"
)

// TestPageInlinesChartsAndTables: a page holds the chart's svg element
// (not its XML prolog), one table row per row plus the header, the
// settings, and escaped text; a chart that is not SVG is refused.
func TestPageInlinesChartsAndTables(t *testing.T) {
	rows := []tidy.PeriodRow{{Cluster: "prod", Service: "web", Length: 3600e9, Desired: 2, Running: 2}, {Cluster: "prod", Service: "web", Length: 3600e9, Desired: 3, Running: 2}}
	rows[1].Start = rows[0].Start.Add(rows[0].Length)
	var svg bytes.Buffer
	if err := Run(&svg, SVG, rows, nil, Options{}); err != nil {
		t.Fatal(err)
	}
	p := &Page{
		Title:    "a <b>day</b>",
		Settings: [][2]string{{"seed", "1"}, {"trace", "3e22ba5dd4384ede"}},
		Charts:   []Figure{{Caption: "prod/web", SVG: svg.Bytes()}},
		Tables:   []tidy.Named{{Name: "periods", Table: tidy.PeriodTable(rows)}},
	}
	var out bytes.Buffer
	if err := p.WriteHTML(&out); err != nil {
		t.Fatal(err)
	}
	html := out.String()
	for _, want := range []string{"<!DOCTYPE html>", "<title>a &lt;b&gt;day&lt;/b&gt;</title>", "<th>seed</th><td>1</td>", "<svg", "<figcaption>prod/web</figcaption>", "<th>p99_ms</th>", `<td class="n">3</td>`} {
		if !strings.Contains(html, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(html, "<?xml") || strings.Count(html, "<svg") != 1 {
		t.Errorf("page holds the XML prolog or %d svg elements", strings.Count(html, "<svg"))
	}
	if got, want := strings.Count(html, "<tr>"), len(p.Settings)+1+len(rows); got != want {
		t.Errorf("%d table rows, want %d (settings, header, periods)", got, want)
	}
	bad := &Page{Charts: []Figure{{SVG: []byte("<html><script>x</script></html>")}, {SVG: []byte("not xml <")}}}
	err := bad.WriteHTML(&out)
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "Page.Charts[0].SVG") || !strings.Contains(err.Error(), "Page.Charts[1].SVG") {
		t.Errorf("non-SVG charts: %v", err)
	}
}
