package sim

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unsafe"
)

// The fields of a Workload a fluid step and a metrics minute read in the
// common case (a one-minute fluid step of a workload with routable
// targets and no I/O, and its minute of metrics with no target
// registered or exited), as paths into the struct.
var (
	fluidStepFields = []string{
		"source", "fluidLast", "fluidTasks", "end", "meanWork", "scv",
		"server", "timeout", "minHealthy", "answered", "answer", "separateHealth", "hasIO",
		"routing", "lastUnclamped", "noTargetEven", "timedOutEven", "backlog", "backlogOf", "fluidCum",
		"svc", "defCPU", "tgHealthy", "tgRegistered", "tgCursors",
		"counters.Arrived", "counters.Served", "counters.NoTarget", "counters.Rejected", "counters.TimedOut",
		"fluidLat",
		"minute.cpuSeconds", "minute.inFlightSeconds", "minute.latN", "minute.latSum", "minute.latMin", "minute.latMax",
		"period.latSum", "period.hist.total", "whole.total",
	}
	endMinuteFields = []string{
		"svc", "defMemory", "svcRun", "tgHealthy", "tgRegistered",
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

// workloadSink keeps workloadShift's Workload on the heap.
var workloadSink *Workload

// workloadShift returns where a Workload starts in the 64-byte lines of
// its allocation: 8 bytes in on Go 1.22 and later (an object over 512
// bytes with pointers starts after the allocator's 8-byte header in its
// size class's slot; slots of 768 bytes start on lines), measured.
func workloadShift() uintptr {
	workloadSink = new(Workload)
	return uintptr(unsafe.Pointer(workloadSink)) % 64
}

// cacheLines returns the 64-byte lines of a Workload's allocation (from
// its slot's start, shift bytes before the Workload) the fields at paths
// occupy.
func cacheLines(t *testing.T, shift uintptr, paths []string) []uintptr {
	t.Helper()
	var lines []uintptr
	for _, p := range paths {
		off, size, err := fieldSpan(reflect.TypeFor[Workload](), p)
		if err != nil {
			t.Fatal(err)
		}
		off += shift
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
// offsets are logged (go test -v -run WorkloadLayout), and the lines
// counted from the start of the Workload's slot, where it really starts
// (workloadShift).
func TestWorkloadLayout(t *testing.T) {
	skipUnless64(t)
	shift := workloadShift()
	ty := reflect.TypeFor[Workload]()
	t.Logf("a Workload starts %d bytes into its slot", shift)
	for i := range ty.NumField() {
		f := ty.Field(i)
		t.Logf("%4d (line %2d) %-16s %4d bytes", f.Offset, (shift+f.Offset)/64, f.Name, f.Type.Size())
	}
	if s := shift + ty.Size(); s <= 704 || s > 768 {
		// 768 is a size class of 12 lines: every slot starts on a line.
		t.Errorf("a Workload takes %d bytes of its slot; the layout assumes the size class of 768 (a multiple of 64)", s)
	}
	for _, c := range []struct {
		name    string
		fields  []string
		preload []uintptr // what its pass prefetches: one offset on each line it reads
		want    []uintptr
	}{
		{"fluid step", fluidStepFields, fluidStepLines[:], []uintptr{0, 1, 2, 3, 4, 5, 8, 11}},
		{"metrics minute", endMinuteFields, minuteLines[:], []uintptr{3, 4, 5, 6, 7, 8}},
	} {
		if got := cacheLines(t, shift, c.fields); !slices.Equal(got, c.want) {
			t.Errorf("a %s reads lines %v of a Workload's slot, want %v", c.name, got, c.want)
		}
		var got []uintptr
		for _, off := range c.preload {
			got = append(got, (shift+off)/64)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("a %s prefetches lines %v of a Workload's slot, want %v", c.name, got, c.want)
		}
	}
}

// TestScalingMinuteInOneLine holds a ServiceScaling to what its comment
// promises: 128 bytes, two whole lines, so that it starts on a line
// whether allocated alone (the size class of 128) or in a chunk
// (newScaling), with what a minute's tick reads without a decision in
// the first 64.
func TestScalingMinuteInOneLine(t *testing.T) {
	skipUnless64(t)
	ty := reflect.TypeFor[ServiceScaling]()
	if s := ty.Size(); s != 128 {
		t.Errorf("a ServiceScaling takes %d bytes, want 128: two whole lines, so that each record of a chunk (newScaling) starts on a line", s)
	}
	for _, name := range []string{"due", "scaler", "reader", "desired", "running", "deploying", "gone", "evaluatesAlarms"} {
		off, size, err := fieldSpan(ty, name)
		if err != nil {
			t.Fatal(err)
		}
		if off+size > 64 {
			t.Errorf("ServiceScaling.%s ends at byte %d, after the first line", name, off+size)
		}
	}
}

// TestTaskReconcileLines holds a Task to what reconcileTaskLines
// promises: the allocator's size class of 448 bytes (417 to 448), whose
// slots start on lines (448 is 7 × 64; a Task, at most 512 bytes, has no
// header before it), with the fields roleOf reads on one line, the one
// the reconcile asks for with the state, and the instance on the other.
func TestTaskReconcileLines(t *testing.T) {
	skipUnless64(t)
	ty := reflect.TypeFor[Task]()
	if s := ty.Size(); s <= 416 || s > 448 {
		t.Errorf("a Task takes %d bytes, want the size class of 448 (417 to 448)", s)
	}
	for _, c := range []struct {
		fields []string
		line   uintptr // the line reconcileTaskLines asks for
	}{
		{[]string{"state", "desired", "dep", "countsHealthy", "onDraining"}, reconcileTaskLines[1] / 64},
		{[]string{"inst"}, reconcileTaskLines[0] / 64},
	} {
		for _, name := range c.fields {
			off, size, err := fieldSpan(ty, name)
			if err != nil {
				t.Fatal(err)
			}
			if first, last := off/64, (off+size-1)/64; first != c.line || last != c.line {
				t.Errorf("Task.%s spans lines %d to %d, want line %d, which a reconcile asks for", name, first, last, c.line)
			}
		}
	}
}

// skipUnless64 skips a layout test where pointers are not 8 bytes: the
// layouts it holds are laid out for 64-bit platforms, and where int and
// pointers have 4 bytes the fields fall elsewhere (the code runs the same).
func skipUnless64(t *testing.T) {
	t.Helper()
	if unsafe.Sizeof(uintptr(0)) != 8 {
		t.Skip("the layout is laid out for 64-bit platforms")
	}
}

// TestScalersLieTogether holds newScaling to its layout: the records it
// hands out one after the other are consecutive in chunks of 1, 2, 4 and
// then 31, and every one starts on a line.
func TestScalersLieTogether(t *testing.T) {
	skipUnless64(t)
	w := &World{}
	var prev *ServiceScaling
	next, size := 0, 1 // where the next chunk starts, and its size
	for i := range 200 {
		ss := w.newScaling()
		if !reflect.ValueOf(ss).Elem().IsZero() {
			t.Fatalf("record %d is not zero", i)
		}
		start := i == next
		if start {
			next += size
			if size *= 2; size > 4 {
				size = len(scalingBlock{}.recs)
			}
		}
		if a := uintptr(unsafe.Pointer(ss)); a%64 != 0 {
			t.Errorf("record %d at %#x, not on a line", i, a)
		}
		if prev != nil {
			d := uintptr(unsafe.Pointer(ss)) - uintptr(unsafe.Pointer(prev))
			if adjacent := d == unsafe.Sizeof(*ss); adjacent == start {
				t.Errorf("record %d is %d bytes after record %d; a chunk starts there: %v", i, int64(d), i-1, start)
			}
		}
		prev = ss
	}
}
