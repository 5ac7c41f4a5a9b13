package scenario

import (
	"bytes"
	"cmp"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"math"
	"net/netip"
	"path"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ecssim/ecssim/autoscale"
	"github.com/ecssim/ecssim/loadbalancer"
	"github.com/ecssim/ecssim/metrics"
	"github.com/ecssim/ecssim/placement"
	"github.com/ecssim/ecssim/sim"
)

// Importing AWS's own JSON. ImportAWS reads what the AWS CLI prints for a
// running service (or the --cli-input-json a team keeps in its
// repository) and writes the scenario that simulates it:
//
//	aws ecs describe-task-definition    (or register-task-definition input)
//	aws ecs describe-services           (or create-service input)
//	aws ecs describe-clusters
//	aws ecs describe-capacity-providers
//	aws ec2 describe-subnets            (the subnets of networkConfiguration)
//	aws autoscaling describe-auto-scaling-groups
//	aws application-autoscaling describe-scalable-targets, describe-scaling-policies,
//	    describe-scheduled-actions   (or the register-/put-* inputs; target
//	    tracking, step and predictive scaling policies)
//	aws cloudwatch describe-alarms      (the alarms of step scaling policies)
//	aws elbv2 describe-target-groups, describe-target-group-attributes
//	aws elb describe-load-balancers, describe-load-balancer-attributes
//	    (Classic Load Balancers a service names by loadBalancerName)
//	aws efs describe-file-systems, describe-mount-targets  (the file
//	    systems of task definitions' EFS volumes)
//	aws cloudwatch get-metric-statistics or get-metric-data  (a RequestCount
//	    sum per period: the traffic)
//
// Each file is recognised by its top-level keys. References resolve by
// ARN or by name: a service's cluster, task definition (family and
// revision), target group and capacity providers; a capacity provider's
// Auto Scaling group; a scaling policy's, scheduled action's and scalable
// target's resource ID ("service/cluster/name"); a step scaling policy's
// alarm; a service's subnets (a subnet not described is an assumed /24);
// a service's Classic Load Balancer by name (one not described has the
// CLB defaults, said in Import.Assumed). An Auto Scaling group no capacity
// provider names gives the one cluster its instances. A volume's file
// system by ID (one not described is an assumed elastic file system). A reference to nothing imported is an error that says which
// call's output to add. A target group's attributes and a traffic series
// name no target group or service in AWS's output; they go with the one
// whose name is part of the file's name, or with the only one there is.
//
// Every field AWS documents that the simulation does not use (an
// execution role, a log configuration, tags, the counts a describe call
// reports) is accepted and listed in Import.Ignored, never dropped
// silently; a key close to a field's name (within a few edits, or in
// another case) is an error that suggests it; a key AWS added after this
// list was written is listed as ignored too. What AWS's output does not
// say (the CPU work of a request, how long to run) comes from
// ImportOptions and is listed in Import.Assumed.

// ImportOptions are what AWS's output does not say.
type ImportOptions struct {
	// Work is the mean CPU work of one request at one vCPU, for every
	// service with traffic; zero means 20 ms. Measure it (CPU seconds
	// per request from CloudWatch's CPUUtilization and RequestCount) for
	// results worth reading.
	Work time.Duration
	// Duration is how long to run; zero means the traffic series' span,
	// or a day without one.
	Duration time.Duration
	// Mode is the traffic mode; empty means fluid, which runs a day of
	// heavy traffic in milliseconds (the request mode simulates every
	// request).
	Mode string
}

// Import is a scenario made from AWS's JSON, with what the import did
// not use and what it assumed.
type Import struct {
	Scenario *Scenario
	// Ignored lists the AWS fields the simulation does not use, each as
	// "file: path" (e.g. "td.json: taskDefinition.executionRoleArn").
	Ignored []string
	// Assumed lists what the import chose where AWS's output is silent.
	Assumed []string
}

// ErrImport marks AWS JSON that ImportAWS cannot read: a file of no kind
// it knows, a typo, a reference to nothing imported.
var ErrImport = errors.New("scenario: import")

// AWSDocument is one file of AWS CLI JSON.
type AWSDocument struct {
	// Name is the file's name; it is where errors and ignored fields say
	// they are, and how a target group's attributes and a traffic series
	// find their target group and service.
	Name string
	Data []byte
}

// ImportAWS reads AWS CLI JSON from fsys: each name is a file, or a
// directory whose *.json files are read in name order. See
// ImportAWSDocuments.
func ImportAWS(fsys fs.FS, opt ImportOptions, names ...string) (*Import, error) {
	var docs []AWSDocument
	for _, name := range names {
		info, err := fs.Stat(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrFile, err)
		}
		files := []string{name}
		if info.IsDir() {
			entries, err := fs.ReadDir(fsys, name)
			if err != nil {
				return nil, fmt.Errorf("%w: %w", ErrFile, err)
			}
			files = nil
			for _, e := range entries {
				if !e.IsDir() && strings.HasSuffix(e.Name(), ".json") {
					files = append(files, path.Join(name, e.Name()))
				}
			}
			if len(files) == 0 {
				return nil, fmt.Errorf("%w: directory %s holds no .json file", ErrImport, name)
			}
		}
		for _, f := range files {
			data, err := ReadBytes(fsys, f, MaxFileSize)
			if err != nil {
				return nil, err
			}
			docs = append(docs, AWSDocument{Name: f, Data: data})
		}
	}
	return ImportAWSDocuments(docs, opt)
}

// ImportAWSDocuments makes a scenario of AWS CLI JSON documents, checks
// it as Parse checks a file, and returns it with the fields it did not
// use and what it assumed. It returns every problem of the documents at
// once.
func ImportAWSDocuments(docs []AWSDocument, opt ImportOptions) (*Import, error) {
	im := &importer{opt: opt, out: &Import{}}
	for _, d := range docs {
		im.document(d)
	}
	if err := errors.Join(im.errs...); err != nil {
		return nil, err
	}
	sc := im.assemble()
	if err := errors.Join(im.errs...); err != nil {
		return nil, err
	}
	// The import's output is a file like any: it must read back.
	data, err := json.Marshal(sc)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrImport, err)
	}
	if sc, err = Parse(data); err != nil {
		return nil, fmt.Errorf("%w: the imported scenario is not valid: %w", ErrImport, err)
	}
	// And it must build: the simulator's own rules (a slow start with
	// least outstanding requests, say) hold for AWS's JSON too.
	if _, err := Build(sc, Options{}); err != nil {
		return nil, fmt.Errorf("%w: the imported scenario does not build: %w", ErrImport, err)
	}
	im.out.Scenario = sc
	return im.out, nil
}

// WriteReport writes what the import assumed and ignored, as text.
func (im *Import) WriteReport(w io.Writer) error {
	s := im.Scenario
	fmt.Fprintf(w, "imported %d task definitions, %d capacity providers, %d clusters, %d services\n",
		len(s.TaskDefinitions), len(s.CapacityProviders), len(s.Clusters), len(s.Services))
	if len(im.Assumed) > 0 {
		fmt.Fprintln(w, "\nassumed (AWS's output does not say; change with ecssim run -set):")
		for _, a := range im.Assumed {
			fmt.Fprintln(w, "  "+a)
		}
	}
	if len(im.Ignored) > 0 {
		fmt.Fprintln(w, "\nignored (AWS fields the simulation does not use):")
		// The same field of every element of a list, once: Datapoints[*].Unit (24).
		var lines []string
		count := map[string]int{}
		for _, i := range im.Ignored {
			line := listIndex.ReplaceAllString(i, "[*]")
			if !strings.Contains(i, "Attributes[") {
				i = line
			}
			if count[i] == 0 {
				lines = append(lines, i)
			}
			count[i]++
		}
		for _, l := range lines {
			if n := count[l]; n > 1 {
				l += fmt.Sprintf(" (%d)", n)
			}
			fmt.Fprintln(w, "  "+l)
		}
	}
	return nil
}

var listIndex = regexp.MustCompile(`\[\d+\]`)

// importer collects the documents' parts before it assembles them.
type importer struct {
	opt  ImportOptions
	out  *Import
	errs []error

	taskDefs     []sourced[awsTaskDefinition]
	services     []sourced[awsService]
	clusters     []sourced[awsCluster]
	providers    []sourced[awsCapacityProvider]
	groups       []sourced[awsASG]
	targets      []sourced[awsScalableTarget]
	policies     []sourced[awsScalingPolicy]
	scheduled    []sourced[awsScheduledAction]
	alarms       []sourced[awsAlarm]
	targetGroups []sourced[awsTargetGroup]
	tgAttributes []sourced[[]awsAttribute]
	series       []sourced[awsSeries]
	subnets      []sourced[awsSubnet]
	classics     []sourced[awsCLB]
	clbAttrs     []sourced[awsCLBAttributes]
	fileSystems  []sourced[awsFileSystem]
	mountTargets []sourced[awsMountTarget]
}

// sourced is a part with the file (and path in it) it came from.
type sourced[T any] struct {
	v     T
	where string // "file: path"
	file  string
}

