// Command efscontent answers a question teams ask of Amazon EFS behind a
// content service: on Bursting throughput, when do the burst credits run
// out for the data we store, and what would Elastic or Provisioned
// throughput cost instead? It runs one read-heavy service through a week
// of diurnal traffic on six file system choices and prints p99 latency and
// cost side by side.
//
//	go run ./examples/efscontent
//	go run ./examples/efscontent -days 3 -mean 60
//
// The scenario, all in virtual time:
//
//   - six Fargate tasks of 1 vCPU / 2 GB behind an ALB (fixed count), each
//     mounting the same EFS file system (a new one: 2.1 TiB of credits);
//   - traffic: 40 requests per second on average (-mean), ±60 % over the
//     day with the peak at 14:00; each request takes 10 ms of CPU, then
//     reads 2 MiB on average from EFS, metered at a third (0.67 MiB), and
//     its client gives up after 10 s;
//   - so the file system sees 26.7 MiB/s metered on average, 42.7 at the
//     peak and 10.7 at night;
//   - the arms: Bursting with 100 GiB, 250 GiB, 500 GiB and 1 TiB stored
//     (baselines 4.9, 12.2, 24.4 and 50 MiB/s; bursts of 100 MiB/s);
//     Elastic with 100 GiB; Provisioned at 64 MiB/s with 100 GiB.
//
// The simulation runs in fluid mode (one-minute steps): each step's file
// system latency is the M/G/1 processor-sharing mean at the step's load,
// and what the file system cannot serve times out. For each arm it prints
// when the credits first run out, the p99 latency of each day, the share
// of requests served, and the bill: the file system's per month (30 days
// at the week's rate) and, for the run, the file system's and Fargate's.
// Prices are capacity.USEast1Prices: storage $0.30 per GB-month, Elastic
// reads $0.03 per GB, Provisioned $6 per MiB/s-month above the baseline
// the storage includes.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/ecssim/ecssim/loadbalancer"
	"github.com/ecssim/ecssim/sim"
	"github.com/ecssim/ecssim/sim/storage"
	"github.com/ecssim/ecssim/sim/traffic"
)

// Scenario is the service and its traffic.
type Scenario struct {
	// Seed feeds every random stream.
	Seed uint64
	// Days is the length of the run.
	Days int
	// Tasks is the service's task count.
	Tasks int
	// MeanRate is the mean request rate, per second; Amplitude its
	// relative swing over the day; Peak the time of day of the highest
	// rate.
	MeanRate, Amplitude float64
	Peak                time.Duration
	// CPU is each request's CPU work at one vCPU; ReadBytes the mean
	// bytes it reads from EFS; Timeout the client's timeout.
	CPU       time.Duration
	ReadBytes float64
	Timeout   time.Duration
}

// DefaultScenario is the scenario of the package comment.
func DefaultScenario() Scenario {
	return Scenario{Seed: 1, Days: 7, Tasks: 6, MeanRate: 40, Amplitude: 0.6, Peak: 14 * time.Hour,
		CPU: 10 * time.Millisecond, ReadBytes: 2 * storage.MiB, Timeout: 10 * time.Second}
}

// Arm is one file system choice.
type Arm struct {
	Name             string
	Mode             sim.ThroughputMode
	StoredGiB        float64
	ProvisionedMiBps float64
}

// Arms are the six choices of the package comment.
func Arms() []Arm {
	return []Arm{
		{Name: "Bursting, 100 GiB", Mode: sim.Bursting, StoredGiB: 100},
		{Name: "Bursting, 250 GiB", Mode: sim.Bursting, StoredGiB: 250},
		{Name: "Bursting, 500 GiB", Mode: sim.Bursting, StoredGiB: 500},
		{Name: "Bursting, 1 TiB", Mode: sim.Bursting, StoredGiB: 1024},
		{Name: "Elastic, 100 GiB", Mode: sim.Elastic, StoredGiB: 100},
		{Name: "Provisioned 64 MiB/s, 100 GiB", Mode: sim.Provisioned, StoredGiB: 100, ProvisionedMiBps: 64},
	}
}

