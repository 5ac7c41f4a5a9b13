// Package autoscale models Application Auto Scaling for ECS services:
// scalable targets, target tracking, step scaling, predictive scaling and
// scheduled actions. It is a pure leaf: it imports only the standard
// library, metrics and gonum (for the forecaster's least squares), keeps no
// clock (every time-dependent call takes now) and draws no random numbers.
//
// # Pieces
//
//   - ScalableTarget: MinCapacity, MaxCapacity and the three suspension
//     flags. Policies never leave [min, max]; the first evaluation brings the
//     desired count inside it, as registering a target does.
//   - Policy: a small interface (Name, Propose) so a user's own policy fits
//     in about ten lines (see Example_customPolicy). TargetTracking and
//     StepScaling are the built-in ones; both also implement Observer to keep
//     their cooldowns.
//   - ScheduledAction: at(), rate() or six-field cron() (ParseSchedule), in
//     a time zone (LoadTimezone), with StartTime and EndTime, setting new
//     bounds.
//   - Controller: one per scalable target. The caller (the sim hub) calls
//     Evaluate with the current desired and running counts, the deployment
//     flag and a metrics.Reader, and applies the returned Decision: a
//     desired count, a one-line reason, the activities in AWS's wording,
//     and when to call again (Next: every EvaluationInterval, 60 s by
//     default, or a scheduled action's own instant if sooner). CloudWatch
//     evaluates alarms every minute whatever the policies' rhythm; a caller
//     that evaluates less often calls EvaluateAlarms every minute in
//     between.
//
// # Combining policies
//
// Each evaluation every policy proposes a capacity with a Vote. The
// Controller scales out if any proposal is above the current capacity (the
// largest wins); otherwise it scales in if a step policy (Independent vote)
// proposes less, or if every target tracking policy with scale-in enabled
// (Consensus vote) proposes less, the largest of the eligible capacities
// winning. Scale-in is skipped while a deployment is in progress and while
// dynamic scale-in is suspended; scale-out while dynamic scale-out is
// suspended.
//
// # Target tracking
//
// A target tracking policy owns two alarms (UNCONFIRMED shapes, observed in
// AWS-created alarms and configurable through TargetTrackingConfig.High,
// Low and LowFraction):
//
//	AlarmHigh: metric > target for 3 of 3 one-minute datapoints
//	AlarmLow:  metric < 0.9 × target for 15 of 15 one-minute datapoints
//
// When one is in ALARM it proposes (UNCONFIRMED: AWS does not publish the
// formula)
//
//	desired = ceil(current × metric / target)
//
// which rounds additions up and removals down and never removes a task that
// would push the predicted metric over the target. Insufficient data means
// no scaling at all. Cooldowns (default 300 s) follow AWS: inside a
// scale-out cooldown the capacity added is counted in (the next scale-out
// is computed from the capacity before it and acts only if larger); a
// scale-in cooldown blocks the policy's scale-in; any scale-out ends it.
//
// # Step scaling
//
// A step policy owns the CloudWatch alarm the user configures. While it is
// in ALARM (CloudWatch re-invokes Auto Scaling actions every minute), the
// alarm's recent datapoints, aggregated by MetricAggregationType, pick a
// step whose bounds are relative to the threshold, and the step's
// adjustment applies:
//
//	ChangeInCapacity:        current + n
//	PercentChangeInCapacity: current + PercentChange(current, p, MinAdjustmentMagnitude)
//	ExactCapacity:           n
//
// The cooldown makes a second trigger add only the difference (+2 then +3
// → +1 more) and blocks scale-in.
//
// # Scheduled actions
//
// An action sets MinCapacity and/or MaxCapacity; a capacity below the new
// minimum rises to it and one above the new maximum falls to it. Actions due
// at the same instant run in name order, so the result never depends on
// the order they were configured in. Cron times are wall-clock times in the
// action's zone: a time skipped by a daylight-saving jump does not fire that
// day and a repeated one fires once. The seven-field cron form with seconds
// is not accepted.
//
// # Predictive scaling
//
// PredictiveScaling follows AWS's documented timing: no forecast before 24
// hours of load data, up to 14 days looked back, an hourly forecast of the
// next 48 hours refreshed every 6 hours, and each hour's capacity applied
// SchedulingBufferTime (default 300 s) before the hour. ForecastOnly (the
// default) forecasts without scaling; ForecastAndScale proposes the
// forecast capacity, ceil(forecast load / TargetValue), with the Floor
// vote: it scales out when it is above the current capacity and stops
// other policies' scale-in at it, so the larger capacity wins and
// predictive scaling itself never scales in. HonorMaxCapacity keeps the
// maximum; IncreaseMaxCapacity raises it to the forecast plus
// MaxCapacityBuffer percent (Proposal.RaiseMaxTo). The load comes from a
// predefined metric pair (CPU, memory, ALB request count) or a custom
// metric. AWS does not publish its model; the Forecaster interface takes
// any, and the default SeasonalForecaster fits a trend plus daily and
// weekly harmonics by least squares. Forecast and Log make the forecasts
// readable, to plot against the actual load.
//
// # Texts and names
//
// A decision's text is formatted when it is read: a policy returns an
// Explanation (the numbers that decided) and a Decision a Reason, both
// formatted by String, so the evaluations that change nothing, about 99 in
// 100, cost no text and allocate nothing. The enums (PredefinedMetric,
// AdjustmentType, AggregationType) read and write AWS's spellings as text
// (encoding.TextMarshaler). Capacities are bounded by ECS's quota of 5,000
// tasks per service (ControllerConfig.TasksPerService raises it).
//
// # Memory
//
// A Controller keeps a fixed-size ring of recent activities
// (ControllerConfig.HistoryLimit) and each alarm a fixed window, so a run of
// any length uses constant memory; TestThirtyDayRunMemoryBounded checks it.
package autoscale
