package autoscale

import (
	"math"

	"gonum.org/v1/gonum/mat"
)

// Forecaster predicts a load metric hour by hour. AWS does not publish the
// model behind predictive scaling, so the model is an interface: a
// PredictiveScaling policy uses SeasonalForecaster unless given another.
type Forecaster interface {
	// Forecast returns n hourly forecasts of the load, for the n hours
	// that follow history. history holds one value per hour, oldest
	// first, the last for the hour just ended; an hour without data is
	// NaN. It must not keep or change history.
	Forecast(history []float64, n int) []float64
}

// SeasonalForecaster is the default Forecaster: an ordinary least-squares
// fit of
//
//	load(t) = a + b·t + Σₖ daily harmonics k = 1..DailyHarmonics
//	                  + Σₖ weekly harmonics k = 1..WeeklyHarmonics
//
// (t in hours; a harmonic is a sine and a cosine of period 24 h / k or
// 168 h / k), solved with gonum's QR least squares, and extrapolated.
// Fourier terms instead of one coefficient per hour keep the fit stable
// with the short histories predictive scaling starts from (24 h). The
// trend enters once history spans two days (over one day a linear trend
// is itself a sum of daily harmonics, a sawtooth, and cannot be told
// apart), the weekly terms once it spans a week. The trend is fitted
// over the whole history, which with AWS's 14-day look-back is long
// enough that one unusual day does not tilt it much. Forecasts below zero
// are zero.
//
// This is a reasonable, documented default, not AWS's model: it follows
// the description that the model learns daily and weekly patterns
// (https://docs.aws.amazon.com/autoscaling/application/userguide/aas-predictive-scaling-how-it-works.html).
type SeasonalForecaster struct {
	// DailyHarmonics is the number of daily harmonics, 0 to 11; 0 means 8
	// (a morning ramp of an hour or two is resolved).
	DailyHarmonics int
	// WeeklyHarmonics is the number of weekly harmonics, 0 to 83; 0
	// means 3 (weekdays against the weekend). A negative value leaves the
	// weekly terms out.
	WeeklyHarmonics int
}

// Forecast implements Forecaster.
func (f SeasonalForecaster) Forecast(history []float64, n int) []float64 {
	daily := f.DailyHarmonics
	if daily <= 0 || daily > 11 {
		daily = 8
	}
	weekly := f.WeeklyHarmonics
	if weekly == 0 || weekly > 83 {
		weekly = 3
	}
	if len(history) < 7*24 || weekly < 0 {
		weekly = 0
	}
	trend := 1
	if len(history) < 48 {
		trend = 0 // over one day a trend is a sum of daily harmonics (a sawtooth): not identifiable
	}
	out := make([]float64, n)
	var rows []int
	for i, v := range history {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			rows = append(rows, i)
		}
	}
	cols := 1 + trend + 2*daily + 2*weekly
	if len(rows) == 0 {
		return out
	}
	if len(rows) < cols+1 {
		return meanOnly(history, rows, out) // too few points for the seasonal fit
	}
	features := func(t float64, x []float64) {
		x[0] = 1
		j := 1
		if trend == 1 {
			x[1] = t / float64(len(history)) // scaled to [0, 1] keeps the columns alike
			j = 2
		}
		for k := 1; k <= daily; k++ {
			w := 2 * math.Pi * float64(k) * t / 24
			x[j], x[j+1] = math.Sin(w), math.Cos(w)
			j += 2
		}
		for k := 1; k <= weekly; k++ {
			w := 2 * math.Pi * float64(k) * t / 168
			x[j], x[j+1] = math.Sin(w), math.Cos(w)
			j += 2
		}
	}
	a := mat.NewDense(len(rows), cols, nil)
	y := mat.NewVecDense(len(rows), nil)
	for r, i := range rows {
		features(float64(i), a.RawRowView(r))
		y.SetVec(r, history[i])
	}
	var coef mat.VecDense
	if err := coef.SolveVec(a, y); err != nil {
		return meanOnly(history, rows, out) // a rank-deficient design (gaps in the data)
	}
	x := make([]float64, cols)
	for h := range out {
		features(float64(len(history)+h), x)
		v := 0.0
		for j := range x {
			v += x[j] * coef.AtVec(j)
		}
		out[h] = math.Max(v, 0)
	}
	return out
}

// meanOnly fills out with the mean of history's rows.
func meanOnly(history []float64, rows []int, out []float64) []float64 {
	sum := 0.0
	for _, i := range rows {
		sum += history[i]
	}
	for i := range out {
		out[i] = math.Max(sum/float64(len(rows)), 0)
	}
	return out
}