// Result is what one arm did.
type Result struct {
	Arm Arm
	// CreditsOut is when the permitted throughput first fell to the
	// baseline (the credits were spent), from the start; zero if never.
	CreditsOut time.Duration
	// DailyP99 is each day's p99 latency of the served requests.
	DailyP99 []time.Duration
	// Arrived and Served count the requests; Conserved says the workload's
	// counters add up.
	Arrived, Served int64
	Conserved       bool
	// FileSystemCost and FargateCost are the run's bills, dollars.
	FileSystemCost, FargateCost float64
	// MeteredBytes is what the file system metered over the run.
	MeteredBytes float64
	// MinCredits and MaxCredits are the extremes of the credit balance,
	// sampled every minute; CreditCap the most the file system holds.
	MinCredits, MaxCredits, CreditCap float64
}

// MonthlyFileSystemCost is the file system's bill for 30 days at the
// run's rate.
func (r Result) MonthlyFileSystemCost(days int) float64 { return r.FileSystemCost * 30 / float64(days) }

const fsID = "fs-0c0ffee0c0ffee000"

// Run runs one arm.
func Run(arm Arm, sc Scenario) (Result, error) {
	s, err := sim.New(sim.Config{Seed: sc.Seed})
	if err != nil {
		return Result{}, err
	}
	w, err := sim.NewWorld(s, sim.WorldConfig{})
	if err != nil {
		return Result{}, err
	}
	c, err := w.CreateCluster("prod")
	if err != nil {
		return Result{}, err
	}
	fs, err := w.CreateFileSystem(sim.FileSystemConfig{ID: fsID, ThroughputMode: arm.Mode, StoredGiB: arm.StoredGiB, ProvisionedMiBps: arm.ProvisionedMiBps})
	if err != nil {
		return Result{}, err
	}
	if _, err := w.RegisterTaskDefinition(sim.TaskDefinitionInput{
		Family: "content", CPU: 1024, MemoryMiB: 2048, NetworkMode: sim.AWSVPC, RequiresCompatibilities: []sim.LaunchType{sim.Fargate},
		Containers: []sim.ContainerDefinition{{Name: "app", Image: "content:1",
			MountPoints: []sim.MountPoint{{SourceVolume: "media", ContainerPath: "/srv/media", ReadOnly: true}}}},
		Volumes: []sim.Volume{{Name: "media", EFSVolumeConfiguration: &sim.EFSVolumeConfiguration{FileSystemID: fsID, TransitEncryption: sim.EFSEnabled}}},
	}); err != nil {
		return Result{}, err
	}
	lb, err := w.NewLoadBalancer(sim.LoadBalancerConfig{Name: "content", TargetGroup: loadbalancer.Config{
		HealthCheck: loadbalancer.HealthCheck{Interval: 10 * time.Second, Timeout: 5 * time.Second, HealthyThreshold: 2},
	}})
	if err != nil {
		return Result{}, err
	}
	if _, err := c.CreateService(sim.ServiceConfig{Name: "content", TaskDefinition: "content", DesiredCount: sc.Tasks, LaunchType: sim.Fargate, Observer: lb}); err != nil {
		return Result{}, err
	}
	wl, err := w.NewWorkload(sim.WorkloadConfig{
		LoadBalancer: lb, Mode: sim.FluidMode,
		Source:   traffic.Diurnal{Mean: sc.MeanRate, Amplitude: sc.Amplitude, Period: 24 * time.Hour, Peak: sc.Peak},
		MeanWork: sc.CPU, SCV: 1,
		Server: traffic.ServerConfig{Discipline: traffic.ProcessorSharing, QueueLimit: traffic.Unlimited, Timeout: sc.Timeout},
		IO:     &sim.RequestIO{Volume: "media", MeanReadBytes: sc.ReadBytes},
		// A day per report period: the periods end at midnight.
		ReportPeriod: 24 * time.Hour,
	})
	if err != nil {
		return Result{}, err
	}
	r := Result{Arm: arm, CreditCap: fs.MaxCredits(), MinCredits: fs.CreditBalance(), MaxCredits: fs.CreditBalance()}
	b := storage.Bursting{}.WithDefaults()
	baseline := b.Baseline(arm.StoredGiB * storage.GiB)
	end := time.Duration(sc.Days) * 24 * time.Hour
	for at := time.Minute; at <= end; at += time.Minute {
		if err := s.RunUntil(s.Start().Add(at)); err != nil {
			return Result{}, err
		}
		bal := fs.CreditBalance()
		r.MinCredits, r.MaxCredits = min(r.MinCredits, bal), max(r.MaxCredits, bal)
		if r.CreditsOut == 0 && arm.Mode == sim.Bursting && fs.PermittedThroughput() == baseline {
			r.CreditsOut = at
		}
	}
	for _, p := range wl.Periods() {
		r.DailyP99 = append(r.DailyP99, p.P99)
	}
	cnt := wl.Counters()
	r.Arrived, r.Served = cnt.Arrived, cnt.Served
	r.Conserved = cnt.Arrived == cnt.Served+cnt.NoTarget+cnt.Rejected+cnt.TimedOut+cnt.Aborted+cnt.InFlight
	bill := w.Cost()
	for _, l := range bill.ByFileSystem {
		r.FileSystemCost += l.Cost
	}
	r.FargateCost = bill.Total - r.FileSystemCost
	r.MeteredBytes = fs.MeteredBytes()
	return r, nil
}

