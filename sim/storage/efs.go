package storage

import (
	"errors"
	"fmt"
	"math"
	"slices"
)

// Binary units, as EFS counts throughput and storage.
const (
	KiB = 1024.0
	MiB = 1024 * KiB
	GiB = 1024 * MiB
	TiB = 1024 * GiB
)

// ErrInvalid marks a parameter this package rejects.
var ErrInvalid = errors.New("storage: invalid parameter")

func invalid(field string, v any, rule string) error {
	return fmt.Errorf("%w: %s %v: %s", ErrInvalid, field, v, rule)
}

// MinMeteredBytes is the least an NFS request is metered at: "every NFS
// request is accounted for as at least 4 KB"
// (https://docs.aws.amazon.com/efs/latest/ug/performance.html), taken as
// 4 KiB. The simulator applies it per request of a workload.
const MinMeteredBytes = 4 * KiB

// ReadMeteringFactor is the share of a read's bytes that is metered: "read
// requests are metered at one-third the rate of other requests"
// (https://docs.aws.amazon.com/efs/latest/ug/performance.html).
const ReadMeteringFactor = 1.0 / 3

// Metered is what a request that reads read bytes and writes write bytes
// is metered at (MeteredIOBytes): reads at one third, writes in full, at
// least MinMeteredBytes. Throughput limits, burst credits and per-client
// limits all apply to metered bytes.
func Metered(read, write float64) float64 {
	return max(read*ReadMeteringFactor+write, MinMeteredBytes)
}

// Bursting is the Bursting throughput mode's arithmetic. A zero field
// takes the documented value given on it
// (https://docs.aws.amazon.com/efs/latest/ug/performance.html); the
// values are a file system's in the Standard storage class.
type Bursting struct {
	// BaselineKiBpsPerGiB is the baseline earned per GiB stored, KiB/s;
	// zero means 50 (50 MiBps per TiB). Credits accrue at this rate.
	BaselineKiBpsPerGiB float64
	// MinBaselineMiBps is the floor of the permitted baseline, MiB/s;
	// zero means 1 (since June 2020). The floor is permitted, not earned:
	// credits accrue at the unfloored rate, which is why AWS's table gives
	// a 10 GiB file system 7.2 minutes of burst a day.
	MinBaselineMiBps float64
	// BurstMiBpsPerTiB is the burst rate per TiB stored, MiB/s; zero
	// means 100.
	BurstMiBpsPerTiB float64
	// MinBurstMiBps is the least burst rate, MiB/s; zero means 100.
	MinBurstMiBps float64
	// CreditsTiB is a new file system's credit balance and the most a
	// file system under 1 TiB holds, TiB; zero means 2.1. Larger file
	// systems hold CreditsTiB per TiB stored.
	CreditsTiB float64
}

// WithDefaults fills the zero fields with the documented values.
func (b Bursting) WithDefaults() Bursting {
	def := func(v *float64, d float64) {
		if *v == 0 {
			*v = d
		}
	}
	def(&b.BaselineKiBpsPerGiB, 50)
	def(&b.MinBaselineMiBps, 1)
	def(&b.BurstMiBpsPerTiB, 100)
	def(&b.MinBurstMiBps, 100)
	def(&b.CreditsTiB, 2.1)
	return b
}

// Validate reports every field that is negative or not finite, joined.
func (b Bursting) Validate() error {
	var errs []error
	for _, f := range []struct {
		name string
		v    float64
	}{
		{"BaselineKiBpsPerGiB", b.BaselineKiBpsPerGiB}, {"MinBaselineMiBps", b.MinBaselineMiBps},
		{"BurstMiBpsPerTiB", b.BurstMiBpsPerTiB}, {"MinBurstMiBps", b.MinBurstMiBps}, {"CreditsTiB", b.CreditsTiB},
	} {
		if !(f.v >= 0) || math.IsInf(f.v, 0) {
			errs = append(errs, invalid("Bursting."+f.name, f.v, "must be a finite number ≥ 0 (0 means the documented default)"))
		}
	}
	return errors.Join(errs...)
}

// Accrual is the rate credits accrue at while the file system is idle,
// bytes/s, for stored bytes in the Standard class.
func (b Bursting) Accrual(stored float64) float64 {
	return stored / GiB * b.BaselineKiBpsPerGiB * KiB
}

