// Package loadbalancer models Elastic Load Balancing target groups: ALB and
// NLB routing, target health, slow start and deregistration. It is a pure
// leaf.
package loadbalancer
