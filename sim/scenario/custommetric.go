package scenario

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ecssim/ecssim/loadbalancer"
	"github.com/ecssim/ecssim/metrics"
	"github.com/ecssim/ecssim/sim"
)

// CustomizedMetric is a scaling policy's metric named as CloudWatch names
// it, for a metric other than the predefined ones: Application Auto
// Scaling's CustomizedMetricSpecification
// (https://docs.aws.amazon.com/autoscaling/application/APIReference/API_CustomizedMetricSpecification.html),
// for example the ALB's TargetResponseTime:
//
//	"customizedMetric": {"namespace": "AWS/ApplicationELB", "metricName": "TargetResponseTime", "statistic": "Average"}
//
// It must be a metric the simulation publishes for the service (see
// PublishedMetrics). Dimensions may be left out: they are then the
// service's own (ClusterName and ServiceName in AWS/ECS and
// ECS/ContainerInsights; LoadBalancer and TargetGroup in
// AWS/ApplicationELB; LoadBalancerName in AWS/ELB). Given, they must be
// those names; ClusterName and ServiceName must name the service itself,
// and a load balancer's or target group's value (an identifier of a real
// account, in a pasted policy) stands for the service's simulated one.
type CustomizedMetric struct {
	Namespace  string            `json:"namespace"`
	MetricName string            `json:"metricName"`
	Dimensions []MetricDimension `json:"dimensions,omitempty"`
	// Statistic is applied to each period: for target tracking one of
	// Average, Minimum, Maximum, SampleCount and Sum, as Application Auto
	// Scaling allows; a step scaling alarm also takes a percentile (pNN).
	Statistic string `json:"statistic"`
}

// MetricDimension is one CloudWatch dimension.
type MetricDimension struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// PublishedMetrics lists, per namespace, the metrics the simulation
// publishes for a service, which a CustomizedMetric can name: ECS's
// service utilisations, Container Insights' running task count, and its
// load balancer's (an ALB's in AWS/ApplicationELB, a Classic Load
// Balancer's in AWS/ELB).
var PublishedMetrics = map[string][]string{
	metrics.NamespaceECS:               {metrics.MetricCPUUtilization, metrics.MetricMemoryUtilization},
	metrics.NamespaceContainerInsights: {metrics.MetricRunningTaskCount},
	metrics.NamespaceApplicationELB: {metrics.MetricRequestCount, metrics.MetricRequestCountPerTarget, metrics.MetricTargetResponseTime,
		metrics.MetricHTTPCodeELB5XXCount, sim.MetricHTTPCodeTarget5XXCount},
	metrics.NamespaceELB: {metrics.MetricRequestCount, metrics.MetricLatency, metrics.MetricHealthyHostCount,
		metrics.MetricHTTPCodeELB5XX, metrics.MetricHTTPCodeBackend5XX},
}

// targetTrackingStatistics are the statistics Application Auto Scaling
// takes in a customized metric of target tracking (MetricStatistic).
var targetTrackingStatistics = []string{"Average", "Minimum", "Maximum", "SampleCount", "Sum"}

// dimensionNames returns the dimensions, in order, under which the
// simulation publishes the service's metrics of namespace ns.
func dimensionNames(ns string) []string {
	switch ns {
	case metrics.NamespaceECS, metrics.NamespaceContainerInsights:
		return []string{metrics.DimensionClusterName, metrics.DimensionServiceName}
	case metrics.NamespaceApplicationELB:
		return []string{metrics.DimensionLoadBalancer, metrics.DimensionTargetGroup}
	case metrics.NamespaceELB:
		return []string{metrics.DimensionLoadBalancerName}
	}
	return nil
}

