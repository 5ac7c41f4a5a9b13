// Package metrics is a CloudWatch-style metric store with statistics and
// alarms, plus the names and formulas of the metrics ECS, Application Load
// Balancers and ECS managed scaling publish. It is a pure leaf: it keeps no
// clock (every time-dependent call takes the instant), starts no goroutine,
// draws no random number and imports nothing from the rest of the module.
//
// # Store
//
// A [Store] keeps time series keyed by namespace, metric name and dimensions
// (in any order). [Store.Put] records a sample, [Store.PutStatisticSet] a
// pre-aggregated set such as ECS's one-minute values; a [Handle] does both
// for one series without looking it up again, and a [Group] for series
// written together at the same timestamps (a service's metrics every
// minute), queueing each timestamp's puts in one row that its series take
// when they are next read, so that thousands of services cost a few bytes
// a minute each rather than a write into every series. The queue holds
// its series' raw retention of rows: a series nothing reads (or only
// alarms, which read the queue where it is) only rolls its rows up as
// they leave, and keeps no raw samples of its own. The queues of groups
// of one shape share blocks of memory, interleaved row by row, so that
// the newest rows of groups written one after another are neighbours.
// Reads:
//
//   - [Store.Statistic] (the [Reader] interface): one statistic over the
//     window [end−period, end).
//   - [Store.Datapoints]: one datapoint per period over a range, like
//     GetMetricStatistics, with missing periods marked.
//   - [Store.At]: the store as published at an instant, honouring
//     [Config.PublicationDelay].
//
// Statistics are Average, Sum, Minimum, Maximum, SampleCount and
// percentiles p0–p100 (nearest rank, via gonum's stat.Quantile with
// stat.Empirical; see [Percentile]). Query periods are 1, 5, 10 or 30 s or
// multiples of 60 s.
//
// Memory is sized by what reads the data, not by run length. Every series
// keeps its raw samples for [Config.RawRetention] (default 1 h), which
// answer every statistic; a reader that needs more of a series says so,
// and only that series keeps more: an alarm registers its evaluation range
// when it first reads a store, a user calls [Store.Retain]. Older data is
// rolled up into statistic sets (SampleCount, Sum, Minimum, Maximum) per
// bucket for reports ([DefaultRollups]: hourly buckets for a day). Raw
// samples and buckets live in rings that reach their size and stay there.
// A service publishing what sim's Workload publishes takes about 21 KiB
// with the defaults whatever the run's length ([Store.Bytes] counts it);
// CloudWatch's own retention ([CloudWatchRollups]: 3 h raw, then 15, 63
// and 455 days of 1-minute, 5-minute and hourly data) is an opt-in at
// about 0.7 MiB per series and week. Percentiles need raw samples.
// [Store.Expire] forgets series that stopped.
//
// # Alarms
//
// A [MetricAlarm] built by [NewAlarm] from an [AlarmConfig] reads its
// datapoints through a [Reader] and applies CloudWatch's rules: Period,
// EvaluationPeriods (N), DatapointsToAlarm (M), the four TreatMissingData
// treatments, an evaluation range wider than N (N + 2 by default, 5 for N =
// 3 as documented), the premature-alarm guard and the sliding window of
// alarms with periods over a minute, evaluated every minute. The decision
// itself is the pure function [EvaluateDatapoints]. Against a *Store an
// alarm reads only the periods that are still open and remembers the
// closed ones, with the results of a full read.
//
// CloudWatch re-invokes an alarm's Auto Scaling actions at every evaluation
// while the alarm stays in ALARM; this package only reports the state, and
// the caller (sim) re-runs the scaling policy each minute the alarm is in
// ALARM.
//
// # Names
//
// The enums ([ComparisonOperator], [MissingData], [AlarmState],
// [LowSampleCount], [Statistic]) read and write CloudWatch's own spellings
// as text (encoding.TextMarshaler), so configuration files can use them.
//
// # ECS and ELB metrics
//
// Constants name the namespaces, metrics and dimensions; [ServiceMetric],
// [ClusterMetric], [TargetGroupMetric] and friends build metric identities;
// [ServiceCPUUtilization], [ServiceMemoryUtilization], [ClusterReservation],
// [RequestCountPerTarget] and [CapacityProviderReservation] compute values as
// AWS defines them.
//
// A Store is not safe for concurrent use; a simulation owns one.
package metrics
