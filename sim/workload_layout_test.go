package sim

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// The fields of a Workload a fluid step and a metrics minute read in the
// common case (a one-minute fluid step of a workload with routable
// targets and no I/O, and its minute of metrics with no target
// registered or exited), as paths into the struct.
var (
	fluidStepFields = []string{
		"source", "fluidLast", "fluidTasks", "end", "meanWork", "scv", "tg",
		"server", "timeout", "minHealthy", "answered", "answer", "separateHealth", "hasIO",
		"routing", "lastUnclamped", "noTargetEven", "timedOutEven", "backlog", "backlogOf", "fluidCum",
		"svc", "defOf", "defCPU",
		"counters.Arrived", "counters.Served", "counters.NoTarget", "counters.Rejected", "counters.TimedOut",
		"fluidLat",
		"minute.cpuSeconds", "minute.inFlightSeconds", "minute.latN", "minute.latSum", "minute.latMin", "minute.latMax",
		"period.latSum", "period.hist.total", "whole.total",
	}
	endMinuteFields = []string{
		"svc", "defOf", "defMemory",
		"counters.Arrived", "counters.NoTarget", "counters.Rejected", "counters.Aborted",
		"minute.cpuSeconds", "minute.inFlightSeconds", "minute.latN", "minute.latSum", "minute.latMin", "minute.latMax",
		"minute.capacitySeconds", "minute.taskSeconds", "minute.start",
		"mode", "classic", "publishes", "irregular", "liveTargets", "liveCPU", "minuteStart", "w", "group",
		"memBase", "memPerRequest", "reportPeriod", "periodPhase",
		"period.taskSum", "period.cpuSum", "period.memSum", "period.minutes", "period.maxTasks", "period.cpuN", "period.memN",
	}
)

// fieldSpan returns the offset and the size of the field at path (names
// separated by dots) in t.
func fieldSpan(t reflect.Type, path string) (off, size uintptr, err error) {
	for _, name := range strings.Split(path, ".") {
		f, ok := t.FieldByName(name)
		if !ok {
			return 0, 0, fmt.Errorf("%s has no field %s", t, name)
		}
		off += f.Offset
		t = f.Type
	}
	return off, t.Size(), nil
}

// cacheLines returns the 64-byte lines of a Workload (from its start,
// which its size class aligns to 64 bytes) the fields at paths occupy.
func cacheLines(t *testing.T, paths []string) []uintptr {
	t.Helper()
	var lines []uintptr
	for _, p := range paths {
		off, size, err := fieldSpan(reflect.TypeFor[Workload](), p)
		if err != nil {
			t.Fatal(err)
		}
		for l := off / 64; l <= (off+size-1)/64; l++ {
			if !slices.Contains(lines, l) {
				lines = append(lines, l)
			}
		}
	}
	slices.Sort(lines)
	return lines
}

// TestWorkloadLayout holds the per-minute fields of a Workload to the
// cache lines its layout promises: with thousands of services, each
// distinct line a workload's minute touches is a trip to memory. A field
// added among them, or one of them moved after the others, fails it; the
// offsets are logged (go test -v -run WorkloadLayout).
func TestWorkloadLayout(t *testing.T) {
	ty := reflect.TypeFor[Workload]()
	for i := range ty.NumField() {
		f := ty.Field(i)
		t.Logf("%4d (line %2d) %-16s %4d bytes", f.Offset, f.Offset/64, f.Name, f.Type.Size())
	}
	if s := ty.Size(); s <= 1024 || s > 1152 {
		// 1152 is a size class of 18 lines: every Workload starts on a line.
		t.Errorf("a Workload takes %d bytes; the layout assumes the size class of 1,152 (a multiple of 64)", s)
	}
	for _, c := range []struct {
		name   string
		fields []string
		want   []uintptr
	}{
		{"fluid step", fluidStepFields, []uintptr{0, 1, 2, 3, 4, 5, 7, 9}},
		{"metrics minute", endMinuteFields, []uintptr{2, 3, 4, 5, 6, 7, 9}},
	} {
		if got := cacheLines(t, c.fields); !slices.Equal(got, c.want) {
			t.Errorf("a %s reads lines %v of a Workload, want %v", c.name, got, c.want)
		}
	}
}
