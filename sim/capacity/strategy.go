package capacity

import (
	"errors"
	"fmt"

	"github.com/ecssim/ecssim/internal/fielderr"
)

// Names of the two capacity providers every account has; they cannot be
// created or deleted, only associated with a cluster.
const (
	Fargate     = "FARGATE"
	FargateSpot = "FARGATE_SPOT"
)

// Limits of a capacity provider strategy item
// (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CapacityProviderStrategyItem.html).
const (
	// MaxStrategyProviders is the most items a strategy may have. The 2023
	// guide said 6; the current API reference says 20 (CHANGED).
	MaxStrategyProviders = 20
	// MaxBase is the largest base.
	MaxBase = 100_000
	// MaxWeight is the largest weight.
	MaxWeight = 1000
)

// StrategyItem is one entry of a capacity provider strategy.
type StrategyItem struct {
	// Provider is the capacity provider name: FARGATE, FARGATE_SPOT or an
	// Auto Scaling group provider; required.
	Provider string
	// Base is the number of tasks placed on this provider before any weight
	// applies; 0–100,000, zero means none. At most one item may have a base.
	Base int
	// Weight is this provider's relative share of the tasks beyond the base;
	// 0–1000. Zero (the API default) means the provider receives no tasks
	// beyond its base.
	Weight int
}

// Strategy is a capacity provider strategy: the service's own, or the
// cluster's default when the service names none.
type Strategy []StrategyItem

// Validate reports every reason ECS would reject the strategy, joined; the
// errors match ErrInvalidStrategy. An empty strategy is valid here (it means
// "use the cluster default", see EffectiveStrategy).
func (s Strategy) Validate() error {
	var errs []error
	bad := func(field string, value any, rule string) {
		errs = append(errs, fielderr.New(ErrInvalidStrategy, field, value, rule))
	}
	if len(s) == 0 {
		return nil
	}
	if len(s) > MaxStrategyProviders {
		bad("len(strategy)", len(s), fmt.Sprintf("at most %d capacity providers", MaxStrategyProviders))
	}
	seen := make(map[string]bool, len(s))
	withBase, weightSum, fargateItems := 0, 0, 0
	for i, it := range s {
		f := func(name string) string { return fmt.Sprintf("strategy[%d].%s", i, name) }
		if it.Provider == "" {
			bad(f("Provider"), "", "is required")
		} else if seen[it.Provider] {
			bad(f("Provider"), it.Provider, "appears more than once")
		}
		seen[it.Provider] = true
		if it.Provider == Fargate || it.Provider == FargateSpot {
			fargateItems++
		}
		if it.Base < 0 || it.Base > MaxBase {
			bad(f("Base"), it.Base, fmt.Sprintf("must be in [0, %d]", MaxBase))
		}
		if it.Weight < 0 || it.Weight > MaxWeight {
			bad(f("Weight"), it.Weight, fmt.Sprintf("must be in [0, %d]", MaxWeight))
		}
		if it.Base > 0 {
			withBase++
		}
		if it.Weight > 0 {
			weightSum += it.Weight
		}
	}
	if withBase > 1 {
		bad("strategy", fmt.Sprintf("%d items with a base", withBase), "only one capacity provider may have a base")
	}
	if weightSum == 0 {
		bad("strategy", "all weights 0", "at least one capacity provider must have a weight greater than 0")
	}
	if fargateItems > 0 && fargateItems < len(s) {
		bad("strategy", "FARGATE/FARGATE_SPOT mixed with Auto Scaling group providers", "a strategy cannot mix Fargate and Auto Scaling group capacity providers")
	}
	return errors.Join(errs...)
}

// EffectiveStrategy returns the strategy a service's tasks use: the
// service's own if it has one, else the cluster's default strategy
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service_definition_parameters.html).
// A service with an explicit launch type uses no
// strategy at all and is counted by no provider; that case is the world's.
func EffectiveStrategy(service, clusterDefault Strategy) Strategy {
	if len(service) > 0 {
		return service
	}
	return clusterDefault
}