// awsSeries is a traffic series: timestamps and the request count of the
// period each starts.
type awsSeries struct {
	label  string
	times  []time.Time
	counts []float64
}

func (im *importer) fail(where, format string, args ...any) {
	im.errs = append(im.errs, fmt.Errorf("%w: %s: %s", ErrImport, where, fmt.Sprintf(format, args...)))
}

// document recognises one file by its top-level keys and reads its parts.
func (im *importer) document(d AWSDocument) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(d.Data, &top); err != nil {
		im.fail(d.Name, "not a JSON object: %v", err)
		return
	}
	has := func(k string) bool { _, ok := top[k]; return ok }
	switch {
	case has("taskDefinition") && isObject(top["taskDefinition"]):
		var v awsDescribeTaskDefinition
		if im.decode(d, &v) && v.TaskDefinition != nil {
			im.taskDefs = append(im.taskDefs, sourced[awsTaskDefinition]{*v.TaskDefinition, d.Name + ": taskDefinition", d.Name})
		}
	case has("containerDefinitions"):
		var v awsTaskDefinition
		if im.decode(d, &v) {
			im.taskDefs = append(im.taskDefs, sourced[awsTaskDefinition]{v, d.Name, d.Name})
		}
	case has("services"):
		var v awsDescribeServices
		if im.decode(d, &v) && im.noFailures(d.Name, v.Failures) {
			for i, s := range v.Services {
				im.services = append(im.services, sourced[awsService]{s, fmt.Sprintf("%s: services[%d]", d.Name, i), d.Name})
			}
		}
	case has("service") && isObject(top["service"]):
		var v awsCreateServiceOutput
		if im.decode(d, &v) && v.Service != nil {
			im.services = append(im.services, sourced[awsService]{*v.Service, d.Name + ": service", d.Name})
		}
	case has("serviceName"):
		var v awsService
		if im.decode(d, &v) {
			im.services = append(im.services, sourced[awsService]{v, d.Name, d.Name})
		}
	case has("clusters"):
		var v awsDescribeClusters
		if im.decode(d, &v) && im.noFailures(d.Name, v.Failures) {
			for i, c := range v.Clusters {
				im.clusters = append(im.clusters, sourced[awsCluster]{c, fmt.Sprintf("%s: clusters[%d]", d.Name, i), d.Name})
			}
		}
	case has("capacityProviders"):
		var v awsDescribeCapacityProviders
		if im.decode(d, &v) && im.noFailures(d.Name, v.Failures) {
			for i, c := range v.CapacityProviders {
				im.providers = append(im.providers, sourced[awsCapacityProvider]{c, fmt.Sprintf("%s: capacityProviders[%d]", d.Name, i), d.Name})
			}
		}
	case has("AutoScalingGroups"):
		var v awsDescribeASGs
		if im.decode(d, &v) {
			for i, g := range v.AutoScalingGroups {
				im.groups = append(im.groups, sourced[awsASG]{g, fmt.Sprintf("%s: AutoScalingGroups[%d]", d.Name, i), d.Name})
			}
		}
	case has("ScalableTargets"):
		var v awsDescribeScalableTargets
		if im.decode(d, &v) {
			for i, t := range v.ScalableTargets {
				im.targets = append(im.targets, sourced[awsScalableTarget]{t, fmt.Sprintf("%s: ScalableTargets[%d]", d.Name, i), d.Name})
			}
		}
	case has("ScalingPolicies"):
		var v awsDescribeScalingPolicies
		if im.decode(d, &v) {
			for i, p := range v.ScalingPolicies {
				im.policies = append(im.policies, sourced[awsScalingPolicy]{p, fmt.Sprintf("%s: ScalingPolicies[%d]", d.Name, i), d.Name})
			}
		}
	case has("PolicyName"):
		var v awsScalingPolicy
		if im.decode(d, &v) {
			im.policies = append(im.policies, sourced[awsScalingPolicy]{v, d.Name, d.Name})
		}
	case has("ScheduledActions"):
		var v awsDescribeScheduledActions
		if im.decode(d, &v) {
			for i, a := range v.ScheduledActions {
				im.scheduled = append(im.scheduled, sourced[awsScheduledAction]{a, fmt.Sprintf("%s: ScheduledActions[%d]", d.Name, i), d.Name})
			}
		}
	case has("ScheduledActionName"):
		var v awsScheduledAction
		if im.decode(d, &v) {
			im.scheduled = append(im.scheduled, sourced[awsScheduledAction]{v, d.Name, d.Name})
		}
	case has("ResourceId") && has("ServiceNamespace"):
		var v awsScalableTarget
		if im.decode(d, &v) {
			im.targets = append(im.targets, sourced[awsScalableTarget]{v, d.Name, d.Name})
		}
	case has("MetricAlarms"):
		var v awsDescribeAlarms
		if im.decode(d, &v) {
			for i, a := range v.MetricAlarms {
				im.alarms = append(im.alarms, sourced[awsAlarm]{a, fmt.Sprintf("%s: MetricAlarms[%d]", d.Name, i), d.Name})
			}
		}
	case has("TargetGroups"):
		var v awsDescribeTargetGroups
		if im.decode(d, &v) {
			for i, tg := range v.TargetGroups {
				im.targetGroups = append(im.targetGroups, sourced[awsTargetGroup]{tg, fmt.Sprintf("%s: TargetGroups[%d]", d.Name, i), d.Name})
			}
		}
	case has("Attributes"):
		var v awsTargetGroupAttributes
		if im.decode(d, &v) {
			im.tgAttributes = append(im.tgAttributes, sourced[[]awsAttribute]{v.Attributes, d.Name, d.Name})
		}
	case has("Subnets"):
		var v awsDescribeSubnets
		if im.decode(d, &v) {
			for i, sn := range v.Subnets {
				im.subnets = append(im.subnets, sourced[awsSubnet]{sn, fmt.Sprintf("%s: Subnets[%d]", d.Name, i), d.Name})
			}
		}
	case has("LoadBalancerDescriptions"):
		var v awsDescribeLoadBalancers
		if im.decode(d, &v) {
			for i, lb := range v.LoadBalancerDescriptions {
				im.classics = append(im.classics, sourced[awsCLB]{lb, fmt.Sprintf("%s: LoadBalancerDescriptions[%d]", d.Name, i), d.Name})
			}
		}
	case has("LoadBalancerAttributes"):
		var v awsDescribeCLBAttributes
		if im.decode(d, &v) && v.LoadBalancerAttributes != nil {
			im.clbAttrs = append(im.clbAttrs, sourced[awsCLBAttributes]{*v.LoadBalancerAttributes, d.Name + ": LoadBalancerAttributes", d.Name})
		}
	case has("FileSystems"):
		var v awsDescribeFileSystems
		if im.decode(d, &v) {
			for i, f := range v.FileSystems {
				im.fileSystems = append(im.fileSystems, sourced[awsFileSystem]{f, fmt.Sprintf("%s: FileSystems[%d]", d.Name, i), d.Name})
			}
		}
	case has("MountTargets"):
		var v awsDescribeMountTargets
		if im.decode(d, &v) {
			for i, m := range v.MountTargets {
				im.mountTargets = append(im.mountTargets, sourced[awsMountTarget]{m, fmt.Sprintf("%s: MountTargets[%d]", d.Name, i), d.Name})
			}
		}
	case has("Datapoints"):
		var v awsMetricStatistics
		if im.decode(d, &v) {
			im.statistics(d.Name, v)
		}
	case has("MetricDataResults"):
		var v awsMetricData
		if im.decode(d, &v) {
			im.metricData(d.Name, v)
		}
	default:
		keys := slices.Sorted(maps.Keys(top))
		hint := ""
		for _, k := range keys {
			if known := closest(k, awsDocumentKeys); known != "" {
				hint = fmt.Sprintf(" (did you mean %q?)", known)
				break
			}
		}
		im.fail(d.Name, "not an AWS CLI output this import reads (its keys: %s)%s", strings.Join(keys, ", "), hint)
	}
}

// sub is the path of field in the part at where: "file: services[0].x",
// or "file: x" for a file that is the part (an API input).
func sub(where, field string) string {
	if strings.Contains(where, ": ") {
		return where + "." + field
	}
	return where + ": " + field
}

// awsDocumentKeys are the top-level keys by which document recognises a
// file, for the suggestion when it recognises none.
var awsDocumentKeys = []string{"taskDefinition", "containerDefinitions", "services", "service", "serviceName", "clusters",
	"capacityProviders", "AutoScalingGroups", "ScalableTargets", "ScalingPolicies", "PolicyName", "ScheduledActions",
	"ScheduledActionName", "ResourceId", "MetricAlarms", "TargetGroups", "Attributes", "Datapoints", "MetricDataResults", "Subnets",
	"LoadBalancerDescriptions", "LoadBalancerAttributes", "FileSystems", "MountTargets"}

