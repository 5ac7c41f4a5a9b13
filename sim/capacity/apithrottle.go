package capacity

import (
	"time"

	"github.com/ecssim/ecssim/internal/fielderr"
)

// API names an ECS API action the simulator throttles.
type API int

// The throttled actions, in APIRateLimits' field order.
const (
	RunTask API = iota
	StartTask
	StopTask
	CreateService
	UpdateService
	numAPIs
)

var apiNames = [numAPIs]string{"RunTask", "StartTask", "StopTask", "CreateService", "UpdateService"}

// String returns the action's name as the ECS API spells it.
func (a API) String() string {
	if a < 0 || a >= numAPIs {
		return "API(?)"
	}
	return apiNames[a]
}

// APIRateLimit is one action's token bucket: Burst calls at once (the
// bucket's size), RefillPerSecond calls per second sustained (its refill
// rate). ECS keeps one bucket per action, account and Region
// (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/request-throttling.html).
// Zero fields take the action's default.
type APIRateLimit struct {
	// Burst is the bucket's capacity in calls, 0 to 1e9; 0 means the default.
	Burst int
	// RefillPerSecond is the sustained rate in calls per second, 0 to 1e9;
	// 0 means the default.
	RefillPerSecond int
}

// Default API rate limits.
//
// RunTask's are documented: "The rate quota for calls to the Amazon ECS
// RunTask API is 20 calls per second (burst and sustained)", each call
// starting at most 10 tasks (AWS Fargate throttling quotas,
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/throttling.html,
// as read in 2026).
//
// The others come from the table of "Request throttling for the Amazon
// ECS API"
// (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/request-throttling.html).
// UNCONFIRMED: that table could not be re-read when these defaults were
// written; the figures are those the page has been quoted with (StartTask
// and StopTask 100 burst / 40 per second, service modifications
// CreateService and UpdateService 50 burst / 5 per second). Check the page
// and set APIRateLimits when the figures matter.
var (
	DefaultRunTaskLimit       = APIRateLimit{Burst: 20, RefillPerSecond: 20}
	DefaultStartTaskLimit     = APIRateLimit{Burst: 100, RefillPerSecond: 40}
	DefaultStopTaskLimit      = APIRateLimit{Burst: 100, RefillPerSecond: 40}
	DefaultCreateServiceLimit = APIRateLimit{Burst: 50, RefillPerSecond: 5}
	DefaultUpdateServiceLimit = APIRateLimit{Burst: 50, RefillPerSecond: 5}
)

// APIRateLimits are the token buckets of the throttled ECS API actions;
// the zero value is AWS's defaults, throttling on.
type APIRateLimits struct {
	RunTask, StartTask, StopTask, CreateService, UpdateService APIRateLimit
	// Disabled turns API throttling off: every call is accepted, as before
	// the simulator modelled it. For experiments that script bursts of
	// calls and do not want them throttled.
	Disabled bool
}

func (c *APIRateLimits) limits() [numAPIs]*APIRateLimit {
	return [numAPIs]*APIRateLimit{&c.RunTask, &c.StartTask, &c.StopTask, &c.CreateService, &c.UpdateService}
}

var defaultLimits = [numAPIs]APIRateLimit{DefaultRunTaskLimit, DefaultStartTaskLimit, DefaultStopTaskLimit, DefaultCreateServiceLimit, DefaultUpdateServiceLimit}

// Validate adds to l every field that breaks a rule; prefix names the
// struct (for example "WorldConfig.APIRateLimits").
func (c APIRateLimits) Validate(l *fielderr.List, prefix string) {
	for i, lim := range c.limits() {
		name := prefix + "." + API(i).String()
		if lim.Burst < 0 || lim.Burst > 1_000_000_000 {
			l.Addf(name+".Burst", lim.Burst, "must be 0 (default %d) to 1e9", defaultLimits[i].Burst)
		}
		if lim.RefillPerSecond < 0 || lim.RefillPerSecond > 1_000_000_000 {
			l.Addf(name+".RefillPerSecond", lim.RefillPerSecond, "must be 0 (default %d) to 1e9", defaultLimits[i].RefillPerSecond)
		}
	}
}

// WithDefaults returns c with every zero field set to its action's default.
func (c APIRateLimits) WithDefaults() APIRateLimits {
	for i, lim := range c.limits() {
		if lim.Burst == 0 {
			lim.Burst = defaultLimits[i].Burst
		}
		if lim.RefillPerSecond == 0 {
			lim.RefillPerSecond = defaultLimits[i].RefillPerSecond
		}
	}
	return c
}

// APIThrottle holds one token bucket per throttled action. Every bucket
// starts full at time zero. Time is a time.Duration since the start of the
// simulation, as for LaunchBucket.
type APIThrottle struct {
	off     bool
	buckets [numAPIs]*LaunchBucket
}

// NewAPIThrottle returns the buckets of c (defaults filled in), or every
// field of c that breaks a rule.
func NewAPIThrottle(c APIRateLimits) (*APIThrottle, error) {
	l := fielderr.NewList(ErrInvalidConfig)
	c.Validate(l, "APIRateLimits")
	if err := l.Err(); err != nil {
		return nil, err
	}
	c = c.WithDefaults()
	t := &APIThrottle{off: c.Disabled}
	for i, lim := range c.limits() {
		t.buckets[i] = &LaunchBucket{burst: int64(lim.Burst), rate: int64(lim.RefillPerSecond), nano: int64(lim.Burst) * nanoPerToken}
	}
	return t, nil
}

// Call spends one token of api's bucket at now and reports true, or, with
// the bucket empty, spends nothing and reports false with how long until
// the bucket next holds a token (the earliest a retry can succeed).
func (t *APIThrottle) Call(api API, now time.Duration) (ok bool, retryAfter time.Duration) {
	if t.off {
		return true, 0
	}
	b := t.buckets[api]
	if now < b.last {
		now = b.last
	}
	b.refill(now)
	if b.nano >= nanoPerToken {
		b.nano -= nanoPerToken
		return true, 0
	}
	missing := nanoPerToken - b.nano
	return false, time.Duration((missing + b.rate - 1) / b.rate)
}

// Available returns the whole tokens in api's bucket at now.
func (t *APIThrottle) Available(api API, now time.Duration) int {
	return t.buckets[api].Available(now)
}
