package capacity

import (
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/ecssim/ecssim/internal/fielderr"
)

// naiveBucket is the reference token bucket: exact rationals, the textbook
// rule (tokens grow by rate per second up to burst; a call takes one whole
// token if there is one), and the wait until the next token computed as
// (1 − tokens) / rate seconds, rounded up to the nanosecond.
type naiveBucket struct {
	burst, rate *big.Rat
	tokens      *big.Rat
	last        time.Duration
}

func newNaive(burst, rate int) *naiveBucket {
	b := big.NewRat(int64(burst), 1)
	return &naiveBucket{burst: b, rate: big.NewRat(int64(rate), 1), tokens: new(big.Rat).Set(b)}
}

func (n *naiveBucket) call(now time.Duration) (bool, time.Duration) {
	if now > n.last {
		add := new(big.Rat).Mul(n.rate, big.NewRat(int64(now-n.last), int64(time.Second)))
		n.tokens.Add(n.tokens, add)
		if n.tokens.Cmp(n.burst) > 0 {
			n.tokens.Set(n.burst)
		}
		n.last = now
	}
	one := big.NewRat(1, 1)
	if n.tokens.Cmp(one) >= 0 {
		n.tokens.Sub(n.tokens, one)
		return true, 0
	}
	wait := new(big.Rat).Quo(new(big.Rat).Sub(one, n.tokens), n.rate) // seconds
	wait.Mul(wait, big.NewRat(int64(time.Second), 1))
	q, r := new(big.Int).QuoRem(wait.Num(), wait.Denom(), new(big.Int))
	if r.Sign() > 0 {
		q.Add(q, big.NewInt(1))
	}
	return false, time.Duration(q.Int64())
}

// TestAPIThrottleMatchesNaiveBucket: for random limits and random call
// times, APIThrottle accepts exactly the calls the exact-rational
// reference accepts and gives the same retry-after time.
func TestAPIThrottleMatchesNaiveBucket(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		burst := rapid.IntRange(1, 200).Draw(rt, "burst")
		rate := rapid.IntRange(1, 100).Draw(rt, "rate")
		th, err := NewAPIThrottle(APIRateLimits{StopTask: APIRateLimit{Burst: burst, RefillPerSecond: rate}})
		if err != nil {
			rt.Fatal(err)
		}
		ref := newNaive(burst, rate)
		now := time.Duration(0)
		for i := range rapid.IntRange(1, 400).Draw(rt, "calls") {
			now += time.Duration(rapid.Int64Range(0, int64(200*time.Millisecond)).Draw(rt, "gap"))
			ok, after := th.Call(StopTask, now)
			wantOK, wantAfter := ref.call(now)
			if ok != wantOK || after != wantAfter {
				rt.Fatalf("call %d at %v: got (%v, %v), reference (%v, %v)", i, now, ok, after, wantOK, wantAfter)
			}
		}
	})
}

// TestAPIRateLimitsDefaultsAndErrors: the zero value is AWS's figures
// (RunTask 20 and 20 per second); bad fields are reported together, each
// named; Disabled accepts every call.
func TestAPIRateLimitsDefaultsAndErrors(t *testing.T) {
	d := APIRateLimits{}.WithDefaults()
	if d.RunTask != (APIRateLimit{Burst: 20, RefillPerSecond: 20}) {
		t.Errorf("RunTask default %+v, want 20 burst and 20 per second", d.RunTask)
	}
	for i, lim := range d.limits() {
		if lim.Burst <= 0 || lim.RefillPerSecond <= 0 {
			t.Errorf("%v default %+v", API(i), *lim)
		}
	}
	_, err := NewAPIThrottle(APIRateLimits{RunTask: APIRateLimit{Burst: -1}, CreateService: APIRateLimit{RefillPerSecond: 2_000_000_000}})
	var fe *fielderr.Error
	if !errors.Is(err, ErrInvalidConfig) || !errors.As(err, &fe) ||
		!strings.Contains(err.Error(), "APIRateLimits.RunTask.Burst") || !strings.Contains(err.Error(), "APIRateLimits.CreateService.RefillPerSecond") {
		t.Errorf("errors: %v", err)
	}
	off, _ := NewAPIThrottle(APIRateLimits{Disabled: true})
	for range 1000 {
		if ok, _ := off.Call(RunTask, 0); !ok {
			t.Fatal("disabled throttle refused a call")
		}
	}
	if API(9).String() != "API(?)" || UpdateService.String() != "UpdateService" {
		t.Errorf("names: %v %v", API(9), UpdateService)
	}
}