// Baseline is the throughput permitted without credits, bytes/s: the
// accrual rate, at least MinBaselineMiBps.
func (b Bursting) Baseline(stored float64) float64 {
	return max(b.Accrual(stored), b.MinBaselineMiBps*MiB)
}

// Burst is the throughput permitted while credits last, bytes/s.
func (b Bursting) Burst(stored float64) float64 {
	return max(stored/TiB*b.BurstMiBpsPerTiB*MiB, b.MinBurstMiBps*MiB)
}

// InitialCredits is a new file system's credit balance, bytes.
func (b Bursting) InitialCredits() float64 { return b.CreditsTiB * TiB }

// MaxCredits is the most credits a file system storing stored bytes holds,
// bytes: CreditsTiB under 1 TiB, CreditsTiB per TiB above.
func (b Bursting) MaxCredits(stored float64) float64 {
	return b.CreditsTiB * TiB * max(1, stored/TiB)
}

// Permitted is the throughput permitted with a credit balance of credits,
// bytes/s: Burst while credits remain, else Baseline.
func (b Bursting) Permitted(stored, credits float64) float64 {
	if credits > 0 {
		return max(b.Burst(stored), b.Baseline(stored))
	}
	return b.Baseline(stored)
}

// BurstMinutesPerDay is how long a day a file system can burst if it is
// idle the rest of the day: the day's accrual spent at the burst rate net
// of accrual, 1440 · accrual / burst minutes.
func (b Bursting) BurstMinutesPerDay(stored float64) float64 {
	return 1440 * b.Accrual(stored) / b.Burst(stored)
}

// AdvanceCredits is the credit balance dt seconds after it was balance,
// with metered throughput used (bytes/s) all along: credits accrue at
// accrual and are spent at used, net, and stay within [0, maxCredits].
func AdvanceCredits(balance, maxCredits, accrual, used, dt float64) float64 {
	return min(max(balance+(accrual-used)*dt, 0), maxCredits)
}

// TimeToEmpty is how long, in seconds, a balance lasts when used exceeds
// accrual; +Inf when it does not.
func TimeToEmpty(balance, accrual, used float64) float64 {
	if used <= accrual {
		return math.Inf(1)
	}
	return balance / (used - accrual)
}

// Limits are a file system's read and write throughput limits, bytes/s
// of data (not metered); a file system "can use a combined 100% of its
// read and write limits"
// (https://docs.aws.amazon.com/efs/latest/ug/performance.html).
type Limits struct{ Read, Write float64 }

// Combined is the metered throughput, bytes/s, that uses the whole of l
// when readShare (0 to 1) of the metered bytes are reads: a read's metered
// byte is three bytes of data, so x metered bytes/s use
// x·(3·readShare/Read + (1−readShare)/Write) of the limits.
func (l Limits) Combined(readShare float64) float64 {
	use := 3*readShare/l.Read + (1-readShare)/l.Write
	if !(use > 0) {
		return math.Inf(1)
	}
	return 1 / use
}

// Share divides total (bytes/s) among clients by processor sharing over
// their requests, every client capped at perClient (bytes/s): jobs[i] is
// client i's requests in progress, and Share writes the rate each of
// client i's requests gets to out[i] (0 for a client without requests).
// It returns the throughput handed out: total, or less when every client
// with requests is at its cap. order is scratch space (nil is fine) and
// is returned for reuse.
//
// Every request gets an equal share r, except that a client whose k
// requests would get more than perClient gets perClient/k each and the
// rest is shared anew (water-filling): the clients with most requests
// reach the cap first.
func Share(total, perClient float64, jobs []int, out []float64, order []int) (used float64, scratch []int) {
	order = order[:0]
	n := 0
	for i, k := range jobs {
		out[i] = 0
		if k > 0 {
			order = append(order, i)
			n += k
		}
	}
	if n == 0 || !(total > 0) {
		return 0, order
	}
	slices.SortFunc(order, func(a, b int) int {
		if jobs[a] != jobs[b] {
			return jobs[b] - jobs[a]
		}
		return a - b
	})
	left := total
	r := left / float64(n)
	for _, i := range order {
		k := float64(jobs[i])
		if k*r > perClient {
			out[i] = perClient / k
			used += perClient
			left -= perClient
			n -= jobs[i]
			if n > 0 {
				r = left / float64(n)
			}
			continue
		}
		out[i] = r
		used += k * r
	}
	return used, order
}