// noFailures reports whether a describe call's failures list is empty;
// a resource AWS did not find is an error, not a part left out silently.
func (im *importer) noFailures(file string, failures json.RawMessage) bool {
	var list []json.RawMessage
	if json.Unmarshal(failures, &list) != nil || len(list) == 0 {
		return true
	}
	parts := make([]string, len(list))
	for i, f := range list {
		parts[i] = string(f)
	}
	im.fail(file, "AWS reports failures: %s", clip(strings.Join(parts, ", ")))
	return false
}

func isObject(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) > 0 && raw[0] == '{'
}

// decode checks the document's keys against v's type (every key used,
// documented as unused, or an error when it looks like a typo) and decodes
// it.
func (im *importer) decode(d AWSDocument, v any) bool {
	n := len(im.errs)
	im.check(d.Name, "", d.Data, reflect.TypeOf(v).Elem())
	if len(im.errs) > n {
		return false
	}
	if err := json.Unmarshal(d.Data, v); err != nil {
		im.fail(d.Name, "%v", err)
		return false
	}
	return true
}

// check walks raw along type t: an object's keys must be t's fields (in
// their exact spelling), or fields AWS documents that t does not use
// (listed as ignored), or unknown and far from any known name (listed as
// ignored, not known); a key close to a known one is a typo.
func (im *importer) check(file, at string, raw json.RawMessage, t reflect.Type) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 { // json.RawMessage
			return
		}
		var items []json.RawMessage
		if json.Unmarshal(raw, &items) != nil {
			return // null, or a kind json.Unmarshal reports
		}
		for i, item := range items {
			im.check(file, fmt.Sprintf("%s[%d]", at, i), item, t.Elem())
		}
	case reflect.Struct:
		var obj map[string]json.RawMessage
		if json.Unmarshal(raw, &obj) != nil {
			return
		}
		fields := map[string]reflect.Type{}
		for f := range t.Fields() {
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			fields[name] = f.Type
		}
		ignored := awsIgnored[t]
		for _, key := range slices.Sorted(maps.Keys(obj)) {
			sub := key
			if at != "" {
				sub = at + "." + key
			}
			switch ft, ok := fields[key]; {
			case ok:
				im.check(file, sub, obj[key], ft)
			case slices.Contains(ignored, key):
				im.out.Ignored = append(im.out.Ignored, file+": "+sub)
			default:
				known := slices.Concat(slices.Sorted(maps.Keys(fields)), ignored)
				if hint := closest(key, known); hint != "" {
					im.fail(file, "%s: unknown field %q (did you mean %q?)", sub, key, hint)
					continue
				}
				im.out.Ignored = append(im.out.Ignored, file+": "+sub+" (not known to ecssim)")
			}
		}
	}
}

// closest is the known name key most likely misspells: the same but for
// case, or within a few edits; "" if none is.
func closest(key string, known []string) string {
	best, dist := "", 3+len(key)/10
	for _, name := range known {
		if strings.EqualFold(name, key) {
			return name
		}
		if d := editDistance(strings.ToLower(key), strings.ToLower(name)); d < dist {
			best, dist = name, d
		}
	}
	if dist > len(key)/2 {
		return ""
	}
	return best
}

// statistics reads get-metric-statistics output: a Sum per period.
func (im *importer) statistics(file string, v awsMetricStatistics) {
	s := awsSeries{label: v.Label}
	points := slices.Clone(v.Datapoints)
	for i, p := range points {
		at := fmt.Sprintf("Datapoints[%d]", i)
		ts, err := time.Parse(time.RFC3339, p.Timestamp)
		if err != nil {
			im.fail(file, "%s.Timestamp %q: want an RFC 3339 time", at, p.Timestamp)
			return
		}
		if p.Sum == nil {
			im.fail(file, "%s: no Sum; ask get-metric-statistics for --statistics Sum of a request count", at)
			return
		}
		s.times, s.counts = append(s.times, ts), append(s.counts, *p.Sum)
	}
	im.addSeries(file, s)
}

// metricData reads get-metric-data output: its one result's values.
func (im *importer) metricData(file string, v awsMetricData) {
	if len(v.MetricDataResults) != 1 {
		im.fail(file, "MetricDataResults holds %d results; a traffic series is one (a request count's Sum)", len(v.MetricDataResults))
		return
	}
	r := v.MetricDataResults[0]
	if len(r.Timestamps) != len(r.Values) {
		im.fail(file, "MetricDataResults[0]: %d timestamps, %d values", len(r.Timestamps), len(r.Values))
		return
	}
	s := awsSeries{label: cmp.Or(r.Label, r.ID)}
	for i, t := range r.Timestamps {
		ts, err := time.Parse(time.RFC3339, t)
		if err != nil {
			im.fail(file, "MetricDataResults[0].Timestamps[%d] %q: want an RFC 3339 time", i, t)
			return
		}
		s.times, s.counts = append(s.times, ts), append(s.counts, r.Values[i])
	}
	im.addSeries(file, s)
}

func (im *importer) addSeries(file string, s awsSeries) {
	if len(s.times) < 2 {
		im.fail(file, "a traffic series needs at least two datapoints, has %d", len(s.times))
		return
	}
	// CloudWatch returns datapoints in no set order: sort them by time.
	idx := make([]int, len(s.times))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int { return s.times[a].Compare(s.times[b]) })
	var sorted awsSeries
	sorted.label = s.label
	for _, i := range idx {
		sorted.times, sorted.counts = append(sorted.times, s.times[i]), append(sorted.counts, s.counts[i])
	}
	im.series = append(im.series, sourced[awsSeries]{sorted, file, file})
}

// lastPart is the name at the end of an ARN or a name: "web" of
// "arn:aws:ecs:us-east-1:123456789012:service/prod/web", "prod" of
// "arn:aws:ecs:us-east-1:123456789012:cluster/prod".
func lastPart(ref string) string {
	return ref[strings.LastIndexAny(ref, "/:")+1:]
}

// lastPartTD is "family:revision" of a task definition ARN or reference.
func lastPartTD(ref string) string {
	family, rev := taskDefinitionRef(ref)
	if rev == 0 {
		return family
	}
	return fmt.Sprintf("%s:%d", family, rev)
}

// taskDefinitionRef splits a task definition reference (ARN,
// "family:revision" or "family") into family and revision (0 if none).
func taskDefinitionRef(ref string) (string, int) {
	if i := strings.Index(ref, ":task-definition/"); i >= 0 {
		ref = ref[i+len(":task-definition/"):]
	}
	family, rev, ok := strings.Cut(ref, ":")
	if !ok {
		return family, 0
	}
	n, err := strconv.Atoi(rev)
	if err != nil {
		return ref, 0
	}
	return family, n
}

