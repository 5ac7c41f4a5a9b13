package placement_test

import (
	"encoding"
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/ecssim/ecssim/internal/fielderr"
	"github.com/ecssim/ecssim/placement"
)

// TestEnumText round-trips every enum value through its text form, in
// ECS's spellings, and checks that an unknown spelling (including another
// case) is a field error naming the type, the text and the rule.
func TestEnumText(t *testing.T) {
	type enum interface {
		encoding.TextMarshaler
	}
	for _, tc := range []struct {
		value    enum
		text     string
		decode   func(string) (any, error)
		sentinel error
	}{
		{placement.Binpack, "binpack", decode[placement.StrategyType], placement.ErrInvalidSpec},
		{placement.Spread, "spread", decode[placement.StrategyType], placement.ErrInvalidSpec},
		{placement.Random, "random", decode[placement.StrategyType], placement.ErrInvalidSpec},
		{placement.Custom, "custom", decode[placement.StrategyType], placement.ErrInvalidSpec},
		{placement.DistinctInstance, "distinctInstance", decode[placement.ConstraintType], placement.ErrInvalidSpec},
		{placement.MemberOf, "memberOf", decode[placement.ConstraintType], placement.ErrInvalidSpec},
		{placement.CustomFilter, "custom", decode[placement.ConstraintType], placement.ErrInvalidSpec},
		{placement.Active, "ACTIVE", decode[placement.Status], placement.ErrInvalidInstance},
		{placement.Draining, "DRAINING", decode[placement.Status], placement.ErrInvalidInstance},
		{placement.Reason(""), "", decode[placement.Reason], placement.ErrUnknownReason},
		{placement.ReasonNoActiveInstance, "NO_ACTIVE_INSTANCE", decode[placement.Reason], placement.ErrUnknownReason},
		{placement.ReasonCPU, "RESOURCE:CPU", decode[placement.Reason], placement.ErrUnknownReason},
		{placement.ReasonMemory, "RESOURCE:MEMORY", decode[placement.Reason], placement.ErrUnknownReason},
		{placement.ReasonPorts, "RESOURCE:PORTS", decode[placement.Reason], placement.ErrUnknownReason},
		{placement.ReasonENI, "RESOURCE:ENI", decode[placement.Reason], placement.ErrUnknownReason},
		{placement.ReasonConstraint, "CONSTRAINT", decode[placement.Reason], placement.ErrUnknownReason},
	} {
		got, err := tc.value.MarshalText()
		if err != nil || string(got) != tc.text {
			t.Errorf("%v.MarshalText() = %q, %v; want %q", tc.value, got, err, tc.text)
		}
		back, err := tc.decode(tc.text)
		if err != nil || back != any(tc.value) {
			t.Errorf("UnmarshalText(%q) = %v, %v; want %v", tc.text, back, err, tc.value)
		}
		for _, bad := range []string{strings.ToUpper(tc.text) + "x", " " + tc.text, "Binpack"} {
			_, err := tc.decode(bad)
			var fe *fielderr.Error
			if !errors.As(err, &fe) || !errors.Is(err, tc.sentinel) || fe.Value != bad || !strings.HasPrefix(fe.Rule, "must be ") {
				t.Errorf("UnmarshalText(%q) into %T: error %v, want a field error matching %v", bad, tc.value, err, tc.sentinel)
			}
		}
	}
	// Values outside the enum do not marshal.
	for _, v := range []enum{placement.StrategyType("pack"), placement.ConstraintType(""), placement.Status(7), placement.Reason("RESOURCE:GPU")} {
		if b, err := v.MarshalText(); err == nil {
			t.Errorf("%#v.MarshalText() = %q, want an error", v, b)
		}
	}
	// String keeps its spelling.
	if placement.Active.String() != "ACTIVE" || placement.Draining.String() != "DRAINING" {
		t.Errorf("Status.String changed: %s, %s", placement.Active, placement.Draining)
	}
}

// decode unmarshals text into a fresh T.
func decode[T any, P interface {
	*T
	encoding.TextUnmarshaler
}](text string) (any, error) {
	var v T
	err := P(&v).UnmarshalText([]byte(text))
	return v, err
}

