package sim

import (
	"testing"
	"time"
)

// nopAttachment hears everything and asks for nothing.
type nopAttachment struct{ heard int }

func (n *nopAttachment) OnTask(TaskEvent) Verdict { n.heard++; return Verdict{} }

// TestNotifyAllocatesNothing: telling a task's attachments of a lifecycle
// point, and a hold and its release, allocate nothing.
func TestNotifyAllocatesNothing(t *testing.T) {
	s, err := New(Config{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	w, err := NewWorld(s, WorldConfig{})
	if err != nil {
		t.Fatal(err)
	}
	a, b := &nopAttachment{}, &nopAttachment{}
	tk := &Task{w: w, def: &TaskDefinition{stopTimeout: time.Minute}}
	tk.attached = &attachments{list: []attachment{{a: a}, {a: b}}}
	allocs := testing.AllocsPerRun(100, func() {
		tk.notify(LifecycleHealthChanged, false)
		tk.notify(LifecycleStopRequested, true)
		x := &tk.attached.list[0]
		tk.hold(x, time.Second)
		tk.Release(a)
	})
	if allocs != 0 || a.heard == 0 || b.heard != a.heard {
		t.Errorf("%v allocations per lifecycle point; attachments heard %d and %d points", allocs, a.heard, b.heard)
	}
}