// assemble makes the scenario of the parts, resolving references.
func (im *importer) assemble() *Scenario {
	sc := &Scenario{Name: "imported from AWS"}

	// Task definitions, by family then revision: revision k of the
	// scenario's family is the k-th imported.
	tds := slices.Clone(im.taskDefs)
	slices.SortStableFunc(tds, func(a, b sourced[awsTaskDefinition]) int {
		return cmp.Or(cmp.Compare(a.v.Family, b.v.Family), cmp.Compare(a.v.Revision, b.v.Revision))
	})
	tdRef := map[string]string{} // "family:awsRevision" and ARN → scenario reference
	for _, td := range tds {
		sc.TaskDefinitions = append(sc.TaskDefinitions, im.taskDefinition(td))
		n := 0
		for _, t := range sc.TaskDefinitions {
			if t.Family == td.v.Family {
				n++
			}
		}
		ref := fmt.Sprintf("%s:%d", td.v.Family, n)
		tdRef[fmt.Sprintf("%s:%d", td.v.Family, td.v.Revision)] = ref
		if td.v.TaskDefinitionArn != "" {
			tdRef[td.v.TaskDefinitionArn] = ref
		}
	}

	// Capacity providers with their Auto Scaling groups.
	cpNames := map[string]string{} // name and ARN → name
	for _, cp := range im.providers {
		if cp.v.AutoScalingGroupProvider == nil {
			continue // FARGATE and FARGATE_SPOT: no entry needed
		}
		if p, ok := im.provider(cp); ok {
			sc.CapacityProviders = append(sc.CapacityProviders, p)
			cpNames[cp.v.Name] = cp.v.Name
			if cp.v.CapacityProviderArn != "" {
				cpNames[cp.v.CapacityProviderArn] = cp.v.Name
			}
		}
	}
	resolveCP := func(where, ref string) string {
		switch {
		case ref == "FARGATE" || ref == "FARGATE_SPOT":
			return ref
		case cpNames[ref] != "":
			return cpNames[ref]
		}
		im.fail(where, "capacity provider %q is not among the imported (add aws ecs describe-capacity-providers --capacity-providers %s)", ref, lastPart(ref))
		return ref
	}

	// Clusters: described ones, then those services name.
	clusterIndex := map[string]int{}
	for _, c := range im.clusters {
		cl := Cluster{Name: c.v.ClusterName}
		for i, name := range c.v.CapacityProviders {
			cl.CapacityProviders = append(cl.CapacityProviders, resolveCP(sub(c.where, fmt.Sprintf("capacityProviders[%d]", i)), name))
		}
		for i, it := range c.v.DefaultCapacityProviderStrategy {
			cl.DefaultCapacityProviderStrategy = append(cl.DefaultCapacityProviderStrategy, StrategyItem{
				CapacityProvider: resolveCP(sub(c.where, fmt.Sprintf("defaultCapacityProviderStrategy[%d]", i)), it.CapacityProvider),
				Base:             it.Base, Weight: it.Weight})
		}
		clusterIndex[cl.Name] = len(sc.Clusters)
		sc.Clusters = append(sc.Clusters, cl)
	}

	// Target groups with their attributes.
	tgs := map[string]*LoadBalancer{} // ARN and name → target group
	for _, tg := range im.targetGroups {
		lb := im.targetGroup(tg)
		tgs[tg.v.TargetGroupName] = lb
		if tg.v.TargetGroupArn != "" {
			tgs[tg.v.TargetGroupArn] = lb
		}
	}
	for _, a := range im.tgAttributes {
		tg := im.matchTargetGroup(a.file)
		if tg == nil {
			continue
		}
		im.attributes(a, tgs[tg.v.TargetGroupName])
	}

	// Classic Load Balancers with their attributes.
	classics := map[string]*LoadBalancer{} // name → load balancer
	for _, c := range im.classics {
		classics[c.v.LoadBalancerName] = im.classic(c)
	}
	for _, a := range im.clbAttrs {
		if c := im.matchClassic(a.file); c != nil {
			im.classicAttributes(a, classics[c.v.LoadBalancerName])
		}
	}

	// Services, their traffic and scaling.
	svcIndex := map[string]int{} // "cluster/name" → index
	for _, s := range im.services {
		svc := im.service(s, tdRef, tgs, classics, resolveCP)
		if _, ok := clusterIndex[svc.Cluster]; !ok {
			clusterIndex[svc.Cluster] = len(sc.Clusters)
			sc.Clusters = append(sc.Clusters, Cluster{Name: svc.Cluster})
			im.out.Assumed = append(im.out.Assumed, fmt.Sprintf("cluster %s: not described (aws ecs describe-clusters); made with no capacity providers", svc.Cluster))
		}
		svcIndex[svc.Cluster+"/"+svc.Name] = len(sc.Services)
		sc.Services = append(sc.Services, svc)
	}
	im.groupInstances(sc)
	im.efs(sc)
	im.network(sc)
	im.traffic(sc)
	im.scaling(sc, svcIndex)

	sc.Duration = Duration(im.opt.Duration)
	if sc.Duration == 0 {
		sc.Duration = Duration(24 * time.Hour)
		if d := im.seriesSpan(); d > 0 {
			sc.Duration = Duration(d + importWarmUp)
		} else {
			im.out.Assumed = append(im.out.Assumed, "duration: 24h (no traffic series gives a span)")
		}
	}
	if len(sc.Clusters) == 0 {
		im.fail("the files", "describe no cluster and no service")
	}
	return sc
}

func (im *importer) taskDefinition(s sourced[awsTaskDefinition]) TaskDefinition {
	v := s.v
	td := TaskDefinition{Family: v.Family}
	td.CPU = im.units(sub(s.where, "cpu"), "cpu", v.CPU)
	td.MemoryMiB = im.units(sub(s.where, "memory"), "memoryMiB", v.Memory)
	td.NetworkMode = enum[sim.NetworkMode](im, sub(s.where, "networkMode"), v.NetworkMode)
	for _, c := range v.RequiresCompatibilities {
		td.RequiresCompatibilities = append(td.RequiresCompatibilities, enum[sim.LaunchType](im, sub(s.where, "requiresCompatibilities"), c))
	}
	if rp := v.RuntimePlatform; rp != nil {
		td.CPUArchitecture = enum[sim.Architecture](im, sub(s.where, "runtimePlatform.cpuArchitecture"), rp.CPUArchitecture)
	}
	if v.EphemeralStorage != nil {
		im.out.Ignored = append(im.out.Ignored, sub(s.where, "ephemeralStorage (Fargate bills storage above 20 GiB; not simulated)"))
	}
	for _, c := range v.PlacementConstraints {
		td.PlacementConstraints = append(td.PlacementConstraints, Constraint{Type: enum[placement.ConstraintType](im, sub(s.where, "placementConstraints"), c.Type), Expression: c.Expression})
	}
	for _, vol := range v.Volumes {
		sv := Volume{Name: vol.Name}
		if e := vol.EfsVolumeConfiguration; e != nil {
			sv.EFSVolumeConfiguration = &EFSVolumeConfiguration{FileSystemID: e.FileSystemID, RootDirectory: e.RootDirectory,
				TransitEncryption: e.TransitEncryption, TransitEncryptionPort: e.TransitEncryptionPort}
			if a := e.AuthorizationConfig; a != nil {
				sv.EFSVolumeConfiguration.AuthorizationConfig = &EFSAuthorizationConfig{AccessPointID: a.AccessPointID, IAM: a.IAM}
			}
		}
		td.Volumes = append(td.Volumes, sv)
	}
	for _, c := range v.ContainerDefinitions {
		ct := Container{Name: c.Name, Image: c.Image, CPU: c.CPU, MemoryMiB: c.Memory, MemoryReservationMiB: c.MemoryReservation, Essential: c.Essential}
		if c.StopTimeout != nil {
			ct.StopTimeout = Duration(time.Duration(*c.StopTimeout) * time.Second)
		}
		for _, p := range c.PortMappings {
			ct.PortMappings = append(ct.PortMappings, PortMapping(p))
		}
		for _, mp := range c.MountPoints {
			ct.MountPoints = append(ct.MountPoints, MountPoint(mp))
		}
		td.Containers = append(td.Containers, ct)
	}
	return td
}

// units reads a task's cpu or memory: a JSON string ("256", "1 vCPU",
// "2 GB") or number; absent is 0.
func (im *importer) units(where, field string, raw json.RawMessage) int {
	if len(raw) == 0 || string(raw) == "null" {
		return 0
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		s = string(raw)
	}
	n, ok := awsUnits(field, s)
	if !ok {
		im.fail(where, "%s: want CPU units or MiB, as \"256\", \"1 vCPU\" or \"2 GB\"", clip(string(raw)))
	}
	return n
}

func (im *importer) provider(s sourced[awsCapacityProvider]) (CapacityProvider, bool) {
	asg := s.v.AutoScalingGroupProvider
	var group *sourced[awsASG]
	for i := range im.groups {
		g := &im.groups[i]
		if g.v.AutoScalingGroupARN == asg.AutoScalingGroupArn || g.v.AutoScalingGroupName == asg.AutoScalingGroupArn ||
			strings.HasSuffix(asg.AutoScalingGroupArn, ":autoScalingGroupName/"+g.v.AutoScalingGroupName) {
			group = g
			break
		}
	}
	if group == nil {
		im.fail(sub(s.where, "autoScalingGroupProvider.autoScalingGroupArn"), "%q is not among the imported Auto Scaling groups (add aws autoscaling describe-auto-scaling-groups --auto-scaling-group-names %s)",
			asg.AutoScalingGroupArn, lastPart(asg.AutoScalingGroupArn))
		return CapacityProvider{}, false
	}
	g := group.v
	cp := CapacityProvider{Name: s.v.Name, Zones: g.AvailabilityZones, MinSize: g.MinSize, MaxSize: g.MaxSize,
		DesiredCapacity: g.DesiredCapacity, ManagedTerminationProtection: asg.ManagedTerminationProtection == "ENABLED"}
	// The instance type: the mixed instances policy's first override,
	// else the type of the group's instances.
	if mp := g.MixedInstancesPolicy; mp != nil && mp.LaunchTemplate != nil && len(mp.LaunchTemplate.Overrides) > 0 {
		cp.InstanceType = mp.LaunchTemplate.Overrides[0].InstanceType
		if n := len(mp.LaunchTemplate.Overrides); n > 1 {
			im.out.Assumed = append(im.out.Assumed, fmt.Sprintf("capacity provider %s: instance type %s, the first of the group's %d overrides", cp.Name, cp.InstanceType, n))
		}
		if d := mp.InstancesDistribution; d != nil && d.OnDemandPercentageAboveBaseCapacity != nil && *d.OnDemandPercentageAboveBaseCapacity == 0 &&
			(d.OnDemandBaseCapacity == nil || *d.OnDemandBaseCapacity == 0) {
			cp.Spot = true
			im.out.Assumed = append(im.out.Assumed, fmt.Sprintf("capacity provider %s: Spot (no On-Demand capacity), with no interruptions (interruptionsPerHour 0)", cp.Name))
		}
	}
	for _, in := range g.Instances {
		if cp.InstanceType == "" {
			cp.InstanceType = in.InstanceType
		}
	}
	if cp.InstanceType == "" {
		im.fail(group.where, "no instance type: the group has no instances and no mixed instances overrides (its launch template's type is not in this output)")
	}
	if ms := asg.ManagedScaling; ms != nil && ms.Status == "ENABLED" {
		cp.ManagedScaling = &ManagedScaling{TargetCapacity: ms.TargetCapacity, MinimumScalingStepSize: ms.MinimumScalingStepSize,
			MaximumScalingStepSize: ms.MaximumScalingStepSize}
		if ms.InstanceWarmupPeriod != nil {
			cp.ManagedScaling.InstanceWarmupPeriod = Duration(time.Duration(*ms.InstanceWarmupPeriod) * time.Second)
		}
	}
	return cp, true
}

