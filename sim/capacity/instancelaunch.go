package capacity

import (
	"errors"
	"math/rand/v2"
	"time"
)

// InstanceLaunch is the model of how long a new EC2 container instance takes
// from the Auto Scaling group's launch request until it is registered with
// the cluster and can take tasks:
//
//	delay = API + PendingToRunning + Boot + AgentRegistration
//
// each term uniform on its [Min, Max]; with probability SlowFraction the
// whole delay is instead uniform on [SlowMin, SlowMax] (the bimodal boot
// times reported for some AMIs). The result is rounded to the millisecond.
//
// The zero value of every field means its default, from published
// measurements of EC2 launch times:
//
//   - API 1.5 s: ec2-boot-bench measured RunInstances at 1.54 s
//     (Colin Percival, http://www.daemonology.net/blog/2021-08-12-EC2-boot-time-benchmarking.html);
//   - pending→running 5–18 s: 4.90 s in that run, and 16.4–16.6 s
//     regardless of family across current-generation types
//     (https://github.com/brevdev/ec2-coldboot-research);
//   - OS boot to network 5–20 s: 17.18 s + 5.64 s in ec2-boot-bench, and
//     12 % of a 25.8 s cold launch in the second study;
//   - ECS agent registration 5–15 s: not measured in any source found; an
//     assumption;
//   - slow mode 80–120 s with probability 0 (off): boot times have been
//     reported bimodal, tens of seconds against about 80 s.
//
// So the default mean is 1.5 + 11.5 + 12.5 + 10 = 35.5 s, within the
// 30–60 s commonly quoted for an instance to join a cluster, of which the
// first three terms (25.5 s) match the measured 25.8 s average cold launch
// to SSH.
type InstanceLaunch struct {
	// API is the RunInstances call time; zero means 1.5 s.
	API time.Duration
	// PendingMin and PendingMax bound pending→running; zero means 5 s and
	// 18 s.
	PendingMin, PendingMax time.Duration
	// BootMin and BootMax bound OS boot to network; zero means 5 s and 20 s.
	BootMin, BootMax time.Duration
	// AgentMin and AgentMax bound ECS agent start and registration; zero
	// means 5 s and 15 s.
	AgentMin, AgentMax time.Duration
	// SlowFraction is the probability, in [0, 1], of a slow launch; zero
	// means none.
	SlowFraction float64
	// SlowMin and SlowMax bound a slow launch's whole delay; zero means
	// 80 s and 120 s.
	SlowMin, SlowMax time.Duration
}

// WithDefaults returns the model with every zero field replaced by its
// default.
func (m InstanceLaunch) WithDefaults() InstanceLaunch {
	if m.API == 0 {
		m.API = 1500 * time.Millisecond
	}
	pair := func(lo, hi *time.Duration, dlo, dhi time.Duration) {
		if *lo == 0 && *hi == 0 {
			*lo, *hi = dlo, dhi
		}
	}
	pair(&m.PendingMin, &m.PendingMax, 5*time.Second, 18*time.Second)
	pair(&m.BootMin, &m.BootMax, 5*time.Second, 20*time.Second)
	pair(&m.AgentMin, &m.AgentMax, 5*time.Second, 15*time.Second)
	pair(&m.SlowMin, &m.SlowMax, 80*time.Second, 120*time.Second)
	return m
}

// Validate reports every field that breaks a rule, joined.
func (m InstanceLaunch) Validate() error {
	var errs []error
	if m.API < 0 {
		errs = append(errs, invalid("InstanceLaunch.API", m.API, "must be ≥ 0"))
	}
	for _, p := range []struct {
		name   string
		lo, hi time.Duration
	}{{"Pending", m.PendingMin, m.PendingMax}, {"Boot", m.BootMin, m.BootMax}, {"Agent", m.AgentMin, m.AgentMax}, {"Slow", m.SlowMin, m.SlowMax}} {
		if p.lo < 0 || p.hi < p.lo {
			errs = append(errs, invalid("InstanceLaunch."+p.name+"Min/Max", [2]time.Duration{p.lo, p.hi}, "must satisfy 0 ≤ min ≤ max"))
		}
	}
	if !(m.SlowFraction >= 0 && m.SlowFraction <= 1) {
		errs = append(errs, invalid("InstanceLaunch.SlowFraction", m.SlowFraction, "must be in [0, 1]"))
	}
	return errors.Join(errs...)
}

// Sample draws one launch delay using r. It always draws five values, so
// changing a parameter never shifts later draws of the same stream.
func (m InstanceLaunch) Sample(r *rand.Rand) time.Duration {
	m = m.WithDefaults()
	pending := uniformDuration(r, m.PendingMin, m.PendingMax)
	boot := uniformDuration(r, m.BootMin, m.BootMax)
	agent := uniformDuration(r, m.AgentMin, m.AgentMax)
	slowDraw := r.Float64()
	slow := uniformDuration(r, m.SlowMin, m.SlowMax)
	d := addSat(addSat(addSat(m.API, pending), boot), agent)
	if slowDraw < m.SlowFraction {
		d = slow
	}
	return millis(float64(d) / float64(time.Millisecond))
}
