// Package chart draws a run's and a sweep's tidy rows with gonum's plot
// library (gonum.org/v1/plot), as SVG or PNG.
//
// Run draws one service over time: desired and running tasks, CPU and
// memory, request rate, p50 and p99 latency, 5xx and time-outs, and cost,
// one panel each on a shared time axis, with the run's events marked on
// every panel (scaling activities, deployments, Spot interruptions, zone
// outages). Sweep draws each arm's mean cost against its mean p99 with
// their 95 % intervals over seeds, and marks the Pareto front: the arms
// no other arm beats on both. Page puts charts, settings and tables in one
// self-contained HTML file.
package chart

import (
	"errors"
	"fmt"
	"image/color"
	"io"
	"math"
	"slices"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/ecssim/ecssim/internal/fielderr"
	"github.com/ecssim/ecssim/tidy"
)

// ErrInvalid marks a chart that cannot be drawn.
var ErrInvalid = errors.New("chart: invalid chart")

// Format is an image format.
type Format string

// Formats.
const (
	SVG Format = "svg"
	PNG Format = "png"
)

// Options size a chart. The zero value is a readable default.
type Options struct {
	// Width and Height are the image's size in points (1/72 inch); zero
	// means 7 × 9 inches for Run, 7 × 5 for Sweep. A PNG has 96 pixels
	// per inch: a 7-inch-wide PNG is 672 pixels wide.
	Width, Height vg.Length
	// Title heads the chart; empty means a title from the data.
	Title string
	// Location is the time zone of Run's time axis; nil means UTC.
	Location *time.Location
}

// Colours of the series and the event marks (the Okabe–Ito palette, told
// apart with the common colour vision deficiencies).
var (
	black   = color.RGBA{0, 0, 0, 255}
	orange  = color.RGBA{230, 159, 0, 255}
	sky     = color.RGBA{86, 180, 233, 255}
	green   = color.RGBA{0, 158, 115, 255}
	blue    = color.RGBA{0, 114, 178, 255}
	red     = color.RGBA{213, 94, 0, 255}
	purple  = color.RGBA{204, 121, 167, 255}
	gray    = color.RGBA{170, 170, 170, 255}
	markers = []struct {
		kinds []string
		name  string
		color color.Color
		width vg.Length
		dash  []vg.Length
	}{
		{[]string{tidy.KindScaling}, "scaling (rug)", black, 0.5, nil},
		{[]string{tidy.KindDeployment}, "deployment", blue, 1, []vg.Length{vg.Points(4), vg.Points(2)}},
		{[]string{tidy.KindInterruption}, "Spot interruption", purple, 0.75, nil},
		{[]string{tidy.KindOutage}, "zone outage", red, 1.5, nil},
	}
)

// write renders plots stacked top to bottom, aligned, into out.
func write(out io.Writer, f Format, w, h vg.Length, rows [][]*plot.Plot) error {
	var c interface {
		vg.CanvasWriterTo
	}
	switch f {
	case SVG:
		c = vgsvg.New(w, h)
	case PNG:
		c = vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(96))}
	default:
		return fielderr.New(ErrInvalid, "format", string(f), `must be "svg" or "png"`)
	}
	dc := draw.New(c)
	tiles := draw.Tiles{Rows: len(rows), Cols: 1, PadTop: 4, PadBottom: 4, PadLeft: 4, PadRight: 8, PadY: 2}
	canvases := plot.Align(rows, tiles, dc)
	for i := range rows {
		rows[i][0].Draw(canvases[i][0])
	}
	_, err := c.WriteTo(out)
	return err
}

// marks draws the events of some kinds as vertical lines across a panel,
// or as a rug of short ticks along its bottom (frequent events, such as
// scaling activities, that full lines would hide the data behind).
type marks struct {
	xs    []float64
	style draw.LineStyle
	rug   bool
}

