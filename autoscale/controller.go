package autoscale

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unsafe"

	"github.com/ecssim/ecssim/internal/preload"
	"github.com/ecssim/ecssim/metrics"
)

// MaxPolicies is AWS's quota of scaling policies per scalable target.
const MaxPolicies = 50

// DefaultHistoryLimit is how many activities a Controller remembers when
// ControllerConfig.HistoryLimit is zero.
const DefaultHistoryLimit = 100

// DefaultTasksPerService is ECS's default quota of tasks per service (its
// desired count), 5,000
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html):
// no capacity a Controller is given may exceed it unless
// ControllerConfig.TasksPerService raises it.
const DefaultTasksPerService = 5000

// maxTasksPerService bounds ControllerConfig.TasksPerService, so capacity
// arithmetic stays far from overflow.
const maxTasksPerService = 1 << 30

// SuspendedState holds the three suspension flags of a scalable target; all
// false (the zero value) means nothing is suspended.
type SuspendedState struct {
	// DynamicScalingInSuspended stops policies from scaling in.
	DynamicScalingInSuspended bool
	// DynamicScalingOutSuspended stops policies from scaling out.
	DynamicScalingOutSuspended bool
	// ScheduledScalingSuspended stops scheduled actions; runs that fall due
	// while suspended are skipped, not caught up on resume.
	ScheduledScalingSuspended bool
}

// ScalableTarget is an ECS service registered with Application Auto Scaling
// (dimension ecs:service:DesiredCount).
type ScalableTarget struct {
	// ResourceID is "service/<cluster>/<service>"; used in messages only
	// here, may be empty.
	ResourceID string
	// MinCapacity is the lowest desired count policies may set (tasks, ≥ 0).
	MinCapacity int
	// MaxCapacity is the highest desired count policies may set (tasks,
	// ≥ MinCapacity).
	MaxCapacity int
	// Suspended holds the suspension flags; the zero value suspends nothing.
	Suspended SuspendedState
}

// Clamp returns n limited to [MinCapacity, MaxCapacity].
func (t ScalableTarget) Clamp(n int) int { return min(max(n, t.MinCapacity), t.MaxCapacity) }

func (t ScalableTarget) validate(quota int) []error {
	var errs []error
	if t.MinCapacity < 0 || t.MinCapacity > quota {
		errs = append(errs, invalid("ScalableTarget.MinCapacity", t.MinCapacity, fmt.Sprintf("must be 0 to %d (tasks per service)", quota)))
	}
	if t.MaxCapacity > quota {
		errs = append(errs, invalid("ScalableTarget.MaxCapacity", t.MaxCapacity, fmt.Sprintf("must be at most %d (tasks per service)", quota)))
	} else if t.MaxCapacity < t.MinCapacity {
		errs = append(errs, invalid("ScalableTarget.MaxCapacity", t.MaxCapacity, fmt.Sprintf("must be at least MinCapacity %d", t.MinCapacity)))
	}
	return errs
}

// ControllerConfig configures a Controller for one scalable target.
type ControllerConfig struct {
	// Target is the scalable target with its initial bounds.
	Target ScalableTarget
	// Policies are the dynamic scaling policies (at most 50, unique names);
	// none is fine.
	Policies []Policy
	// ScheduledActions are the scheduled actions (at most 200, unique names).
	ScheduledActions []ScheduledAction
	// EvaluationInterval is how often the policies are evaluated, which
	// sets Decision.Next; zero means 60 s, Application Auto Scaling's own
	// rhythm (a target tracking policy acts on its alarms' one-minute
	// periods). Otherwise it is a whole number of seconds from 10 s (the
	// evaluation interval of high-resolution alarms) to 1 day. Alarms are
	// evaluated every minute whatever the interval (see EvaluateAlarms);
	// scheduled actions run at their own instants.
	EvaluationInterval time.Duration
	// HistoryLimit is how many recent activities History keeps; zero means
	// DefaultHistoryLimit. Older activities are dropped, so memory stays
	// bounded however long the run; the history grows only as activities
	// happen.
	HistoryLimit int
	// TasksPerService is the account's quota of tasks per service, which
	// every capacity (MinCapacity, MaxCapacity, scheduled actions') must
	// respect; zero means DefaultTasksPerService (5,000).
	TasksPerService int
}