func (im *importer) targetGroup(s sourced[awsTargetGroup]) *LoadBalancer {
	tg := s.v
	lb := &LoadBalancer{}
	switch tg.Protocol {
	case "HTTP", "HTTPS", "":
		lb.Type = loadbalancer.ALB
	case "TCP", "TLS", "UDP", "TCP_UDP":
		lb.Type = loadbalancer.NLB
	default:
		im.fail(sub(s.where, "Protocol"), "%q: a target group of an ALB (HTTP, HTTPS) or an NLB (TCP, TLS, UDP) is simulated", tg.Protocol)
	}
	lb.HealthCheck = &HealthCheck{
		Interval:         Duration(time.Duration(tg.HealthCheckIntervalSeconds) * time.Second),
		Timeout:          Duration(time.Duration(tg.HealthCheckTimeoutSeconds) * time.Second),
		HealthyThreshold: tg.HealthyThresholdCount, UnhealthyThreshold: tg.UnhealthyThresholdCount,
	}
	return lb
}

// matchTargetGroup is the target group a file of attributes is about: the
// one whose name is in the file's name (the longest), or the only one.
func (im *importer) matchTargetGroup(file string) *sourced[awsTargetGroup] {
	best := matchByFileName(file, im.targetGroups, func(tg awsTargetGroup) string { return tg.TargetGroupName })
	if best == nil {
		im.fail(file, "target group attributes name no target group: put the target group's name in the file's name (%d target groups imported)", len(im.targetGroups))
	}
	return best
}

// matchByFileName is the item whose name is in the file's base name (the
// longest such name, so that "web" does not take "web-admin"'s file), or
// the only item; nil if neither.
func matchByFileName[T any](file string, items []sourced[T], name func(T) string) *sourced[T] {
	var best *sourced[T]
	for i := range items {
		it := &items[i]
		if n := name(it.v); strings.Contains(path.Base(file), n) && (best == nil || len(n) > len(name(best.v))) {
			best = it
		}
	}
	if best == nil && len(items) == 1 {
		best = &items[0]
	}
	return best
}

// attributes applies describe-target-group-attributes to a target group.
func (im *importer) attributes(s sourced[[]awsAttribute], lb *LoadBalancer) {
	for i, a := range s.v {
		where := fmt.Sprintf("%s: Attributes[%d] %s", s.file, i, a.Key)
		seconds := func() Duration {
			n, err := strconv.Atoi(a.Value)
			if err != nil || n < 0 {
				im.fail(where, "%q: want a whole number of seconds", a.Value)
			}
			return Duration(time.Duration(n) * time.Second)
		}
		switch a.Key {
		case "deregistration_delay.timeout_seconds":
			d := seconds()
			lb.DeregistrationDelay = &d
		case "slow_start.duration_seconds":
			lb.SlowStart = seconds()
		case "load_balancing.algorithm.type":
			lb.Algorithm = enum[loadbalancer.Algorithm](im, where, a.Value)
		default:
			im.out.Ignored = append(im.out.Ignored, where)
		}
	}
}

func (im *importer) service(s sourced[awsService], tdRef map[string]string, tgs, classics map[string]*LoadBalancer, resolveCP func(string, string) string) Service {
	v := s.v
	cluster := "default" // ECS's, when create-service names none
	switch {
	case v.ClusterArn != "":
		cluster = lastPart(v.ClusterArn)
	case v.Cluster != "":
		cluster = lastPart(v.Cluster)
	}
	svc := Service{Cluster: cluster, Name: v.ServiceName, SchedulingStrategy: enum[sim.SchedulingStrategy](im, sub(s.where, "schedulingStrategy"), v.SchedulingStrategy),
		LaunchType: enum[sim.LaunchType](im, sub(s.where, "launchType"), v.LaunchType), AvailabilityZoneRebalancing: enum[sim.AZRebalancing](im, sub(s.where, "availabilityZoneRebalancing"), v.AvailabilityZoneRebalancing)}
	if v.DesiredCount != nil {
		svc.DesiredCount = *v.DesiredCount
	}
	family, rev := taskDefinitionRef(v.TaskDefinition)
	switch ref := tdRef[v.TaskDefinition]; {
	case ref != "":
		svc.TaskDefinition = ref
	case tdRef[fmt.Sprintf("%s:%d", family, rev)] != "":
		svc.TaskDefinition = tdRef[fmt.Sprintf("%s:%d", family, rev)]
	case rev == 0 && slices.ContainsFunc(im.taskDefs, func(t sourced[awsTaskDefinition]) bool { return t.v.Family == family }):
		svc.TaskDefinition = family // the latest revision
	case tdRef[family+":0"] != "":
		// A register-task-definition input has no revision yet: it is
		// the revision the service names.
		svc.TaskDefinition = tdRef[family+":0"]
		im.out.Assumed = append(im.out.Assumed, fmt.Sprintf("service %s: task definition %s:%d is the imported register-task-definition input of family %s", v.ServiceName, family, rev, family))
	default:
		im.fail(sub(s.where, "taskDefinition"), "%q is not among the imported task definitions (add aws ecs describe-task-definition --task-definition %s)", v.TaskDefinition, strings.TrimPrefix(lastPartTD(v.TaskDefinition), "/"))
	}
	for i, it := range v.CapacityProviderStrategy {
		svc.CapacityProviderStrategy = append(svc.CapacityProviderStrategy, StrategyItem{
			CapacityProvider: resolveCP(sub(s.where, fmt.Sprintf("capacityProviderStrategy[%d]", i)), it.CapacityProvider), Base: it.Base, Weight: it.Weight})
	}
	for _, st := range v.PlacementStrategy {
		svc.PlacementStrategy = append(svc.PlacementStrategy, Strategy{Type: enum[placement.StrategyType](im, sub(s.where, "placementStrategy"), st.Type), Field: st.Field})
	}
	for _, c := range v.PlacementConstraints {
		svc.PlacementConstraints = append(svc.PlacementConstraints, Constraint{Type: enum[placement.ConstraintType](im, sub(s.where, "placementConstraints"), c.Type), Expression: c.Expression})
	}
	if dc := v.DeploymentConfiguration; dc != nil {
		svc.DeploymentConfiguration = &DeploymentConfiguration{MinimumHealthyPercent: dc.MinimumHealthyPercent, MaximumPercent: dc.MaximumPercent}
		if cb := dc.DeploymentCircuitBreaker; cb != nil {
			svc.DeploymentConfiguration.CircuitBreaker = &struct {
				Enable   bool `json:"enable"`
				Rollback bool `json:"rollback"`
			}{cb.Enable, cb.Rollback}
		}
	}
	svc.PlatformVersion = v.PlatformVersion
	if nc := v.NetworkConfiguration; nc != nil && nc.AwsvpcConfiguration != nil {
		a := nc.AwsvpcConfiguration
		svc.NetworkConfiguration = &NetworkConfiguration{AwsvpcConfiguration: &AwsvpcConfiguration{
			Subnets: a.Subnets, SecurityGroups: a.SecurityGroups, AssignPublicIp: a.AssignPublicIp}}
	}
	if g := v.HealthCheckGracePeriodSeconds; g != nil {
		svc.HealthCheckGracePeriod = Duration(time.Duration(*g) * time.Second)
	}
	for i, lb := range v.LoadBalancers {
		where := sub(s.where, fmt.Sprintf("loadBalancers[%d]", i))
		if i > 0 {
			im.out.Ignored = append(im.out.Ignored, where+" (one target group per service is simulated)")
			continue
		}
		if lb.TargetGroupArn == "" && lb.LoadBalancerName != "" {
			c := classics[lb.LoadBalancerName]
			if c == nil {
				c = &LoadBalancer{Type: loadbalancer.CLB}
				im.out.Assumed = append(im.out.Assumed, fmt.Sprintf("service %s: Classic Load Balancer %s not described (aws elb describe-load-balancers --load-balancer-names %s); its health check and connection draining are the CLB defaults",
					v.ServiceName, lb.LoadBalancerName, lb.LoadBalancerName))
			}
			cp := *c
			svc.LoadBalancer = &cp
			continue
		}
		tg := tgs[lb.TargetGroupArn]
		if tg == nil {
			im.fail(sub(where, "targetGroupArn"), "%q is not among the imported target groups (add aws elbv2 describe-target-groups --target-group-arns %s)", lb.TargetGroupArn, lb.TargetGroupArn)
			continue
		}
		c := *tg
		svc.LoadBalancer = &c
	}
	return svc
}