// Plot implements plot.Plotter.
func (m marks) Plot(c draw.Canvas, p *plot.Plot) {
	trX, _ := p.Transforms(&c)
	for _, x := range m.xs {
		if x < p.X.Min || x > p.X.Max {
			continue
		}
		top := c.Max.Y
		if m.rug {
			top = c.Min.Y + (c.Max.Y-c.Min.Y)/12
		}
		c.StrokeLine2(m.style, trX(x), c.Min.Y, trX(x), top)
	}
}

func unix(t time.Time) float64 { return float64(t.UnixNano()) / 1e9 }

// Run draws the period rows of one service (rows of other services are
// left out; an empty service means the first row's) with the events of
// that service and the events of no service (zone outages).
func Run(out io.Writer, f Format, rows []tidy.PeriodRow, events []tidy.EventRow, opt Options) error {
	if len(rows) == 0 {
		return fielderr.New(ErrInvalid, "rows", 0, "must hold at least one period")
	}
	cluster, service := rows[0].Cluster, rows[0].Service
	var mine []tidy.PeriodRow
	for _, r := range rows {
		if r.Cluster == cluster && r.Service == service {
			mine = append(mine, r)
		}
	}
	w, h := opt.Width, opt.Height
	if w == 0 {
		w = 7 * vg.Inch
	}
	if h == 0 {
		h = 9 * vg.Inch
	}
	loc := opt.Location
	if loc == nil {
		loc = time.UTC
	}
	title := opt.Title
	if title == "" {
		title = cluster + "/" + service
	}
	mid := func(r tidy.PeriodRow) float64 { return unix(r.Start.Add(r.Length / 2)) }
	end := func(r tidy.PeriodRow) float64 { return unix(r.Start.Add(r.Length)) }
	series := func(x func(tidy.PeriodRow) float64, y func(tidy.PeriodRow) float64) plotter.XYs {
		xy := make(plotter.XYs, len(mine))
		for i, r := range mine {
			xy[i].X, xy[i].Y = x(r), y(r)
		}
		return xy
	}
	type line struct {
		name  string
		xy    plotter.XYs
		color color.Color
	}
	panels := []struct {
		label string
		lines []line
	}{
		{"tasks", []line{
			{"desired", series(end, func(r tidy.PeriodRow) float64 { return float64(r.Desired) }), black},
			{"running", series(end, func(r tidy.PeriodRow) float64 { return float64(r.Running) }), green},
		}},
		{"utilisation %", []line{
			{"CPU", series(mid, func(r tidy.PeriodRow) float64 { return r.CPUPercent }), orange},
			{"memory", series(mid, func(r tidy.PeriodRow) float64 { return r.MemoryPercent }), sky},
		}},
		{"requests/s", []line{{"offered", series(mid, func(r tidy.PeriodRow) float64 { return r.RequestsPerSecond }), blue}}},
		{"latency ms", []line{
			{"p50", series(mid, func(r tidy.PeriodRow) float64 { return float64(r.P50) / 1e6 }), green},
			{"p99", series(mid, func(r tidy.PeriodRow) float64 { return float64(r.P99) / 1e6 }), red},
		}},
		{"per period", []line{
			{"5xx", series(mid, func(r tidy.PeriodRow) float64 { return float64(r.Errors5xx) }), red},
			{"timeouts", series(mid, func(r tidy.PeriodRow) float64 { return float64(r.Timeouts) }), purple},
		}},
		{"cost $", []line{{"per period", series(mid, func(r tidy.PeriodRow) float64 { return r.CostUSD }), black}}},
	}
	x0, x1 := unix(mine[0].Start), end(mine[len(mine)-1])
	var grid [][]*plot.Plot
	for i, pn := range panels {
		p := plot.New()
		if i == 0 {
			p.Title.Text = title
		}
		p.Y.Label.Text = pn.label
		p.X.Min, p.X.Max = x0, x1
		p.Y.Min = 0
		p.X.Tick.Marker = timeTicks{loc}
		if i < len(panels)-1 {
			p.X.Tick.Label.Font.Size = 0 // the time axis is labelled once, at the bottom
			p.X.Tick.Label.Color = color.Transparent
		} else {
			p.X.Label.Text = "time (" + loc.String() + ")"
		}
		p.Legend.Top, p.Legend.Left = true, true
		p.Legend.TextStyle.Font.Size = vg.Points(7)
		for _, m := range markers {
			var xs []float64
			for _, e := range events {
				mineOrNone := e.Service == "" || e.Cluster == cluster && e.Service == service
				if mineOrNone && slices.Contains(m.kinds, e.Kind) {
					xs = append(xs, unix(e.At))
				}
			}
			if len(xs) == 0 {
				continue
			}
			mk := marks{xs: xs, style: draw.LineStyle{Color: m.color, Width: vg.Points(float64(m.width)), Dashes: m.dash}, rug: m.name == "scaling (rug)"}
			p.Add(mk)
			if i == 0 {
				p.Legend.Add(m.name, legendLine{mk.style})
			}
		}
		top := 0.0
		for _, l := range pn.lines {
			for _, pt := range l.xy {
				top = math.Max(top, pt.Y)
			}
		}
		p.Y.Max = 1.35 * math.Max(top, 1) // headroom for the legend
		for _, l := range pn.lines {
			ln, err := plotter.NewLine(l.xy)
			if err != nil {
				return fmt.Errorf("chart: %s %s: %w", pn.label, l.name, err)
			}
			ln.Color, ln.Width = l.color, vg.Points(1.2)
			p.Add(ln)
			p.Legend.Add(l.name, ln)
		}
		grid = append(grid, []*plot.Plot{p})
	}
	return write(out, f, w, h, grid)
}