// Print writes the results as a table.
func Print(out io.Writer, sc Scenario, rs []Result) {
	mm := storage.Metered(sc.ReadBytes, 0) / storage.MiB
	fmt.Fprintf(out, "Content service: %d Fargate tasks (1 vCPU, 2 GB) on one EFS file system, %d days\n", sc.Tasks, sc.Days)
	fmt.Fprintf(out, "traffic: %.0f req/s mean, ±%.0f %% daily, peak %02d:00; %v CPU and %.1f MiB read (%.2f MiB metered) per request; %.1f MiB/s metered on average\n\n",
		sc.MeanRate, 100*sc.Amplitude, int(sc.Peak.Hours()), sc.CPU, sc.ReadBytes/storage.MiB, mm, sc.MeanRate*mm)
	fmt.Fprintf(out, "%-30s %-12s", "file system", "credits out")
	for d := range sc.Days {
		fmt.Fprintf(out, " %7s", fmt.Sprintf("p99 d%d", d+1))
	}
	fmt.Fprintf(out, " %7s %11s %10s %10s\n", "served", "EFS $/mo", "EFS $ run", "Fargate $")
	for _, r := range rs {
		out1 := "never"
		if r.CreditsOut > 0 {
			out1 = fmt.Sprintf("day %d %02d:%02d", int(r.CreditsOut.Hours())/24+1, int(r.CreditsOut.Hours())%24, int(r.CreditsOut.Minutes())%60)
		}
		if r.Arm.Mode != sim.Bursting {
			out1 = "-"
		}
		fmt.Fprintf(out, "%-30s %-12s", r.Arm.Name, out1)
		for _, p := range r.DailyP99 {
			fmt.Fprintf(out, " %7s", short(p))
		}
		fmt.Fprintf(out, " %6.1f%% %11.2f %10.2f %10.2f\n", 100*float64(r.Served)/float64(max(r.Arrived, 1)),
			r.MonthlyFileSystemCost(sc.Days), r.FileSystemCost, r.FargateCost)
	}
}

// short renders a latency compactly: "38ms", "1.2s", "10s".
func short(d time.Duration) string {
	switch {
	case d >= 10*time.Second:
		return fmt.Sprintf("%.0fs", d.Seconds())
	case d >= time.Second:
		return fmt.Sprintf("%.1fs", d.Seconds())
	}
	return fmt.Sprintf("%dms", d.Round(time.Millisecond).Milliseconds())
}

func main() {
	sc := DefaultScenario()
	flag.Uint64Var(&sc.Seed, "seed", sc.Seed, "random seed")
	flag.IntVar(&sc.Days, "days", sc.Days, "days to simulate (1 to 31)")
	flag.Float64Var(&sc.MeanRate, "mean", sc.MeanRate, "mean request rate, per second")
	flag.Parse()
	if sc.Days < 1 || sc.Days > 31 {
		fmt.Fprintln(os.Stderr, "efscontent: -days must be 1 to 31")
		os.Exit(2)
	}
	var rs []Result
	for _, arm := range Arms() {
		r, err := Run(arm, sc)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		rs = append(rs, r)
	}
	Print(os.Stdout, sc, rs)
}
