package sim

import (
	"errors"
	"fmt"
	"time"

	"github.com/ecssim/ecssim/internal/fielderr"
	"github.com/ecssim/ecssim/sim/capacity"
)

// ErrThrottled marks a call that ECS refused with a ThrottlingException
// ("Rate exceeded") because its action's token bucket was empty
// (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/request-throttling.html).
// The error is a *ThrottlingError, which carries the retry-after time.
var ErrThrottled = errors.New("sim: ThrottlingException: Rate exceeded")

// ThrottlingError is a throttled call: the action and how long until its
// bucket holds a token again. AWS does not tell a caller that time (the
// SDKs back off blindly, see Retry); the simulator knows it and says so,
// for tests and for callers that pace themselves.
type ThrottlingError struct {
	API        string        // "RunTask", "StopTask", ...
	RetryAfter time.Duration // until the bucket next holds a token
}

func (e *ThrottlingError) Error() string {
	return fmt.Sprintf("%v (%s): retry after %v", ErrThrottled, e.API, e.RetryAfter)
}

// Is makes errors.Is(err, ErrThrottled) hold.
func (e *ThrottlingError) Is(target error) bool { return target == ErrThrottled }

// RetryAfter returns the retry-after time of a throttled call's error, and
// false for any other error.
func RetryAfter(err error) (time.Duration, bool) {
	var te *ThrottlingError
	if errors.As(err, &te) {
		return te.RetryAfter, true
	}
	return 0, false
}

// throttle spends a token of api's bucket, or returns the ThrottlingError.
// The world's calls check their input first: an invalid request is
// reported as invalid and spends no token (AWS does not document the
// order).
func (w *World) throttle(api capacity.API) error {
	ok, after := w.api.Call(api, w.sim.Elapsed())
	if ok {
		return nil
	}
	return &ThrottlingError{API: api.String(), RetryAfter: after}
}

// APIAvailable returns how many calls of api the world would accept now
// (whole tokens in its bucket); with throttling disabled it is the bucket's
// size.
func (w *World) APIAvailable(api capacity.API) int {
	return w.api.Available(api, w.sim.Elapsed())
}

// RetryPolicy is how a caller retries throttled calls: the AWS SDKs'
// "standard" retry mode. Attempt i (i = 1 after the first failure) waits a
// uniform random time in [0, min(2^i s, MaxBackoff)) — "truncated binary
// exponential backoff with full jitter", up to MaxAttempts attempts in all
// (https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html;
// standard mode's defaults are 3 attempts and a 20 s ceiling). The
// jitter comes from the simulation's random stream named Stream, so a
// run stays deterministic and retries shift no other draw. (The first
// retry waits up to 2 s, as the Go SDK v2's jittered backoff has it;
// standard mode's client-side retry quota, a bucket of retry tokens that
// only outages drain, is not modelled.)
type RetryPolicy struct {
	// MaxAttempts is the most calls, the first included, 1 to 1000; 0
	// means 3, the SDKs' standard mode.
	MaxAttempts int
	// MaxBackoff caps one wait, 0 to 1 h; 0 means 20 s.
	MaxBackoff time.Duration
	// Stream names the random stream of the jitter; "" means "sdk-retry".
	Stream string
}

// Retry calls call now, and again after a backoff each time it fails with
// ErrThrottled, until it succeeds, fails otherwise, or has made
// p.MaxAttempts attempts; then done (if not nil) is called with the last
// error (nil on success) and the number of attempts. Other errors are not
// retried, as the SDKs do not retry a validation error. It returns an
// error only for an invalid policy.
func (w *World) Retry(p RetryPolicy, call func() error, done func(err error, attempts int)) error {
	l := fielderr.NewList(ErrConfig)
	if p.MaxAttempts < 0 || p.MaxAttempts > 1000 {
		l.Add("RetryPolicy.MaxAttempts", p.MaxAttempts, "must be 0 (3) to 1000")
	}
	if p.MaxBackoff < 0 || p.MaxBackoff > time.Hour {
		l.Add("RetryPolicy.MaxBackoff", p.MaxBackoff, "must be 0 (20s) to 1h")
	}
	if call == nil {
		l.Add("Retry(call)", nil, "must be a function")
	}
	if err := l.Err(); err != nil {
		return err
	}
	if p.MaxAttempts == 0 {
		p.MaxAttempts = 3
	}
	if p.MaxBackoff == 0 {
		p.MaxBackoff = 20 * time.Second
	}
	if p.Stream == "" {
		p.Stream = "sdk-retry"
	}
	rng := w.sim.Rand(p.Stream)
	var attempt func(n int)
	attempt = func(n int) {
		err := call()
		if err == nil || !errors.Is(err, ErrThrottled) || n >= p.MaxAttempts {
			if done != nil {
				done(err, n)
			}
			return
		}
		ceiling := p.MaxBackoff
		if n < 40 && time.Duration(1<<n)*time.Second < ceiling {
			ceiling = time.Duration(1<<n) * time.Second
		}
		w.sim.After(time.Duration(rng.Int64N(int64(ceiling))), func() { attempt(n + 1) })
	}
	attempt(1)
	return nil
}

// SetAPIRateLimits replaces the world's API token buckets with full ones
// of c (defaults filled in), or returns every field of c that breaks a
// rule. A builder that sets up a starting state of many services or tasks
// at one instant — the account as it stands when the experiment begins,
// not calls made during it — builds with throttling Disabled and switches
// the limits on with this before the run, as sim/scenario does.
func (w *World) SetAPIRateLimits(c capacity.APIRateLimits) error {
	l := fielderr.NewList(ErrConfig)
	c.Validate(l, "APIRateLimits")
	if err := l.Err(); err != nil {
		return err
	}
	t, err := capacity.NewAPIThrottle(c)
	if err != nil {
		return err
	}
	w.api = t
	w.cfg.APIRateLimits = c
	return nil
}