// State is what the caller tells the Controller at each evaluation.
type State struct {
	// Desired is the service's current desired count (tasks).
	Desired int
	// Running is the number of running tasks, passed on to policies.
	Running int
	// DeploymentInProgress blocks scale-in, as Application Auto Scaling does
	// during an ECS deployment; scale-out continues.
	DeploymentInProgress bool
	// Metrics answers the policies' metric queries; nil means no data at all.
	Metrics metrics.Reader
}

// Decision is the outcome of one evaluation.
type Decision struct {
	// Desired is the desired count to apply (tasks); equal to State.Desired
	// when nothing changes.
	Desired int
	// Changed reports whether Desired differs from State.Desired.
	Changed bool
	// Min and Max are the target's bounds after this evaluation.
	Min, Max int
	// Reason explains the decision in one line, e.g. "target tracking
	// cpu-70: CPUUtilization 84.2 > 70 for 3 of 3 datapoints; desired 10 →
	// 13". It is formatted when read (Reason.String, or fmt's %s and %v), so
	// an evaluation that changes nothing costs no text.
	Reason Reason
	// Activities are the scaling activities of this evaluation, oldest first.
	Activities []Activity
	// Next is when the Controller wants to be evaluated again: the next
	// EvaluationInterval step if it has policies, or the next scheduled
	// action's instant if that comes first (a cron or at() time need not
	// fall on a whole minute). The zero time means never (no policies and
	// no scheduled action left).
	Next time.Time
}

// Controller scales one scalable target: it runs due scheduled actions,
// asks every policy for a proposal and combines them by Application Auto
// Scaling's rules:
//
//   - Scale out if any policy proposes more than the current capacity; the
//     largest proposal wins.
//   - Otherwise scale in if an Independent (step) proposal is lower, or if
//     every Consensus (target tracking, scale-in enabled) proposal is lower;
//     of the eligible proposals the largest capacity wins.
//   - No scale-in while a deployment is in progress or dynamic scale-in is
//     suspended; no scale-out while dynamic scale-out is suspended.
//   - The result is clamped to [MinCapacity, MaxCapacity].
//
// A Controller keeps no clock: every call takes now. It is not safe for
// concurrent use.
type Controller struct {
	// What a minute that changes nothing reads (EvaluateAlarms, then
	// SkipIdle) comes first, in the first cache line, and what a minute
	// that proposes reads as well in the second (a world evaluates
	// thousands of controllers a minute). A controller with one policy
	// (the common case: a target tracking policy) keeps it here, and the
	// one of its policies that owns alarms: a minute reaches the policy
	// from the controller's own lines, not through arrays elsewhere in
	// memory, each a trip to memory when thousands of controllers are
	// evaluated a minute (TestControllerMinuteInTwoLines).
	oneAlarmed  AlarmPolicy   // the policy that owns alarms, with exactly one (then alarmed is nil)
	policiesDue time.Time     // the policies run at the first evaluation at or after it
	interval    time.Duration // EvaluationInterval
	nPolicies   int16         // len(policies), at most MaxPolicies
	started     bool
	scheduled   bool        // len(actions) > 0
	quota       int32       // tasks per service: the ceiling of a raised MaxCapacity
	proposals   *[]Proposal // runPolicies' buffer for more than inlineProposals policies, made on first use
	onePolicy   [1]Policy   // the policy, with exactly one (then policies is onePolicy[:])
	target      ScalableTarget
	// oneAlarmed's alarms, when it is one of this package's policies
	// (ownAlarms): EvaluateAlarms preloads them from here, so that their
	// lines are on their way before the policy's own line arrives.
	alarms [2]*metrics.MetricAlarm

	policies []Policy
	alarmed  []AlarmPolicy      // the policies that own alarms, with more than one
	actions  []*scheduledAction // sorted by name

	history ring
}