// Distribute decides which provider each of n new tasks goes to, given the
// tasks of this service already on each provider (running[i] belongs to
// s[i]). It returns, in launch order, the index into s of each new task's
// provider. The strategy must be valid (Validate); Distribute panics on a
// strategy whose weights are all zero or whose running slice has the wrong
// length, which are programmer errors.
//
// The algorithm follows the API reference (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CapacityProviderStrategyItem.html):
// the base is satisfied first, then the remainder is split by weight. For
// each new task:
//
//  1. if the base provider b has fewer than base_b tasks, the task goes to b;
//
//  2. otherwise let R be the number of tasks beyond the base once this task
//     is placed, R = (Σ running + 1) − base_b, and post_i the tasks of
//     provider i beyond the base (post_b = running_b − base_b, post_i =
//     running_i otherwise). A provider with weight w_i > 0 is eligible while
//     it is below its exact share, post_i < R·w_i/W (W = Σ w); among the
//     eligible the task goes to the one with the largest w_i / (post_i + 1),
//     ties to the earlier item in the strategy.
//
// This is Balinski and Young's quota method (Fair Representation, 1982)
// applied to the tasks beyond the base. AWS does not document the exact
// integer rule; the obvious alternative, "the provider furthest below its
// share", can leave a provider a whole task below its share (weights
// 1,1,3,10,10 and 240 tasks give 95 instead of 96 to the last), while the
// quota method keeps, from an empty service and at every count,
// floor(R·w_i/W) ≤ post_i ≤ ceil(R·w_i/W), never moves a task already
// placed, and reproduces the documented examples: weights 1 and 4 put 2 of
// 10 tasks on the first; base 2 weight 1 against weight 3 puts 4 of 10 on
// the base provider (the ECS Spot workshop,
// https://ec2spotworkshops.com/ecs-spot-capacity-providers/module-1/modify_default_cps.html).
// The property test checks both. Everything is compared in integers.
func Distribute(s Strategy, running []int, n int) []int {
	if len(running) != len(s) {
		panic("capacity: Distribute: len(running) != len(strategy)")
	}
	counts := append([]int(nil), running...)
	out := make([]int, 0, max(n, 0))
	for range n {
		i := nextProvider(s, counts)
		counts[i]++
		out = append(out, i)
	}
	return out
}

// DistributeCounts is Distribute summed: how many of the n new tasks go to
// each provider, indexed like s.
func DistributeCounts(s Strategy, running []int, n int) []int {
	counts := make([]int, len(s))
	for _, i := range Distribute(s, running, n) {
		counts[i]++
	}
	return counts
}

func nextProvider(s Strategy, counts []int) int {
	base, baseIdx, total, weightSum := 0, -1, 0, int64(0)
	for i, it := range s {
		total += counts[i]
		if it.Base > 0 {
			base, baseIdx = it.Base, i
		}
		weightSum += int64(it.Weight)
	}
	if weightSum == 0 {
		panic("capacity: Distribute: all weights are zero")
	}
	if baseIdx >= 0 && counts[baseIdx] < base {
		return baseIdx
	}
	// Tasks beyond the base once this one is placed. When other providers
	// already hold tasks while the base provider is full, the base is still
	// exactly base tasks of the total.
	remainder := int64(total + 1 - base)
	best := -1
	var bestWeight, bestNext int64 // priority of best: bestWeight / bestNext
	for i, it := range s {
		if it.Weight <= 0 {
			continue
		}
		post := int64(counts[i])
		if i == baseIdx {
			post -= int64(base)
		}
		if post*weightSum >= remainder*int64(it.Weight) {
			continue // at or above its exact share: not eligible
		}
		w, next := int64(it.Weight), post+1
		if best < 0 || w*bestNext > bestWeight*next {
			best, bestWeight, bestNext = i, w, next
		}
	}
	return best
}