// traffic gives each traffic series to its service: the one whose name
// is in the file's name (the longest), or the only one behind a load
// balancer. The scenario starts at the earliest datapoint.
func (im *importer) traffic(sc *Scenario) {
	if len(im.series) == 0 {
		return
	}
	start := im.series[0].v.times[0]
	for _, s := range im.series {
		start = minTime(start, s.v.times[0])
	}
	// The service starts before the first datapoint, and the traffic
	// with it once the tasks run: a run that opened with the traffic on
	// and no task running would report 5xx the real service never had.
	sc.Start = start.Add(-importWarmUp)
	im.out.Assumed = append(im.out.Assumed, fmt.Sprintf("start: %v before the first datapoint, the traffic delayed as long (traffic.delay) so that the tasks run when it comes", importWarmUp))
	work := cmp.Or(im.opt.Work, 20*time.Millisecond)
	if im.opt.Work == 0 {
		im.out.Assumed = append(im.out.Assumed, fmt.Sprintf("traffic work: %v of CPU per request at one vCPU, every service (import -work; measure it from CPUUtilization and RequestCount)", work))
	}
	mode := cmp.Or(im.opt.Mode, "fluid")
	if im.opt.Mode == "" {
		im.out.Assumed = append(im.out.Assumed, "traffic mode: fluid (queueing formulas per step; -mode request simulates every request)")
	}
	for _, s := range im.series {
		i := -1
		for j, svc := range sc.Services {
			if strings.Contains(path.Base(s.file), svc.Name) && (i < 0 || len(svc.Name) > len(sc.Services[i].Name)) {
				i = j
			}
		}
		if i < 0 {
			withLB := []int{}
			for j, svc := range sc.Services {
				if svc.LoadBalancer != nil {
					withLB = append(withLB, j)
				}
			}
			if len(withLB) == 1 {
				i = withLB[0]
			}
		}
		if i < 0 {
			im.fail(s.file, "a traffic series names no service: put the service's name in the file's name")
			continue
		}
		svc := &sc.Services[i]
		if svc.Traffic != nil {
			im.fail(s.file, "service %s has a traffic series already", svc.Name)
			continue
		}
		if svc.LoadBalancer == nil {
			im.fail(s.file, "service %s has no load balancer (loadBalancers with an imported target group) for its traffic", svc.Name)
			continue
		}
		period := time.Duration(math.MaxInt64)
		for k := 1; k < len(s.v.times); k++ {
			if d := s.v.times[k].Sub(s.v.times[k-1]); d > 0 {
				period = min(period, d)
			}
		}
		if period == time.Duration(math.MaxInt64) {
			im.fail(s.file, "the datapoints share one timestamp")
			continue
		}
		var steps []RatePoint
		for k, t := range s.v.times {
			steps = append(steps, RatePoint{At: Duration(t.Sub(start)), PerSecond: s.v.counts[k] / period.Seconds()})
		}
		if steps[0].At > 0 {
			steps = append([]RatePoint{{At: 0, PerSecond: 0}}, steps...)
		}
		svc.Traffic = &Traffic{Mode: enum[sim.WorkloadMode](im, "import mode", mode), Rate: Rate{Steps: steps}, Work: Work{Mean: Duration(work)},
			Delay: Duration(importWarmUp)}
		im.out.Assumed = append(im.out.Assumed, fmt.Sprintf("service %s: traffic from %s (%s), a count per %v read as its rate over the period", svc.Name, s.file, cmp.Or(s.v.label, "a metric"), period))
	}
}

// importWarmUp is how long an imported scenario runs before its traffic.
const importWarmUp = 5 * time.Minute