// evaluated returns the policies, read from the controller's first lines
// when there is one.
func (c *Controller) evaluated() []Policy {
	if c.nPolicies == 1 {
		return c.onePolicy[:]
	}
	return c.policies
}

// NewController validates cfg and returns a Controller. Every problem is
// reported at once, each naming its field.
func NewController(cfg ControllerConfig) (*Controller, error) {
	var errs []error
	quota := cfg.TasksPerService
	switch {
	case quota == 0:
		quota = DefaultTasksPerService
	case quota < 0 || quota > maxTasksPerService:
		errs = append(errs, invalid("ControllerConfig.TasksPerService", quota, fmt.Sprintf("must be 0 (%d) to %d", DefaultTasksPerService, maxTasksPerService)))
		quota = DefaultTasksPerService
	}
	errs = append(errs, cfg.Target.validate(quota)...)
	if len(cfg.Policies) > MaxPolicies {
		errs = append(errs, invalid("len(ControllerConfig.Policies)", len(cfg.Policies), fmt.Sprintf("must be at most %d", MaxPolicies)))
	}
	seen := map[string]bool{}
	for i, p := range cfg.Policies {
		switch {
		case p == nil:
			errs = append(errs, invalid(fmt.Sprintf("ControllerConfig.Policies[%d]", i), nil, "must not be nil"))
		case p.Name() == "":
			errs = append(errs, invalid(fmt.Sprintf("ControllerConfig.Policies[%d].Name()", i), "", "must not be empty"))
		case seen[p.Name()]:
			errs = append(errs, invalid(fmt.Sprintf("ControllerConfig.Policies[%d].Name()", i), p.Name(), "must be unique"))
		default:
			seen[p.Name()] = true
		}
	}
	if len(cfg.ScheduledActions) > MaxScheduledActions {
		errs = append(errs, invalid("len(ControllerConfig.ScheduledActions)", len(cfg.ScheduledActions), fmt.Sprintf("must be at most %d", MaxScheduledActions)))
	}
	c := &Controller{target: cfg.Target, interval: cfg.EvaluationInterval, quota: int32(quota)}
	c.policies = slices.Clone(cfg.Policies)
	if len(cfg.Policies) == 1 {
		c.onePolicy[0] = cfg.Policies[0]
		c.policies = c.onePolicy[:]
	}
	names := map[string]bool{}
	for i, a := range cfg.ScheduledActions {
		field := fmt.Sprintf("ControllerConfig.ScheduledActions[%d]", i)
		sched, aerrs := a.validate(field, quota)
		errs = append(errs, aerrs...)
		if names[a.Name] && a.Name != "" {
			errs = append(errs, invalid(field+".Name", a.Name, "must be unique"))
		}
		names[a.Name] = true
		c.actions = append(c.actions, &scheduledAction{ScheduledAction: a, schedule: sched})
	}
	if iv := cfg.EvaluationInterval; iv != 0 && (iv < 10*time.Second || iv > 24*time.Hour || iv%time.Second != 0) {
		errs = append(errs, invalid("ControllerConfig.EvaluationInterval", iv, "must be 0 (60s) or a whole number of seconds from 10s to 24h"))
	}
	if cfg.HistoryLimit < 0 {
		errs = append(errs, invalid("ControllerConfig.HistoryLimit", cfg.HistoryLimit, "must not be negative"))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if c.interval == 0 {
		c.interval = time.Minute
	}
	c.history = ring{limit: cmp.Or(cfg.HistoryLimit, DefaultHistoryLimit)}
	for _, p := range c.policies {
		if a, ok := p.(AlarmPolicy); ok {
			c.alarmed = append(c.alarmed, a)
		}
	}
	if len(c.alarmed) == 1 {
		c.oneAlarmed, c.alarmed = c.alarmed[0], nil
		c.alarms = ownAlarms(c.oneAlarmed)
	}
	c.nPolicies, c.scheduled = int16(len(c.policies)), len(c.actions) > 0
	// Actions due at the same instant run in name order, so the outcome does
	// not depend on the order they were given in.
	slices.SortFunc(c.actions, func(a, b *scheduledAction) int { return cmp.Compare(a.Name, b.Name) })
	return c, nil
}

// Target returns the scalable target with its current bounds and flags.
func (c *Controller) Target() ScalableTarget { return c.target }

// Policies returns the dynamic scaling policies, in configuration order,
// in a new slice.
func (c *Controller) Policies() []Policy { return slices.Clone(c.policies) }

// SetSuspended replaces the suspension flags. Scheduled runs that fell due
// while scheduled scaling was suspended are not caught up.
func (c *Controller) SetSuspended(s SuspendedState) { c.target.Suspended = s }

// History returns the most recent activities (at most HistoryLimit), oldest
// first, in a new slice.
func (c *Controller) History() []Activity { return c.history.items() }

// Evaluate runs one evaluation at now. The first call registers the target:
// a desired count outside [min, max] is brought inside. Then every scheduled
// action due in (previous evaluation, now] runs, in time order and, at the
// same instant, in name order; then, if EvaluationInterval has passed
// since they last ran (or they never ran), the policies are evaluated and
// combined. Decision.Next says when the next of these falls due; calling
// Evaluate earlier runs only what is due.
func (c *Controller) Evaluate(now time.Time, s State) (d Decision) {
	if s.Metrics == nil {
		s.Metrics = noMetrics{}
	}
	desired := s.Desired
	var acts []Activity
	var pre []string // what ran before the policies: rare, so formatted now
	record := func(a Activity) {
		acts = append(acts, a)
		c.history.push(a)
		desired = a.To
	}
	if !c.started {
		c.started = true
		for _, a := range c.actions {
			if r, ok := a.schedule.(Rate); ok && r.Anchor.IsZero() {
				r.Anchor = now
				a.schedule = r
			}
			a.advance(now.Add(-time.Nanosecond))
		}
		if to := c.target.Clamp(desired); to != desired {
			record(c.activity(now, desired, to, "", "", "registering the scalable target with bounds "+c.bounds()))
			pre = append(pre, fmt.Sprintf("registration: desired %d → %d inside %s", s.Desired, to, c.bounds()))
		}
	}

	if c.scheduled {
		pre = append(pre, c.runScheduled(now, &desired, record)...)
	}

	// The Decision is built in place, in the result: it is large (its
	// Reason holds a proposal).
	d.Reason.policies, d.Reason.win = c.evaluated(), -1
	if c.nPolicies > 0 && !now.Before(c.policiesDue) {
		c.runPolicies(now, s, &desired, record, &d.Reason)
		c.policiesDue = now.Add(c.interval)
	}

	for _, a := range acts { // most minutes have none: the policies are not read
		for _, p := range c.policies {
			if o, ok := p.(Observer); ok { // a policy that keeps cooldowns
				o.Observe(a)
			}
		}
	}
	if len(pre) > 0 {
		d.Reason.pre = strings.Join(pre, "; then ")
	}
	d.Reason.final = desired
	d.Desired, d.Changed, d.Min, d.Max, d.Activities = desired, desired != s.Desired, c.target.MinCapacity, c.target.MaxCapacity, acts
	d.Next = c.policiesDue
	if c.nPolicies == 0 {
		d.Next = time.Time{}
	}
	if c.scheduled {
		d.Next = c.next(now)
	}
	return d
}

// EvaluateAlarms evaluates, at now, the alarms of every policy that owns
// some (AlarmPolicy), reading r (nil means no data). CloudWatch evaluates
// alarms every minute whatever Auto Scaling does with them: a caller that
// evaluates the Controller every EvaluationInterval calls this every minute
// in between, so the alarms' history (the state an "ignore" treatment
// keeps) is the one CloudWatch would have. Evaluate does it for the
// instant it runs at.
func (c *Controller) EvaluateAlarms(now time.Time, r metrics.Reader) {
	c.evaluateAlarms(now, r, true)
}

// evaluateAlarms is EvaluateAlarms; load says whether to load the alarms'
// memory all at once first, which a caller that asked for it ahead
// (Lines) has no use for.
func (c *Controller) evaluateAlarms(now time.Time, r metrics.Reader, load bool) {
	if r == nil {
		r = noMetrics{}
	}
	if c.oneAlarmed != nil {
		if load {
			metrics.Preload(c.alarms[0], c.alarms[1])
		}
		c.oneAlarmed.EvaluateAlarms(now, r)
		return
	}
	for _, p := range c.alarmed {
		p.EvaluateAlarms(now, r)
	}
}

// ownAlarms returns the alarms of p, when it is one of this package's
// policies (whose alarms are fixed when they are made), for the
// Controller to preload; none otherwise.
func ownAlarms(p AlarmPolicy) [2]*metrics.MetricAlarm {
	switch p := p.(type) {
	case *TargetTracking:
		return [2]*metrics.MetricAlarm{p.high, p.low}
	case *StepScaling:
		return [2]*metrics.MetricAlarm{p.alarm}
	}
	return [2]*metrics.MetricAlarm{}
}

// Lines is where a Controller's next minute reads memory: the
// controller's first lines, its policy's line and the policy's alarms
// with their series and group. It is for a caller that evaluates
// thousands of controllers a minute, as metrics.AlarmLines is for
// alarms: holding it beside the controller's pointer, the caller asks for
// all of that memory a step or two before it evaluates the controller,
// without reading the controller first. The zero value names nothing.
type Lines struct {
	c      *Controller
	policy unsafe.Pointer // the line an evaluation reads of oneAlarmed, when it is one of this package's policies
	alarms metrics.AlarmLines
}

// Lines returns where c's next minute reads memory. It names the alarms'
// series and group once an evaluation has found them (the group is made
// at a series' first publication), so a caller takes it again after each
// evaluation; it changes rarely after the first minutes.
func (c *Controller) Lines() Lines {
	l := Lines{c: c, alarms: metrics.LinesOf(c.alarms[0], c.alarms[1])}
	switch p := c.oneAlarmed.(type) {
	case *TargetTracking:
		l.policy = unsafe.Pointer(p) // its first 32 bytes
	case *StepScaling:
		l.policy = unsafe.Pointer(&p.alarm)
	}
	return l
}

// Complete reports whether l names everything a minute reads: a
// controller whose policy owns alarms (this package's policies), the
// alarms' series and its group (metrics.AlarmLines.Complete). A caller
// can then take l again rarely; until then, after each evaluation (see
// Controller.Lines).
func (l *Lines) Complete() bool { return l.c != nil && l.policy != nil && l.alarms.Complete() }

// controllerLines are the offsets of a field on each of the controller's
// lines that a minute that changes nothing reads (its first: a minute
// that proposes, about 1 % of them, reads the second as well).
var controllerLines = [...]uintptr{unsafe.Offsetof(Controller{}.oneAlarmed)}

// Prefetch asks the processor for the controller's lines, its policy's
// and its alarms' (metrics.AlarmLines.Prefetch), and returns at once.
func (l *Lines) Prefetch() { l.PrefetchWith(0) }

// PrefetchWith is Prefetch, asking in the same calls for the line at
// address x, the caller's own (0: none): a pass over thousands of
// scalers asks for each one's lines in two calls (metrics.AlarmLines.PrefetchWith).
func (l *Lines) PrefetchWith(x uintptr) {
	if l.c == nil {
		if x != 0 {
			preload.At2(x, x)
		}
		return
	}
	l.alarms.PrefetchWith(uintptr(unsafe.Pointer(l.c))+controllerLines[0], uintptr(l.policy), x)
}

// PrefetchData asks for the alarms' windows and the group's newest rows
// (metrics.AlarmLines.PrefetchData): call it a while after Prefetch.
func (l *Lines) PrefetchData() { l.alarms.PrefetchData() }

// EvaluateAlarms is the controller's EvaluateAlarms for a caller that
// has asked for its memory ahead (Prefetch, then PrefetchData): it leaves
// out the loads that Controller.EvaluateAlarms makes first, which would
// only repeat those, and evaluates the same alarms the same way. It
// reports false, and evaluates nothing, for the zero Lines.
func (l *Lines) EvaluateAlarms(now time.Time, r metrics.Reader) bool {
	if l.c == nil {
		return false
	}
	l.c.evaluateAlarms(now, r, false)
	return true
}

// runScheduled runs the actions due at or before now.
func (c *Controller) runScheduled(now time.Time, desired *int, record func(Activity)) []string {
	var reasons []string
	for {
		var due *scheduledAction
		for _, a := range c.actions { // sorted by name: ties go to the first name
			if !a.done && !a.next.After(now) && (due == nil || a.next.Before(due.next)) {
				due = a
			}
		}
		if due == nil {
			return reasons
		}
		at := due.next
		due.advance(now) // a controller woken late runs a missed action once
		if c.target.Suspended.ScheduledScalingSuspended {
			reasons = append(reasons, fmt.Sprintf("scheduled action %s skipped: scheduled scaling is suspended", due.Name))
			continue
		}
		newMin, newMax := c.target.MinCapacity, c.target.MaxCapacity
		if due.MinCapacity != nil {
			newMin = *due.MinCapacity
		}
		if due.MaxCapacity != nil {
			newMax = *due.MaxCapacity
		}
		if newMin > newMax {
			reasons = append(reasons, fmt.Sprintf("scheduled action %s failed: minimum %d would exceed maximum %d", due.Name, newMin, newMax))
			continue
		}
		c.target.MinCapacity, c.target.MaxCapacity = newMin, newMax
		from := *desired
		to := c.target.Clamp(from)
		r := fmt.Sprintf("scheduled action %s (due %s) set bounds to %s", due.Name, at.UTC().Format(time.RFC3339), c.bounds())
		if to != from {
			record(c.activity(now, from, to, "", due.Name, fmt.Sprintf("scheduled action name %s was triggered", due.Name)))
			r += fmt.Sprintf("; desired %d → %d", from, to)
		}
		reasons = append(reasons, r)
	}
}

// runPolicies asks every policy, applies the combined proposal and says
// what it came to in r. It formats no text: Reason does, when read.
func (c *Controller) runPolicies(now time.Time, s State, desired *int, record func(Activity), r *Reason) {
	cur := *desired
	r.cur, r.to = cur, cur
	in := Input{Now: now, Desired: cur, Running: s.Running, Min: c.target.MinCapacity, Max: c.target.MaxCapacity, Metrics: s.Metrics}
	// The proposals of a controller with few policies are built on the
	// stack, which is in cache, rather than in a buffer of their own that
	// each minute would fetch from memory again.
	policies := c.evaluated()
	var buf [inlineProposals]Proposal
	props := buf[:min(len(policies), inlineProposals)]
	if len(policies) > inlineProposals {
		if c.proposals == nil {
			c.proposals = new(make([]Proposal, len(policies)))
		}
		props = *c.proposals
	}
	out, indepIn, consIn := -1, -1, -1
	consensusVoters, consensusIn := 0, 0
	var held uint64
	floor := -1 // the policy holding the largest Floor, if any
	for i, p := range policies {
		props[i] = p.Propose(in)
		prop := &props[i]
		if prop.Vote == Consensus {
			consensusVoters++
		}
		if prop.Vote == Floor && (floor < 0 || prop.Desired > props[floor].Desired) {
			floor = i
		}
		if prop.Vote != Abstain && prop.RaiseMaxTo > c.target.MaxCapacity {
			c.target.MaxCapacity = min(prop.RaiseMaxTo, int(c.quota))
		}
		switch {
		case prop.Vote == Abstain, prop.Vote == Floor && prop.Desired <= cur:
		case prop.Desired > cur:
			if out < 0 || prop.Desired > props[out].Desired {
				out = i
			}
		case prop.Desired < cur && prop.Vote == Independent:
			if indepIn < 0 || prop.Desired > props[indepIn].Desired {
				indepIn = i
			}
		case prop.Desired < cur && prop.Vote == Consensus:
			consensusIn++
			if consIn < 0 || prop.Desired > props[consIn].Desired {
				consIn = i
			}
		default:
			if prop.Vote == Consensus {
				held |= 1 << i
			}
		}
	}
	if out >= 0 {
		if c.target.Suspended.DynamicScalingOutSuspended {
			r.decide(out, props, outcomeOutSuspended)
			return
		}
		c.apply(now, props, out, cur, record, r)
		return
	}
	win := indepIn
	if consIn >= 0 && consensusIn == consensusVoters && (win < 0 || props[consIn].Desired > props[win].Desired) {
		win = consIn
	}
	if win >= 0 && floor >= 0 && props[floor].Desired > props[win].Desired {
		if props[floor].Desired >= cur {
			r.decide(win, props, outcomeWithheld) // the forecast holds the capacity
			r.held = 1 << floor
			return
		}
		// Scale in only as far as the floor: the larger capacity wins.
		props[win].Reason = fmt.Sprintf("%s; held at %s's %d", props[win].Explain(), c.policies[floor].Name(), props[floor].Desired)
		props[win].Desired = props[floor].Desired
	}
	switch {
	case win < 0 && consIn >= 0:
		r.decide(consIn, props, outcomeWithheld)
		r.held = held
	case win < 0:
		r.outcome = outcomeNoChange
		r.prop = props[0] // with win < 0: every policy's proposal is listed
		if len(props) > 1 {
			r.rest = slices.Clone(props[1:]) // a Reason is a value: it must not share the buffer
		}
	case s.DeploymentInProgress:
		r.decide(win, props, outcomeDeployment)
	case c.target.Suspended.DynamicScalingInSuspended:
		r.decide(win, props, outcomeInSuspended)
	default:
		c.apply(now, props, win, cur, record, r)
	}
}

// inlineProposals is the most policies whose proposals runPolicies builds
// on the stack.
const inlineProposals = 2

// apply applies policy w's proposal (props[w], of this evaluation) to the
// capacity cur, clamped, and says so in r.
func (c *Controller) apply(now time.Time, props []Proposal, w, cur int, record func(Activity), r *Reason) {
	r.decide(w, props, outcomeApplied)
	want := props[w].Desired
	to := c.target.Clamp(want)
	if to == cur || (to > cur) != (want > cur) {
		r.outcome = outcomeAtLimit
		return
	}
	cause := props[w].Cause
	if cause == "" {
		cause = "policy " + c.policies[w].Name()
	}
	record(c.activity(now, cur, to, c.policies[w].Name(), "", cause))
	r.to, r.min, r.max = to, c.target.MinCapacity, c.target.MaxCapacity
}

func (c *Controller) bounds() string {
	return fmt.Sprintf("[%d, %d]", c.target.MinCapacity, c.target.MaxCapacity)
}

// activity builds an activity record in AWS's wording.
func (c *Controller) activity(now time.Time, from, to int, policy, action, cause string) Activity {
	return Activity{
		Time: now, Policy: policy, ScheduledAction: action, From: from, To: to, Cause: cause,
		Description:   fmt.Sprintf("Setting desired count to %d.", to),
		StatusMessage: fmt.Sprintf("Successfully set desired count to %d. Change successfully fulfilled by ecs.", to),
	}
}

// next returns the next instant the Controller wants to run.
func (c *Controller) next(now time.Time) time.Time {
	var next time.Time
	if len(c.policies) > 0 {
		next = c.policiesDue
	}
	for _, a := range c.actions {
		if !a.done && (next.IsZero() || a.next.Before(next)) {
			next = a.next
		}
	}
	return next
}

// noMetrics is the Reader used when State.Metrics is nil: no data at all.
type noMetrics struct{}

func (noMetrics) Statistic(metrics.Metric, metrics.Statistic, time.Duration, time.Time) (float64, bool) {
	return 0, false
}
