// Package metrics is a CloudWatch-style metric store with statistics and
// alarms. It is a pure leaf: it keeps no clock and imports nothing from the
// rest of the module.
package metrics
