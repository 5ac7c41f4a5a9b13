package sim

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/ecssim/ecssim/internal/fielderr"
	"github.com/ecssim/ecssim/placement"
)

// Validation. Every call that takes a value from the user checks it before
// it changes anything, and reports every problem at once: each a
// *fielderr.Error that names the field (as the caller wrote it, with the
// path into nested values: "ServiceConfig.DesiredCount",
// "TaskDefinitionInput.Containers[2].CPU"), shows the value and states the
// rule, and matches sim's sentinel for the call (ErrConfig and the errors
// that wrap it, or ErrNotFound, ErrNotSupported, ErrZoneUnavailable) with
// errors.Is. Errors of the leaf packages (placement, loadbalancer, capacity,
// traffic, autoscale) keep their value and rule, take the caller's field
// path and match both their own sentinel and sim's.
//
// References are checked too: an object of another World, a deleted service
// or a deregistered instance is refused where a live one of this world is
// needed, and an object that may be wired once (a Scaler, a LoadBalancer, an
// Attacher, a Workload's LoadBalancer) is refused the second time.

// sentinels is the sentinel of a leaf's field error re-labelled for sim: it
// reads as sim's, and matches both.
type sentinels struct{ sim, leaf error }

func (s sentinels) Error() string   { return s.sim.Error() }
func (s sentinels) Unwrap() []error { return []error{s.sim, s.leaf} }

// joinLeaf adds to l the problems a leaf package reported about a value
// it calls root (its type's name, "StartLatency"; "" when it names fields
// alone) and the caller calls field: each *fielderr.Error keeps its value
// and rule, has root replaced by field in its own field name
// ("StartLatency.ImageSizeMB" becomes
// "WorldConfig.Capacity.StartLatency.ImageSizeMB") and matches sentinel as
// well as the leaf's sentinel; any other error is wrapped with sentinel and
// field.
func joinLeaf(l *fielderr.List, sentinel error, field, root string, err error) {
	if err == nil {
		return
	}
	if errs := joined(err); errs != nil {
		for _, e := range errs {
			joinLeaf(l, sentinel, field, root, e)
		}
		return
	}
	fe, ok := err.(*fielderr.Error)
	if !ok {
		// A leaf error that is no field error (a query's *ParseError) is
		// kept whole, under the caller's field.
		l.Join(&fielderr.Error{Err: sentinels{sentinel, err}, Field: field, Value: fielderr.Omit, Rule: err.Error()})
		return
	}
	c := *fe
	rest, ok := strings.CutPrefix(c.Field, root)
	switch {
	case root != "" && ok && (rest == "" || rest[0] == '.' || rest[0] == '['):
		c.Field = field + rest
	case c.Field == "":
		c.Field = field
	case field == "":
	default:
		c.Field = field + "." + c.Field
	}
	if c.Err == nil {
		c.Err = sentinel
	} else if !errors.Is(c.Err, sentinel) {
		c.Err = sentinels{sentinel, c.Err}
	}
	l.Join(&c)
}

// zoneRule is the rule an Availability Zone name breaks, or "". A zone
// becomes the ecs.availability-zone attribute of the instances launched in
// it, and "subnet-<zone>" their ecs.subnet-id, so both must be valid
// attribute values
// (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Attribute.html).
func zoneRule(zone string) string {
	err := placement.ValidateAttributes(map[string]string{placement.AttrAvailabilityZone: zone, placement.AttrSubnetID: subnetOf(zone)})
	if fes := flatten(err); len(fes) > 0 {
		return "a zone becomes the " + placement.AttrAvailabilityZone + " attribute of its instances, and subnet-<zone> their " +
			placement.AttrSubnetID + ": " + fes[0].Rule
	}
	return ""
}

// subnetOf is the simulated subnet of a zone: one VPC, one subnet per zone.
func subnetOf(zone string) string { return "subnet-" + zone }

// checkZones adds to l a zone name that is not a valid attribute value,
// and a zone that repeats an earlier one.
func checkZones(l *fielderr.List, field string, zones []string) {
	for i, z := range zones {
		f := fmt.Sprintf("%s[%d]", field, i)
		if rule := zoneRule(z); rule != "" {
			l.Add(f, z, rule)
			continue
		}
		for _, prev := range zones[:i] {
			if prev == z {
				l.Add(f, z, "repeats an earlier zone")
				break
			}
		}
	}
}

// checkAttributes adds to l the custom attributes ECS would refuse, and
// those the world sets itself.
func checkAttributes(l *fielderr.List, sentinel error, field string, attrs map[string]string) {
	joinLeaf(l, sentinel, field, "Attributes", placement.ValidateAttributes(attrs))
	for _, k := range slices.Sorted(maps.Keys(attrs)) {
		if len(k) >= 4 && k[:4] == "ecs." || k == AttrCapacityProvider {
			l.Add(field, k, "is an attribute the world sets itself (ecs.* and "+AttrCapacityProvider+")")
		}
	}
}

// addTime returns t + d, saturated at End instead of wrapping; a negative d
// counts as zero.
func addTime(t, d time.Duration) time.Duration {
	if d <= 0 {
		return t
	}
	if t > math.MaxInt64-d {
		return End
	}
	return t + d
}

// flatten returns the field errors in err, joined or not; an error that is
// not one becomes a field error without a field or value.
func flatten(err error) []*fielderr.Error {
	if err == nil {
		return nil
	}
	if errs := joined(err); errs != nil {
		var out []*fielderr.Error
		for _, e := range errs {
			out = append(out, flatten(e)...)
		}
		return out
	}
	if fe, ok := err.(*fielderr.Error); ok {
		return []*fielderr.Error{fe}
	}
	return []*fielderr.Error{{Err: err, Value: fielderr.Omit, Rule: err.Error()}}
}

// joined returns the errors errors.Join joined into err, or nil if err is
// not such a join. (fmt.Errorf with two %w verbs also unwraps to a list,
// but it is one error: its text is not its parts' lines.)
func joined(err error) []error {
	j, ok := err.(interface{ Unwrap() []error })
	if !ok {
		return nil
	}
	errs := j.Unwrap()
	msgs := make([]string, len(errs))
	for i, e := range errs {
		msgs[i] = e.Error()
	}
	if err.Error() != strings.Join(msgs, "\n") {
		return nil
	}
	return errs
}
