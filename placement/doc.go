// Package placement is the ECS task placement engine: an instance index,
// placement constraints and strategies. It is a pure leaf.
package placement