// timeTicks labels a time axis of Unix seconds at round steps (a minute
// to a day, on the hour in loc) giving at most eight labels.
type timeTicks struct{ loc *time.Location }

// Ticks implements plot.Ticker.
func (tt timeTicks) Ticks(lo, hi float64) []plot.Tick {
	span := hi - lo
	step := 24 * 3600.0
	for _, s := range []float64{60, 300, 900, 1800, 3600, 2 * 3600, 3 * 3600, 6 * 3600, 12 * 3600} {
		if span/s <= 8 {
			step = s
			break
		}
	}
	format := "15:04"
	if span > 2*24*3600 {
		format = "01-02 15:04"
	}
	_, offset := time.Unix(int64(lo), 0).In(tt.loc).Zone() // round in local time
	off := float64(offset)
	var ticks []plot.Tick
	for x := math.Ceil((lo+off)/step)*step - off; x <= hi; x += step {
		ticks = append(ticks, plot.Tick{Value: x, Label: time.Unix(int64(x), 0).In(tt.loc).Format(format)})
	}
	return ticks
}

// legendLine is a legend entry drawn as a short line.
type legendLine struct{ style draw.LineStyle }

// Thumbnail implements plot.Thumbnailer.
func (l legendLine) Thumbnail(c *draw.Canvas) {
	y := c.Center().Y
	c.StrokeLine2(l.style, c.Min.X, y, c.Max.X, y)
}

// ParetoFront returns the indices, in increasing cost, of the points no
// other point beats: a point is beaten when another costs no more and has
// no higher p99, and is strictly better on one of the two. Equal points
// are all on the front. O(n log n).
func ParetoFront(cost, p99 []float64) []int {
	idx := make([]int, len(cost))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		if c := cmpFloat(cost[a], cost[b]); c != 0 {
			return c
		}
		return cmpFloat(p99[a], p99[b])
	})
	var front []int
	best := math.Inf(1) // the lowest p99 at a strictly lower cost
	for k := 0; k < len(idx); {
		// A group of equal cost: only its lowest p99 can survive, and only
		// if it beats every cheaper point's p99.
		g := k
		for g < len(idx) && cost[idx[g]] == cost[idx[k]] {
			g++
		}
		low := p99[idx[k]]
		if low < best {
			for j := k; j < g && p99[idx[j]] == low; j++ {
				front = append(front, idx[j])
			}
			best = low
		}
		k = g
	}
	return front
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