// TestRegressionAttributeRules: an attribute with an empty name was accepted
// by callers that did not register at once (sim.LaunchInstance) and made
// the later registration fail inside a run; names and values also took
// characters ECS refuses. ValidateAttributes, Register and SetAttribute now
// apply ECS's rules (API_Attribute: name 1-128 of letters, digits, - _ / \ .;
// value 1-128 of those but / \ . also @ : and spaces, no space at either end).
func TestRegressionAttributeRules(t *testing.T) {
	long := strings.Repeat("a", placement.MaxAttributeLength)
	good := map[string]string{
		"ecs.capability.docker-remote-api.1.17": "yes", `team/ops\x_1`: "a b@c:d/e\\f.g-h_1", long: long,
	}
	if err := placement.ValidateAttributes(good); err != nil {
		t.Errorf("ECS-valid attributes refused: %v", err)
	}
	for _, tc := range []struct {
		name, value string
		field, rule string
	}{
		{"", "x", "Attributes", "attribute name must have 1 to 128 characters"},
		{long + "a", "x", "Attributes", "attribute name"},
		{"a b", "x", "Attributes", "attribute name"},
		{"a:b", "x", "Attributes", "attribute name"}, // colons are for values only
		{"a@b", "x", "Attributes", "attribute name"},
		{"k", "", `Attributes["k"]`, "attribute value must have 1 to 128 characters"},
		{"k", long + "a", `Attributes["k"]`, "attribute value"},
		{"k", "a#b", `Attributes["k"]`, "attribute value"},
		{"k", "é", `Attributes["k"]`, "attribute value"},
		{"k", " lead", `Attributes["k"]`, "must not start or end with a space"},
		{"k", "trail ", `Attributes["k"]`, "must not start or end with a space"},
	} {
		err := placement.ValidateAttributes(map[string]string{tc.name: tc.value})
		wantFieldErrors(t, err, placement.ErrInvalidInstance, []fieldRule{{tc.field, tc.rule}})

		// Register refuses it with the same rule under Instance.
		in := placement.Instance{EC2InstanceID: "i-1", InstanceType: "m5.large", Zone: "a", CPU: 1024, MemoryMiB: 1024,
			Attributes: map[string]string{tc.name: tc.value}}
		_, err = placement.NewCluster().Register(in)
		wantFieldErrors(t, err, placement.ErrInvalidInstance, []fieldRule{{"Instance." + tc.field, tc.rule}})

		// SetAttribute refuses it too, except the empty value, which deletes.
		c := build(t, []box{{zone: "a", cpu: 1024, mem: 1024}})
		err = c.SetAttribute(0, tc.name, tc.value)
		if tc.value == "" {
			if err != nil {
				t.Errorf("SetAttribute(%q, \"\") (a deletion): %v", tc.name, err)
			}
			continue
		}
		wantFieldErrors(t, err, placement.ErrInvalidInstance, []fieldRule{{tc.field, tc.rule}})
	}
	// Zone and instance type become attribute values.
	_, err := placement.NewCluster().Register(placement.Instance{EC2InstanceID: "i-1", InstanceType: "m5 large ", Zone: "a#1",
		CPU: 1024, MemoryMiB: 1024})
	wantFieldErrors(t, err, placement.ErrInvalidInstance, []fieldRule{
		{"Instance.InstanceType", "must not start or end with a space"}, {"Instance.Zone", "attribute value"}})
}

// TestRegressionHostPortZero: host port 0 means dynamic port mapping, which
// reserves no host port, but a task or an instance listing it reserved
// "port 0", and two such tasks could not share an instance.
func TestRegressionHostPortZero(t *testing.T) {
	_, err := placement.NewCluster().Register(placement.Instance{EC2InstanceID: "i-1", InstanceType: "m5.large", Zone: "a",
		CPU: 1024, MemoryMiB: 1024, ReservedPorts: []uint16{22, 0}})
	wantFieldErrors(t, err, placement.ErrInvalidInstance, []fieldRule{{"Instance.ReservedPorts", "reserves no port"}})
	c := build(t, []box{{zone: "a", cpu: 1024, mem: 1024}})
	_, err = c.Place(placement.MustCompile(placement.Spec{}), placement.Task{HostPorts: []uint16{0}, Group: c.Group("g")},
		rand.New(rand.NewPCG(1, 1)))
	wantFieldErrors(t, err, placement.ErrInvalidTask, []fieldRule{{"Task.HostPorts", "reserves no port"}})
}

// TestRegressionPlaceBatchBounded: a task that needs no resources fits any
// number of times, so PlaceBatch with a huge count looped (and grew its
// result) until memory ran out. The count is now bounded by MaxBatch, ECS's
// quota of tasks per service.
func TestRegressionPlaceBatchBounded(t *testing.T) {
	c := build(t, []box{{zone: "a", cpu: 1024, mem: 1024}})
	plan := placement.MustCompile(placement.Spec{})
	rng := rand.New(rand.NewPCG(1, 1))
	task := placement.Task{Group: c.Group("g")}
	_, err := c.PlaceBatch(plan, task, math.MaxInt, rng, nil)
	wantFieldErrors(t, err, placement.ErrInvalidTask, []fieldRule{{"count", "must be 0 to 5000"}})
	b, err := c.PlaceBatch(plan, task, placement.MaxBatch, rng, nil)
	if err != nil || len(b.Placed) != placement.MaxBatch {
		t.Fatalf("PlaceBatch(MaxBatch) placed %d, %v", len(b.Placed), err)
	}
}