// seriesSpan is from the earliest datapoint to the end of the latest
// period.
func (im *importer) seriesSpan() time.Duration {
	if len(im.series) == 0 {
		return 0
	}
	first, last := im.series[0].v.times[0], im.series[0].v.times[0]
	var period time.Duration
	for _, s := range im.series {
		t := s.v.times
		first, last = minTime(first, t[0]), maxTime(last, t[len(t)-1])
		period = max(period, t[1].Sub(t[0]))
	}
	return last.Sub(first) + period
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// enum reads an AWS enumerated value into the module's type; "" is the
// type's default. A name the type does not know is an error at where.
func enum[T any, PT interface {
	*T
	encoding.TextUnmarshaler
}](im *importer, where, s string) T {
	var v T
	if s == "" {
		return v
	}
	if err := PT(&v).UnmarshalText([]byte(s)); err != nil {
		rule := fieldErrors(err)[0].Rule
		im.fail(where, "%q: %s", s, rule)
	}
	return v
}

// scaling attaches the scalable targets, policies and scheduled actions
// to their services by resource ID ("service/cluster/name").
func (im *importer) scaling(sc *Scenario, svcIndex map[string]int) {
	const dimension = "ecs:service:DesiredCount"
	service := func(where, namespace, dim, resource string) *Service {
		if namespace != "ecs" || dim != "" && dim != dimension {
			im.out.Ignored = append(im.out.Ignored, fmt.Sprintf("%s (%s %s: not an ECS service's desired count)", where, namespace, dim))
			return nil
		}
		key, ok := strings.CutPrefix(resource, "service/")
		i, found := svcIndex[key]
		if !ok || !found {
			im.fail(sub(where, "ResourceId"), "%q is not an imported service (add aws ecs describe-services for it)", resource)
			return nil
		}
		return &sc.Services[i]
	}
	for _, t := range im.targets {
		svc := service(t.where, t.v.ServiceNamespace, t.v.ScalableDimension, t.v.ResourceID)
		if svc == nil {
			continue
		}
		if svc.AutoScaling != nil {
			im.fail(t.where, "a second scalable target for service %s", svc.Name)
			continue
		}
		svc.AutoScaling = &AutoScaling{MinCapacity: derefOr(t.v.MinCapacity, 0), MaxCapacity: derefOr(t.v.MaxCapacity, 0)}
	}
	target := func(where, namespace, dim, resource string) *AutoScaling {
		svc := service(where, namespace, dim, resource)
		if svc == nil {
			return nil
		}
		if svc.AutoScaling == nil {
			im.fail(sub(where, "ResourceId"), "%q has no imported scalable target (add aws application-autoscaling describe-scalable-targets --service-namespace ecs)", resource)
		}
		return svc.AutoScaling
	}
	for _, p := range im.policies {
		as := target(p.where, p.v.ServiceNamespace, p.v.ScalableDimension, p.v.ResourceID)
		if as == nil {
			continue
		}
		switch p.v.PolicyType {
		case "TargetTrackingScaling":
			im.targetTracking(p, as)
		case "StepScaling":
			im.stepScaling(p, as)
		case "PredictiveScaling":
			im.predictive(p, as)
		default:
			im.fail(sub(p.where, "PolicyType"), "%q: TargetTrackingScaling, StepScaling and PredictiveScaling are simulated", p.v.PolicyType)
		}
	}
	for _, a := range im.scheduled {
		as := target(a.where, a.v.ServiceNamespace, a.v.ScalableDimension, a.v.ResourceID)
		if as == nil {
			continue
		}
		sa := ScheduledAction{Name: a.v.ScheduledActionName, Schedule: a.v.Schedule, Timezone: a.v.Timezone}
		if t := a.v.ScalableTargetAction; t != nil {
			sa.MinCapacity, sa.MaxCapacity = t.MinCapacity, t.MaxCapacity
		}
		as.ScheduledActions = append(as.ScheduledActions, sa)
	}
}

func derefOr[T any](p *T, or T) T {
	if p == nil {
		return or
	}
	return *p
}

func seconds(p *int) Duration {
	if p == nil {
		return 0
	}
	return Duration(time.Duration(*p) * time.Second)
}

func (im *importer) targetTracking(p sourced[awsScalingPolicy], as *AutoScaling) {
	c := p.v.TargetTrackingScalingPolicyConfiguration
	where := p.where + ".TargetTrackingScalingPolicyConfiguration"
	if c == nil {
		im.fail(where, "is missing")
		return
	}
	tt := TargetTracking{Name: p.v.PolicyName,
		TargetValue: c.TargetValue, ScaleOutCooldown: seconds(c.ScaleOutCooldown), ScaleInCooldown: seconds(c.ScaleInCooldown),
		DisableScaleIn: c.DisableScaleIn}
	switch cm := c.CustomizedMetricSpecification; {
	case c.PredefinedMetricSpecification != nil:
		tt.Metric = enum[autoscale.PredefinedMetric](im, sub(where, "PredefinedMetricSpecification.PredefinedMetricType"), c.PredefinedMetricSpecification.PredefinedMetricType)
	case cm == nil:
		im.fail(where, "needs PredefinedMetricSpecification or CustomizedMetricSpecification")
		return
	case len(cm.Metrics) > 0 && string(cm.Metrics) != "null":
		im.fail(sub(where, "CustomizedMetricSpecification.Metrics"), "metric math is not simulated; name one metric (MetricName, Namespace, Dimensions, Statistic)")
		return
	default:
		tt.CustomizedMetric = &CustomizedMetric{Namespace: cm.Namespace, MetricName: cm.MetricName, Statistic: cm.Statistic, Dimensions: dimensions(cm.Dimensions)}
	}
	as.TargetTracking = append(as.TargetTracking, tt)
}

func dimensions(ds []awsDimension) []MetricDimension {
	var out []MetricDimension
	for _, d := range ds {
		out = append(out, MetricDimension(d))
	}
	return out
}

// ecsMetrics maps a CloudWatch metric an alarm watches to the predefined
// metric of the same figure.
var ecsMetrics = map[string]autoscale.PredefinedMetric{
	"AWS/ECS CPUUtilization":                   autoscale.ECSServiceAverageCPUUtilization,
	"AWS/ECS MemoryUtilization":                autoscale.ECSServiceAverageMemoryUtilization,
	"AWS/ApplicationELB RequestCountPerTarget": autoscale.ALBRequestCountPerTarget,
}

func (im *importer) stepScaling(p sourced[awsScalingPolicy], as *AutoScaling) {
	c := p.v.StepScalingPolicyConfiguration
	where := p.where + ".StepScalingPolicyConfiguration"
	if c == nil {
		im.fail(where, "is missing")
		return
	}
	// The alarm: named by the policy (describe-scaling-policies), or
	// whose actions name the policy (a put-scaling-policy input has no
	// ARN yet).
	var alarm *sourced[awsAlarm]
	for i := range im.alarms {
		a := &im.alarms[i]
		named := slices.ContainsFunc(p.v.Alarms, func(r awsAlarmRef) bool {
			return r.AlarmName == a.v.AlarmName || r.AlarmARN == a.v.AlarmArn && r.AlarmARN != ""
		})
		acts := slices.ContainsFunc(a.v.AlarmActions, func(arn string) bool {
			return arn == p.v.PolicyARN && arn != "" || strings.HasSuffix(arn, "resource/ecs/"+p.v.ResourceID+":policyName/"+p.v.PolicyName)
		})
		if named || acts {
			alarm = a
			break
		}
	}
	if alarm == nil {
		names := []string{}
		for _, r := range p.v.Alarms {
			names = append(names, r.AlarmName)
		}
		im.fail(p.where, "step scaling policy %s: its CloudWatch alarm is not among the imported (add aws cloudwatch describe-alarms --alarm-names %s)", p.v.PolicyName, strings.Join(names, " "))
		return
	}
	a := alarm.v
	metric, predefined := ecsMetrics[a.Namespace+" "+a.MetricName]
	if !predefined && !slices.Contains(PublishedMetrics[a.Namespace], a.MetricName) {
		im.fail(alarm.where, "metric %s %s: the simulated alarms watch a metric the simulation publishes for the service (scenario.PublishedMetrics: AWS/ECS CPUUtilization, AWS/ApplicationELB TargetResponseTime, ...)", a.Namespace, a.MetricName)
		return
	}
	st := StepScaling{Name: p.v.PolicyName, Metric: metric, Statistic: cmp.Or(a.ExtendedStatistic, a.Statistic),
		Period: Duration(time.Duration(a.Period) * time.Second), EvaluationPeriods: a.EvaluationPeriods, DatapointsToAlarm: a.DatapointsToAlarm,
		Threshold:              a.Threshold,
		ComparisonOperator:     enum[metrics.ComparisonOperator](im, sub(alarm.where, "ComparisonOperator"), a.ComparisonOperator),
		TreatMissingData:       enum[metrics.MissingData](im, sub(alarm.where, "TreatMissingData"), a.TreatMissingData),
		AdjustmentType:         enum[autoscale.AdjustmentType](im, sub(where, "AdjustmentType"), c.AdjustmentType),
		MinAdjustmentMagnitude: c.MinAdjustmentMagnitude,
	}
	if !predefined {
		st.Metric, st.Statistic = 0, ""
		st.CustomizedMetric = &CustomizedMetric{Namespace: a.Namespace, MetricName: a.MetricName,
			Statistic: cmp.Or(a.ExtendedStatistic, a.Statistic), Dimensions: dimensions(a.Dimensions)}
	}
	if c.Cooldown != nil {
		d := seconds(c.Cooldown)
		st.Cooldown = &d
	}
	for _, s := range c.StepAdjustments {
		st.StepAdjustments = append(st.StepAdjustments, StepAdjustment(s))
	}
	as.StepScaling = append(as.StepScaling, st)
}

// network makes the scenario's subnets: those of describe-subnets output,
// and for a subnet a service names that no output describes, an assumed
// /24 in one of the service's zones (said in Import.Assumed).
func (im *importer) network(sc *Scenario) {
	described := map[string]bool{}
	for _, s := range im.subnets {
		v := s.v
		if described[v.SubnetID] {
			im.fail(sub(s.where, "SubnetId"), "%q is described twice", v.SubnetID)
			continue
		}
		described[v.SubnetID] = true
		sn := Subnet{SubnetId: v.SubnetID, AvailabilityZone: v.AvailabilityZone, CidrBlock: v.CidrBlock, Public: v.MapPublicIPOnLaunch}
		if n := v.AvailableIPAddressCount; n != nil {
			if prefix, err := netipPrefix(v.CidrBlock); err == nil {
				if usable := sim.UsableAddresses(prefix); *n < usable {
					sn.ReservedAddresses = usable - *n
					im.out.Assumed = append(im.out.Assumed, fmt.Sprintf("subnet %s: %d of its %d addresses reserved, as AvailableIpAddressCount %d says (it counts the tasks running when described, which the simulation starts anew)",
						v.SubnetID, sn.ReservedAddresses, usable, *n))
				}
			}
		}
		sc.Subnets = append(sc.Subnets, sn)
	}
	if len(im.subnets) > 0 {
		im.out.Assumed = append(im.out.Assumed, "subnets: public when MapPublicIpOnLaunch is true (describe-subnets does not show the route table)")
	}
	next := 0 // the third octet of the next assumed 10.0.x.0/24
	for _, svc := range sc.Services {
		nc := svc.NetworkConfiguration
		if nc == nil || nc.AwsvpcConfiguration == nil {
			continue
		}
		zones := im.serviceZones(sc, svc)
		for i, id := range nc.AwsvpcConfiguration.Subnets {
			if described[id] {
				continue
			}
			described[id] = true
			zone := zones[i%len(zones)]
			sc.Subnets = append(sc.Subnets, Subnet{SubnetId: id, AvailabilityZone: zone, CidrBlock: fmt.Sprintf("10.0.%d.0/24", next%256)})
			im.out.Assumed = append(im.out.Assumed, fmt.Sprintf("subnet %s (service %s): not described (aws ec2 describe-subnets --subnet-ids %s); a /24 (%d addresses) in %s",
				id, svc.Name, id, sim.UsableAddresses(24), zone))
			next++
		}
	}
}

// serviceZones are the zones a service's tasks can run in: its capacity
// provider's, else its cluster's (for Fargate) or its instances' (for
// EC2), else the world's Fargate defaults.
func (im *importer) serviceZones(sc *Scenario, svc Service) []string {
	for _, it := range svc.CapacityProviderStrategy {
		for _, cp := range sc.CapacityProviders {
			if cp.Name == it.CapacityProvider && len(cp.Zones) > 0 {
				return cp.Zones
			}
		}
	}
	for _, c := range sc.Clusters {
		if c.Name != svc.Cluster {
			continue
		}
		if svc.LaunchType == sim.EC2 {
			var zones []string
			for _, g := range c.Instances {
				for _, z := range g.Zones {
					if !slices.Contains(zones, z) {
						zones = append(zones, z)
					}
				}
			}
			if len(zones) > 0 {
				return zones
			}
		}
		if len(c.Zones) > 0 {
			return c.Zones
		}
	}
	return sim.DefaultFargateZones
}

// netipPrefix is the prefix length of an IPv4 CIDR block.
func netipPrefix(cidr string) (int, error) {
	p, err := netip.ParsePrefix(cidr)
	if err != nil {
		return 0, err
	}
	return p.Bits(), nil
}

// classic is a Classic Load Balancer of describe-load-balancers: its
// health check, and the algorithm of its first listener's protocol
// (least outstanding requests for HTTP and HTTPS, round robin for TCP
// and SSL).
func (im *importer) classic(s sourced[awsCLB]) *LoadBalancer {
	lb := &LoadBalancer{Type: loadbalancer.CLB}
	if hc := s.v.HealthCheck; hc != nil {
		lb.HealthCheck = &HealthCheck{Interval: seconds(&hc.Interval), Timeout: seconds(&hc.Timeout),
			HealthyThreshold: hc.HealthyThreshold, UnhealthyThreshold: hc.UnhealthyThreshold}
	}
	for i, l := range s.v.ListenerDescriptions {
		if l.Listener == nil {
			continue
		}
		where := sub(s.where, fmt.Sprintf("ListenerDescriptions[%d].Listener.Protocol", i))
		var alg loadbalancer.Algorithm
		switch l.Listener.Protocol {
		case "HTTP", "HTTPS":
			alg = loadbalancer.LeastOutstandingRequests
		case "TCP", "SSL":
			alg = loadbalancer.RoundRobin
		default:
			im.fail(where, "%q: a Classic listener is HTTP, HTTPS, TCP or SSL", l.Listener.Protocol)
			continue
		}
		if i == 0 {
			lb.Algorithm = alg
		} else if alg != lb.Algorithm {
			im.out.Assumed = append(im.out.Assumed, fmt.Sprintf("load balancer %s: routes as its first listener (%s), not as %s", s.v.LoadBalancerName,
				s.v.ListenerDescriptions[0].Listener.Protocol, where))
		}
	}
	return lb
}

// matchClassic is the Classic Load Balancer a file of attributes is
// about: the one whose name is in the file's name (the longest), or the
// only one.
func (im *importer) matchClassic(file string) *sourced[awsCLB] {
	best := matchByFileName(file, im.classics, func(c awsCLB) string { return c.LoadBalancerName })
	if best == nil {
		im.fail(file, "load balancer attributes name no Classic Load Balancer: put its name in the file's name (%d described by aws elb describe-load-balancers)", len(im.classics))
	}
	return best
}

// classicAttributes applies describe-load-balancer-attributes: connection
// draining is the deregistration delay (none when disabled).
func (im *importer) classicAttributes(s sourced[awsCLBAttributes], lb *LoadBalancer) {
	cd := s.v.ConnectionDraining
	if cd == nil {
		return
	}
	var d Duration
	if cd.Enabled {
		if cd.Timeout == nil || *cd.Timeout < 1 || *cd.Timeout > 3600 {
			im.fail(sub(s.where, "ConnectionDraining.Timeout"), "%v: want 1 to 3600 seconds when draining is enabled", derefOr(cd.Timeout, 0))
			return
		}
		d = seconds(cd.Timeout)
	}
	lb.DeregistrationDelay = &d
}

// groupInstances puts the instances of each Auto Scaling group no
// capacity provider names into the cluster, as an ECS cluster's
// instances outside a capacity provider (a Classic Load Balancer's
// service needs them: it cannot use a capacity provider). The group's
// output does not name its cluster (the instances' user data does), so
// there must be one cluster.
func (im *importer) groupInstances(sc *Scenario) {
	for _, g := range im.groups {
		named := slices.ContainsFunc(im.providers, func(cp sourced[awsCapacityProvider]) bool {
			p := cp.v.AutoScalingGroupProvider
			return p != nil && (p.AutoScalingGroupArn == g.v.AutoScalingGroupARN || p.AutoScalingGroupArn == g.v.AutoScalingGroupName ||
				strings.HasSuffix(p.AutoScalingGroupArn, ":autoScalingGroupName/"+g.v.AutoScalingGroupName))
		})
		if named {
			continue
		}
		if len(sc.Clusters) != 1 {
			im.fail(g.where, "Auto Scaling group %s is no capacity provider's, and its cluster is not in this output: import it with its one cluster", g.v.AutoScalingGroupName)
			continue
		}
		// One instance group per type and zone, in the order met.
		type key struct{ typ, zone string }
		var order []key
		count := map[key]int{}
		for _, in := range g.v.Instances {
			k := key{in.InstanceType, in.AvailabilityZone}
			if count[k] == 0 {
				order = append(order, k)
			}
			count[k]++
		}
		c := &sc.Clusters[0]
		for _, k := range order {
			c.Instances = append(c.Instances, InstanceGroup{Type: k.typ, Count: count[k], Zones: []string{k.zone}})
		}
		im.out.Assumed = append(im.out.Assumed, fmt.Sprintf("Auto Scaling group %s: its %d instances are cluster %s's, at a fixed count (no capacity provider scales them)",
			g.v.AutoScalingGroupName, len(g.v.Instances), c.Name))
	}
}

// efs makes the scenario's file systems: those of describe-file-systems
// output, with the zones of their describe-mount-targets output, and for
// a file system a volume names that no output describes, an assumed one
// (elastic throughput, a mount target in every zone), said in
// Import.Assumed.
func (im *importer) efs(sc *Scenario) {
	described := map[string]bool{}
	for _, f := range im.fileSystems {
		v := f.v
		if described[v.FileSystemID] {
			im.fail(sub(f.where, "FileSystemId"), "%q is described twice", v.FileSystemID)
			continue
		}
		described[v.FileSystemID] = true
		fs := FileSystem{FileSystemID: v.FileSystemID, ThroughputMode: sim.ThroughputMode(v.ThroughputMode),
			ProvisionedThroughputInMibps: derefOr(v.ProvisionedThroughputInMibps, 0)}
		if sz := v.SizeInBytes; sz != nil {
			// Bursting throughput scales with the data in the Standard
			// class; Value, the whole metered size, stands in when the
			// output has no split.
			fs.SizeInGiB = derefOr(sz.ValueInStandard, sz.Value) / (1 << 30)
		}
		for _, mt := range im.mountTargets {
			if mt.v.FileSystemID == v.FileSystemID && !slices.ContainsFunc(fs.MountTargets, func(m MountTarget) bool { return m.AvailabilityZoneName == mt.v.AvailabilityZoneName }) {
				fs.MountTargets = append(fs.MountTargets, MountTarget{AvailabilityZoneName: mt.v.AvailabilityZoneName})
			}
		}
		if len(fs.MountTargets) == 0 {
			im.out.Assumed = append(im.out.Assumed, fmt.Sprintf("file system %s: mount targets in every zone (add aws efs describe-mount-targets --file-system-id %s)", v.FileSystemID, v.FileSystemID))
		}
		sc.FileSystems = append(sc.FileSystems, fs)
	}
	for _, mt := range im.mountTargets {
		if !described[mt.v.FileSystemID] {
			im.fail(sub(mt.where, "FileSystemId"), "%q is not among the imported file systems (add aws efs describe-file-systems --file-system-id %s)", mt.v.FileSystemID, mt.v.FileSystemID)
		}
	}
	volumes := false
	for _, td := range sc.TaskDefinitions {
		for _, vol := range td.Volumes {
			e := vol.EFSVolumeConfiguration
			if e == nil {
				continue
			}
			volumes = true
			if described[e.FileSystemID] {
				continue
			}
			described[e.FileSystemID] = true
			sc.FileSystems = append(sc.FileSystems, FileSystem{FileSystemID: e.FileSystemID})
			im.out.Assumed = append(im.out.Assumed, fmt.Sprintf("file system %s (task definition %s): not described (aws efs describe-file-systems --file-system-id %s); elastic throughput, a mount target in every zone",
				e.FileSystemID, td.Family, e.FileSystemID))
		}
	}
	if volumes {
		im.out.Assumed = append(im.out.Assumed, "EFS volumes: mounted, with no request I/O on them (traffic.io: AWS's output does not say how much a request reads and writes)")
	}
}

// predictive reads a predictive scaling policy with a predefined metric
// pair; AWS allows one metric specification per policy.
func (im *importer) predictive(p sourced[awsScalingPolicy], as *AutoScaling) {
	c := p.v.PredictiveScalingPolicyConfiguration
	where := p.where + ".PredictiveScalingPolicyConfiguration"
	if c == nil {
		im.fail(where, "is missing")
		return
	}
	if len(c.MetricSpecifications) != 1 {
		im.fail(sub(where, "MetricSpecifications"), "holds %d specifications; a predictive policy has one", len(c.MetricSpecifications))
		return
	}
	m := c.MetricSpecifications[0]
	mwhere := sub(where, "MetricSpecifications[0]")
	if m.PredefinedMetricPairSpecification == nil {
		im.fail(mwhere, "separate scaling and load metrics, or customized ones, are not simulated; use PredefinedMetricPairSpecification (ECSServiceCPUUtilization, ECSServiceMemoryUtilization or ALBRequestCount)")
		return
	}
	ps := PredictiveScaling{Name: p.v.PolicyName, TargetValue: m.TargetValue,
		Mode:                      enum[autoscale.PredictiveMode](im, sub(where, "Mode"), c.Mode),
		MetricPair:                enum[autoscale.PredictiveMetricPair](im, sub(mwhere, "PredefinedMetricPairSpecification.PredefinedMetricType"), m.PredefinedMetricPairSpecification.PredefinedMetricType),
		MaxCapacityBreachBehavior: enum[autoscale.MaxCapacityBreach](im, sub(where, "MaxCapacityBreachBehavior"), c.MaxCapacityBreachBehavior),
		MaxCapacityBuffer:         derefOr(c.MaxCapacityBuffer, 0)}
	if c.SchedulingBufferTime != nil {
		d := seconds(c.SchedulingBufferTime)
		ps.SchedulingBufferTime = &d
	}
	as.Predictive = append(as.Predictive, ps)
}
