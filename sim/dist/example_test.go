package dist_test

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/ecssim/ecssim/sim/dist"
)

// A latency given by its median and σ, and a request's work given by its
// mean and C², in one vocabulary: 40 s·exp(0.3²/2) = 41.841 s, and
// exp(0.3²) − 1 = 0.094.
func Example() {
	launch := dist.LogNormal(40*time.Second, 0.3)
	work := dist.LogNormalMean(100*time.Millisecond, 4)
	fmt.Println(launch, "mean", launch.Mean().Round(time.Millisecond), "C²", fmt.Sprintf("%.3f", launch.SCV()))
	fmt.Println(work, "mean", work.Mean(), "C²", work.SCV())

	r := rand.New(rand.NewPCG(1, 2)) // a simulation passes one of its named streams
	fmt.Println(launch.Sample(r) > 0, work.Sample(r) >= 0)
	// Output:
	// lognormal(median 40s, sigma 0.3) mean 41.841s C² 0.094
	// lognormal(mean 100ms, scv 4) mean 100ms C² 4
	// true true
}

// The text form reads what String writes, for configuration files.
func ExampleDist_UnmarshalText() {
	var d dist.Dist
	if err := d.UnmarshalText([]byte("hyperexponential(mean 100ms, scv 9)")); err != nil {
		fmt.Println(err)
	}
	fmt.Println(d.Kind(), d.Mean(), d.SCV())
	err := d.UnmarshalText([]byte("gamma(2, 3)"))
	fmt.Println(err)
	// Output:
	// hyperexponential 100ms 9
	// dist: invalid distribution: Dist "gamma(2, 3)": the family must be one of fixed, uniform, exponential, lognormal, hyperexponential
}

// Check reports a bad Dist under the caller's field and sentinel.
func ExampleDist_Check() {
	errConfig := fmt.Errorf("sim: invalid config")
	fmt.Println(dist.Exponential(0).Check(errConfig, "Latencies.InstanceLaunch"))
	// Output:
	// sim: invalid config: Latencies.InstanceLaunch exponential(mean 0s): exponential needs a positive mean
}
