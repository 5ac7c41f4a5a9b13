// Package autoscale models Application Auto Scaling: scalable targets, target
// tracking, step scaling and scheduled actions. It is a pure leaf that
// imports only metrics.
package autoscale