// TestRegressionChooseVictimsValidatesTasks: ChooseVictims took its running
// tasks unchecked, so a negative or huge resource entered the binpack keys
// (an int64 sum that could wrap) and ranked victims wrongly. Each task is
// now validated as Place validates it, every problem reported.
func TestRegressionChooseVictimsValidatesTasks(t *testing.T) {
	c := build(t, []box{{zone: "a", cpu: 4096, mem: 4096, load: []load{{256, 512, "service:web"}}}})
	g := c.Group("service:web")
	plan := placement.MustCompile(placement.Spec{Strategies: []placement.Strategy{strat(placement.Binpack, "memory")}})
	tasks := []placement.RunningTask{
		{Instance: 0, Task: placement.Task{CPU: 256, MemoryMiB: math.MaxInt, Group: g}},
		{Instance: 0, Task: placement.Task{CPU: -1, MemoryMiB: 512, Group: g}},
		{Instance: 9, Task: placement.Task{CPU: 256, MemoryMiB: 512, Group: g}},
	}
	_, err := c.ChooseVictims(plan, tasks, 4, rand.New(rand.NewPCG(1, 1)))
	if !errors.Is(err, placement.ErrInvalidTask) || !errors.Is(err, placement.ErrUnknownInstance) {
		t.Fatalf("error %v does not match ErrInvalidTask and ErrUnknownInstance", err)
	}
	var fields []string
	for _, fe := range fieldErrors(err) {
		fields = append(fields, fe.Field)
	}
	want := []string{"count", "tasks[0].Task.MemoryMiB", "tasks[1].Task.CPU", "tasks[2].InstanceID"}
	if strings.Join(fields, " ") != strings.Join(want, " ") {
		t.Errorf("fields %v, want %v (error %v)", fields, want, err)
	}
}

// infScorer scores by instance: -Inf, -1, +Inf and NaN, the last two tied
// (NaN counts as +Inf).
type infScorer struct{}

func (infScorer) Score(_ placement.Task, c placement.Candidate) float64 {
	return []float64{math.Inf(1), math.NaN(), -1, math.Inf(-1)}[c.Instance]
}

// TestScorerInfinities: a Scorer's ±Inf are ordinary extreme scores and NaN
// counts as +Inf, on placement (the -Inf instance first), in Diagnose (the
// keys are shown as scored, NaN as +Inf) and on scale-in (a +Inf or NaN
// instance stops first, tied).
func TestScorerInfinities(t *testing.T) {
	boxes := []box{{zone: "a", cpu: 4096, mem: 4096, load: []load{{1, 1, "g"}}}, {zone: "a", cpu: 4096, mem: 4096, load: []load{{1, 1, "g"}}},
		{zone: "a", cpu: 4096, mem: 4096, load: []load{{1, 1, "g"}}}, {zone: "a", cpu: 4096, mem: 4096, load: []load{{1, 1, "g"}}}}
	c := build(t, boxes)
	g := c.Group("g")
	plan := placement.MustCompile(placement.Spec{Strategies: []placement.Strategy{{Type: placement.Custom, Scorer: infScorer{}}}})
	task := placement.Task{CPU: 1, MemoryMiB: 1, Group: g}
	diag, err := c.Diagnose(plan, task)
	if err != nil {
		t.Fatal(err)
	}
	wantKeys := []float64{math.Inf(1), math.Inf(1), -1, math.Inf(-1)}
	for k, v := range diag {
		if v.Keys[0] != wantKeys[k] || v.Best != (k == 3) {
			t.Errorf("instance %d: keys %v best %v, want %v best %v", k, v.Keys, v.Best, wantKeys[k], k == 3)
		}
	}
	victims := map[placement.InstanceID]bool{}
	var running []placement.RunningTask
	for k := range 4 {
		running = append(running, placement.RunningTask{Instance: placement.InstanceID(k), Task: task})
	}
	for seed := range uint64(40) {
		v, err := c.ChooseVictims(plan, running, 1, rand.New(rand.NewPCG(seed, 1)))
		if err != nil {
			t.Fatal(err)
		}
		victims[running[v[0]].Instance] = true
	}
	if len(victims) != 2 || !victims[0] || !victims[1] {
		t.Errorf("first victims on %v, want instances 0 (+Inf) and 1 (NaN)", victims)
	}
	r, err := c.Place(plan, task, rand.New(rand.NewPCG(1, 1)))
	if err != nil || r.Instance != 3 {
		t.Errorf("placed on %+v (%v), want instance 3 (-Inf)", r, err)
	}
}
