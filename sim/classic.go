package sim

import (
	"fmt"
	"slices"

	"github.com/ecssim/ecssim/autoscale"
	"github.com/ecssim/ecssim/internal/fielderr"
	"github.com/ecssim/ecssim/loadbalancer"
	"github.com/ecssim/ecssim/metrics"
)

// The Classic Load Balancer. A LoadBalancer whose TargetGroup.Type is
// loadbalancer.CLB is a Classic Load Balancer in front of one service. It
// is the same machinery as a target group (routing, health checks,
// draining, the workload's requests) with the classic rules:
//
//   - ECS supports it only for tasks on EC2 instances with the bridge or
//     host network mode and static host ports: "Classic Load Balancers
//     currently require a fixed relationship between the load balancer
//     port and the container instance port"; awsvpc tasks (and so
//     Fargate) "only support Application Load Balancers and Network Load
//     Balancers"; and "using capacity providers is not supported when
//     using Classic Load Balancers"
//     (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/load-balancer-types.html,
//     https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_LoadBalancer.html).
//     CreateService, Service.Attach and UpdateService refuse anything else.
//   - "When a task from this service is placed on a container instance,
//     the container instance is registered with the load balancer": the
//     unit is the instance (LoadBalancer.Instances), which placement
//     already keeps to one task of the service, its host port being
//     static. It registers when the task reaches RUNNING and deregisters
//     when the task stops, draining for the connection draining timeout
//     (TargetGroup.DeregistrationDelay, 300 s by default).
//   - Health checks, routing and cross-zone follow the CLB defaults of
//     loadbalancer.DefaultConfig(loadbalancer.CLB): a new instance is
//     InService after 10 × 30 s = 300 s.
//   - Its metrics are the AWS/ELB ones per LoadBalancerName:
//     RequestCount, Latency, HTTPCode_Backend_5XX, HTTPCode_ELB_5XX and
//     HealthyHostCount (every minute).
//   - A CLB has no target group, so target tracking on
//     ALBRequestCountPerTarget is refused (AttachScaler); track a custom
//     metric (AWS/ELB RequestCount, say) instead.

// classic reports whether lb is a Classic Load Balancer.
func (lb *LoadBalancer) classic() bool { return lb.cfg.TargetGroup.Type == loadbalancer.CLB }

// Instances returns the EC2 instance IDs a Classic Load Balancer has
// registered (InService, OutOfService or draining), sorted; nil for a
// target group (ALB or NLB), which registers tasks.
func (lb *LoadBalancer) Instances() []string {
	if !lb.classic() {
		return nil
	}
	var ids []string
	for _, lt := range lb.targets {
		if lt != nil && !lt.unused && lt.t.inst != nil {
			ids = append(ids, lt.t.inst.ec2ID)
		}
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// classicOf returns the Classic Load Balancer among a service's observer
// and attachers, or nil.
func classicOf(obs TaskObserver, attachers []Attacher) *LoadBalancer {
	if lb, ok := obs.(*LoadBalancer); ok && lb != nil && lb.classic() {
		return lb
	}
	for _, a := range attachers {
		if lb, ok := a.(*LoadBalancer); ok && lb != nil && lb.classic() {
			return lb
		}
	}
	return nil
}

// checkClassic adds to l (under field) why Classic Load Balancer lb cannot
// front tasks of def launched by ls.
func checkClassic(l *fielderr.List, field string, lb *LoadBalancer, def *TaskDefinition, ls *launchSpec) {
	name := lb.cfg.Name
	switch {
	case ls.fargate():
		l.Add(field, name, "is a Classic Load Balancer, which Fargate does not support: services on Fargate support Application and Network Load Balancers only")
	case len(ls.providers) > 0:
		l.Add(field, name, "is a Classic Load Balancer: using capacity providers is not supported when using Classic Load Balancers; give LaunchType EC2")
	}
	if def == nil {
		return
	}
	switch def.in.NetworkMode {
	case AWSVPC:
		l.Add(field, name, fmt.Sprintf("is a Classic Load Balancer, and task definition %s uses the awsvpc network mode, which supports Application and Network Load Balancers only", def))
		return
	case Host:
		if len(def.hostPorts) == 0 {
			l.Add(field, name, fmt.Sprintf("is a Classic Load Balancer, which needs a container port mapped to a static host port; task definition %s maps none", def))
		}
		return
	}
	mapped := false
	for _, c := range def.in.Containers {
		for _, pm := range c.PortMappings {
			mapped = true
			if pm.HostPort == 0 {
				l.Add(field, name, fmt.Sprintf("is a Classic Load Balancer, which requires static host port mappings; task definition %s maps container %s port %d to a dynamic host port", def, c.Name, pm.ContainerPort))
			}
		}
	}
	if !mapped {
		l.Add(field, name, fmt.Sprintf("is a Classic Load Balancer, which needs a container port mapped to a static host port; task definition %s maps none", def))
	}
}

// checkClassicScaler adds to l why scaler sc cannot scale a service behind
// Classic Load Balancer lb: a target tracking policy on
// ALBRequestCountPerTarget, which needs a target group.
func checkClassicScaler(l *fielderr.List, field string, sc Scaler, lb *LoadBalancer) {
	c, ok := sc.(*autoscale.Controller)
	if !ok {
		return
	}
	for i, p := range c.Policies() {
		tt, ok := p.(*autoscale.TargetTracking)
		if ok && tt.Config().PredefinedMetric == autoscale.ALBRequestCountPerTarget {
			l.Add(fmt.Sprintf("%s.Policies[%d]", field, i), tt.Name(),
				"tracks ALBRequestCountPerTarget, which needs an Application Load Balancer target group; the service is behind Classic Load Balancer "+
					lb.cfg.Name+", which has none: track a custom metric such as AWS/ELB RequestCount of LoadBalancerName "+lb.cfg.Name)
		}
	}
}

// classicMetrics are the AWS/ELB series of a Classic Load Balancer, in
// the order of the workload's request series (wmRequests to
// wmResponseTime): RequestCount, HealthyHostCount (where a target group
// has RequestCountPerTarget), HTTPCode_ELB_5XX, HTTPCode_Backend_5XX,
// Latency.
func (lb *LoadBalancer) classicMetrics() []metrics.GroupMetric {
	m := func(name string) metrics.Metric { return metrics.ClassicLoadBalancerMetric(name, lb.cfg.Name) }
	return []metrics.GroupMetric{
		{Metric: m(metrics.MetricRequestCount)},
		{Metric: m(metrics.MetricHealthyHostCount)},
		{Metric: m(metrics.MetricHTTPCodeELB5XX)},
		{Metric: m(metrics.MetricHTTPCodeBackend5XX)},
		{Metric: m(metrics.MetricLatency), StatisticSets: true},
	}
}

// classicUnhealthy logs ECS's event for a task whose instance failed its
// Classic Load Balancer's health checks (failure is the task's stopped
// reason)
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-event-messages.html).
func (s *Service) classicUnhealthy(t *Task, failure string) {
	lb := classicOf(s.cfg.Observer, s.w.serviceAttachments(s).attachers)
	if lb == nil || failure != lb.failed || t.inst == nil {
		return
	}
	b := append(append(s.beginEvent(), "(task "...), t.arnID...)
	b = append(append(b, ") (instance "...), t.inst.ec2ID...)
	b = append(append(b, ") is unhealthy in (elb "...), lb.cfg.Name...)
	s.endEvent(append(b, ") due to (reason Instance has failed at least the UnhealthyThreshold number of health checks consecutively.)"...))
}