// customizedMetric checks a customized metric of service s at field at;
// targetTracking limits the statistic to target tracking's.
func (v *validator) customizedMetric(at string, m *CustomizedMetric, s *Service, targetTracking bool) {
	names, ok := PublishedMetrics[m.Namespace]
	namespaces := slices.Sorted(func(yield func(string) bool) {
		for ns := range PublishedMetrics {
			if !yield(ns) {
				return
			}
		}
	})
	switch {
	case !ok:
		v.add(at+".namespace", m.Namespace, "must be a namespace the simulation publishes the service's metrics in: %s", strings.Join(namespaces, ", "))
	case !slices.Contains(names, m.MetricName):
		v.add(at+".metricName", m.MetricName, "must be one of the metrics the simulation publishes in %s: %s", m.Namespace, strings.Join(names, ", "))
	}
	lb := s.LoadBalancer
	switch m.Namespace {
	case metrics.NamespaceApplicationELB:
		if lb == nil || lb.Type != loadbalancer.ALB {
			v.add(at+".namespace", m.Namespace, "needs the service's loadBalancer to be an alb")
		}
	case metrics.NamespaceELB:
		if lb == nil || lb.Type != loadbalancer.CLB {
			v.add(at+".namespace", m.Namespace, "needs the service's loadBalancer to be a clb")
		}
	}
	if ok && len(m.Dimensions) > 0 {
		want := dimensionNames(m.Namespace)
		var got []string
		for i, d := range m.Dimensions {
			got = append(got, d.Name)
			field := fmt.Sprintf("%s.dimensions[%d].value", at, i)
			switch {
			case d.Name == metrics.DimensionClusterName && d.Value != s.Cluster:
				v.add(field, d.Value, "must be the service's cluster %q: the simulation publishes only the service's own metrics", s.Cluster)
			case d.Name == metrics.DimensionServiceName && d.Value != s.Name:
				v.add(field, d.Value, "must be the service's name %q: the simulation publishes only the service's own metrics", s.Name)
			}
		}
		slices.Sort(got)
		sorted := slices.Sorted(slices.Values(want))
		if !slices.Equal(got, sorted) {
			v.add(at+".dimensions", strings.Join(got, ","), "must be %s (or left out for the service's own), the dimensions %s publishes the service's metrics under", strings.Join(want, " and "), m.Namespace)
		}
	}
	switch {
	case targetTracking && !slices.Contains(targetTrackingStatistics, m.Statistic):
		v.add(at+".statistic", m.Statistic, "must be one of %s (target tracking's statistics)", strings.Join(targetTrackingStatistics, ", "))
	case !targetTracking:
		if _, err := metrics.ParseStatistic(m.Statistic); err != nil {
			v.add(at+".statistic", m.Statistic, "must be a CloudWatch statistic (Average, Sum, SampleCount, Minimum, Maximum or pNN)")
		}
	}
}

// resolve returns the metric and statistic a checked customized metric
// names for the service behind lb (nil without a load balancer): the
// service's own dimensions, whatever values the file gave a load
// balancer's.
func (m *CustomizedMetric) resolve(cluster, service string, lb *sim.LoadBalancer) (metrics.Metric, metrics.Statistic, error) {
	stat, err := metrics.ParseStatistic(m.Statistic)
	if err != nil {
		return metrics.Metric{}, stat, err
	}
	out := metrics.Metric{Namespace: m.Namespace, Name: m.MetricName}
	switch m.Namespace {
	case metrics.NamespaceECS, metrics.NamespaceContainerInsights:
		out.Dimensions = metrics.ServiceDimensions(cluster, service)
	case metrics.NamespaceApplicationELB, metrics.NamespaceELB:
		if lb == nil {
			return out, stat, fmt.Errorf("metric %s %s needs the service's load balancer", m.Namespace, m.MetricName)
		}
		if m.Namespace == metrics.NamespaceELB {
			out = metrics.ClassicLoadBalancerMetric(m.MetricName, lb.LoadBalancerDimension())
		} else {
			out.Dimensions = metrics.TargetGroupDimensions(lb.TargetGroupDimension(), lb.LoadBalancerDimension())
		}
	default:
		return out, stat, fmt.Errorf("namespace %q is not one the simulation publishes in", m.Namespace)
	}
	return out, stat, nil
}
