package chart

import (
	"fmt"
	"io"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/ecssim/ecssim/internal/fielderr"
	"github.com/ecssim/ecssim/tidy"
)

// armPoints are the arms' means with their 95 % intervals, for the error
// bars (an arm of one seed has no interval and draws none).
type armPoints []tidy.ArmSummary

func (a armPoints) Len() int                      { return len(a) }
func (a armPoints) XY(i int) (x, y float64)       { return a[i].P99ms.Mean, a[i].CostUSD.Mean }
func (a armPoints) XError(i int) (lo, hi float64) { return half(a[i].P99ms.HalfWidth) }
func (a armPoints) YError(i int) (lo, hi float64) { return half(a[i].CostUSD.HalfWidth) }

func half(h float64) (float64, float64) {
	if math.IsNaN(h) {
		return 0, 0
	}
	return h, h
}

// Sweep draws the arms of one service (the first summary's; the others
// are left out): mean cost against mean p99, each with its 95 % interval
// over seeds, labelled with the arm's label, and the Pareto front of the
// means as a line through the arms on it.
func Sweep(out io.Writer, f Format, sums []tidy.ArmSummary, opt Options) error {
	if len(sums) == 0 {
		return fielderr.New(ErrInvalid, "summaries", 0, "must hold at least one arm")
	}
	var arms armPoints
	for _, s := range sums {
		if s.Cluster == sums[0].Cluster && s.Service == sums[0].Service {
			arms = append(arms, s)
		}
	}
	w, h := opt.Width, opt.Height
	if w == 0 {
		w = 7 * vg.Inch
	}
	if h == 0 {
		h = 5 * vg.Inch
	}
	p := plot.New()
	p.Title.Text = opt.Title
	if p.Title.Text == "" {
		p.Title.Text = fmt.Sprintf("%s/%s: cost against p99, mean and 95 %% interval over %d seeds", sums[0].Cluster, sums[0].Service, sums[0].CostUSD.N)
	}
	p.X.Label.Text = "p99 latency, ms"
	p.Y.Label.Text = "cost, $"
	p.Legend.Top = true

	cost, p99 := make([]float64, len(arms)), make([]float64, len(arms))
	labels := plotter.XYLabels{XYs: make(plotter.XYs, len(arms)), Labels: make([]string, len(arms))}
	for i, a := range arms {
		p99[i], cost[i] = arms.XY(i)
		labels.XYs[i] = plotter.XY{X: p99[i], Y: cost[i]}
		labels.Labels[i] = a.ArmLabel
		if a.ArmLabel == "" {
			labels.Labels[i] = fmt.Sprint("arm ", a.Arm)
		}
	}
	xerr, err := plotter.NewXErrorBars(arms)
	if err != nil {
		return err
	}
	yerr, err := plotter.NewYErrorBars(arms)
	if err != nil {
		return err
	}
	xerr.Color, yerr.Color = gray, gray
	pts, err := plotter.NewScatter(labels.XYs)
	if err != nil {
		return err
	}
	pts.GlyphStyle = draw.GlyphStyle{Color: blue, Radius: vg.Points(3), Shape: draw.CircleGlyph{}}
	front := ParetoFront(cost, p99)
	fxy := make(plotter.XYs, len(front))
	for i, k := range front {
		fxy[i] = plotter.XY{X: p99[k], Y: cost[k]}
	}
	line, frontPts, err := plotter.NewLinePoints(fxy)
	if err != nil {
		return err
	}
	line.Color, line.Width = red, vg.Points(1)
	frontPts.GlyphStyle = draw.GlyphStyle{Color: red, Radius: vg.Points(4), Shape: draw.RingGlyph{}}
	lbl, err := plotter.NewLabels(labels)
	if err != nil {
		return err
	}
	for i := range lbl.TextStyle {
		lbl.TextStyle[i].Font.Size = vg.Points(8)
		lbl.TextStyle[i].XAlign = draw.XLeft
	}
	lbl.Offset = vg.Point{X: vg.Points(5), Y: vg.Points(2)}
	p.Add(xerr, yerr, pts, line, frontPts, lbl)
	p.Legend.Add("arm (mean)", pts)
	p.Legend.Add("Pareto front", line, frontPts)
	return write(out, f, w, h, [][]*plot.Plot{{p}})
}
