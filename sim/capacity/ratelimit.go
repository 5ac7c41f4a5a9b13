package capacity

import (
	"errors"
	"time"
)

// Fargate launch rate limits
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/throttling.html).
const (
	// DefaultLaunchBurst is the Fargate task launch bucket's capacity.
	DefaultLaunchBurst = 100
	// DefaultLaunchRefillPerSecond is the rate at which launch tokens
	// return.
	DefaultLaunchRefillPerSecond = 20
	// MaxTasksPerRunTask is the most tasks one RunTask call may start (not
	// adjustable).
	MaxTasksPerRunTask = 10
)

// LaunchBucketConfig configures a LaunchBucket.
type LaunchBucketConfig struct {
	// Burst is the bucket capacity in tasks, at most 1e9; zero means 100.
	Burst int
	// RefillPerSecond is the refill rate in tasks per second, at most 1e9;
	// zero means 20.
	RefillPerSecond int
}

// Validate reports every field that breaks a rule, joined.
func (c LaunchBucketConfig) Validate() error {
	var errs []error
	if c.Burst < 0 || c.Burst > 1_000_000_000 {
		errs = append(errs, invalid("LaunchBucketConfig.Burst", c.Burst, "must be in [0, 1e9] (0 = 100)"))
	}
	if c.RefillPerSecond < 0 || c.RefillPerSecond > 1_000_000_000 {
		errs = append(errs, invalid("LaunchBucketConfig.RefillPerSecond", c.RefillPerSecond, "must be in [0, 1e9] (0 = 20)"))
	}
	return errors.Join(errs...)
}

// LaunchBucket is the Fargate task launch token bucket: one token per task,
// Burst tokens at most, RefillPerSecond tokens back every second. ECS keeps
// one bucket per account and Region for On-Demand and another for Spot, so
// the world holds two. The bucket starts full at time zero.
//
// Time is a time.Duration since the start of the simulation. Tokens are
// kept in integer nano-tokens (1 token = 1e9), so refill is exact: after d
// nanoseconds a bucket gains d × RefillPerSecond nano-tokens.
type LaunchBucket struct {
	burst int64 // tokens
	rate  int64 // tokens per second = nano-tokens per nanosecond
	nano  int64 // nano-tokens available at last
	last  time.Duration
}

const nanoPerToken = int64(time.Second)

// NewLaunchBucket returns a full bucket, or the configuration's errors.
func NewLaunchBucket(c LaunchBucketConfig) (*LaunchBucket, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if c.Burst == 0 {
		c.Burst = DefaultLaunchBurst
	}
	if c.RefillPerSecond == 0 {
		c.RefillPerSecond = DefaultLaunchRefillPerSecond
	}
	b := &LaunchBucket{burst: int64(c.Burst), rate: int64(c.RefillPerSecond)}
	b.nano = b.burst * nanoPerToken
	return b, nil
}

func (b *LaunchBucket) refill(now time.Duration) {
	if now <= b.last {
		return
	}
	full := b.burst * nanoPerToken
	need := full - b.nano
	elapsed := int64(now - b.last)
	// Compare before multiplying so a long idle gap cannot overflow.
	if elapsed >= (need+b.rate-1)/b.rate {
		b.nano = full
	} else {
		b.nano += elapsed * b.rate
	}
	b.last = now
}

// Available returns the whole tokens in the bucket at now.
func (b *LaunchBucket) Available(now time.Duration) int {
	b.refill(now)
	return int(b.nano / nanoPerToken)
}

// Take asks for n launches at now. It grants as many as there are whole
// tokens, at most n, and returns how many it granted and when the next token
// will be available: now if tokens remain, else the instant the bucket next
// holds a whole token. A caller that still has tasks waiting asks again at
// next. Asking with a now earlier than a previous call's is treated as that
// previous instant (time does not run backwards).
func (b *LaunchBucket) Take(now time.Duration, n int) (granted int, next time.Duration) {
	if now < b.last {
		now = b.last
	}
	b.refill(now)
	whole := b.nano / nanoPerToken
	g := int64(n)
	if g > whole {
		g = whole
	}
	if g < 0 {
		g = 0
	}
	b.nano -= g * nanoPerToken
	if b.nano >= nanoPerToken {
		return int(g), now
	}
	missing := nanoPerToken - b.nano
	return int(g), addSat(now, time.Duration((missing+b.rate-1)/b.rate))
}

// VCPUQuota is the per-account, per-Region Fargate vCPU concurrency quota
// ("Fargate On-Demand vCPU resource count" and the Spot equivalent; one
// VCPUQuota each). It counts the vCPUs of running (and launching) tasks in
// CPU units.
//
// The Service Quotas pages name these quotas but give no default value
// (they differ per account and rise automatically for new accounts,
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html),
// so there is no built-in default: a zero limit means "no quota".
//
// When a launch would exceed the quota, ECS does not queue the task: RunTask
// reports a failure and the service scheduler records the service event
// below and retries on its next scheduling pass (the usual service
// back-off). The world turns a false from TryReserve into that outcome.
type VCPUQuota struct {
	limitUnits int64 // CPU units; 0 = unlimited
	usedUnits  int64
}

// QuotaExceededReason is the failure reason ECS reports when a Fargate
// launch would exceed the account's vCPU quota. The wording is from the ECS
// service event and RunTask failure text as commonly reported; AWS's
// service event messages page
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-event-messages.html)
// does not quote it word for word, so the wording is unconfirmed.
const QuotaExceededReason = "You've reached the limit on the number of vCPUs you can run concurrently"

// NewVCPUQuota returns a quota of limitVCPU vCPUs; zero means unlimited.
func NewVCPUQuota(limitVCPU int) (*VCPUQuota, error) {
	if limitVCPU < 0 {
		return nil, invalid("VCPUQuota limitVCPU", limitVCPU, "must be ≥ 0 (0 = no quota)")
	}
	return &VCPUQuota{limitUnits: int64(limitVCPU) * 1024}, nil
}

// TryReserve reserves cpuUnits (1024 = 1 vCPU) for a task about to launch
// and reports true, or reports false and reserves nothing if that would
// exceed the quota.
func (q *VCPUQuota) TryReserve(cpuUnits int) bool {
	if q.limitUnits > 0 && q.usedUnits+int64(cpuUnits) > q.limitUnits {
		return false
	}
	q.usedUnits += int64(cpuUnits)
	return true
}

// Release returns cpuUnits when a task stops. Releasing more than is
// reserved is a programmer error and panics.
func (q *VCPUQuota) Release(cpuUnits int) {
	if int64(cpuUnits) > q.usedUnits {
		panic("capacity: VCPUQuota.Release of more CPU than reserved")
	}
	q.usedUnits -= int64(cpuUnits)
}

// UsedUnits returns the reserved CPU units.
func (q *VCPUQuota) UsedUnits() int { return int(q.usedUnits) }

// LimitUnits returns the quota in CPU units; zero means unlimited.
func (q *VCPUQuota) LimitUnits() int { return int(q.limitUnits) }
