package sim_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/ecssim/ecssim/internal/fielderr"
	"github.com/ecssim/ecssim/sim"
)

// FuzzTaskDefinitionRef: resolving any "family[:revision]" string never
// panics; it either finds a registered revision whose String() names it
// (the family alone meaning the latest), or fails with a *fielderr.Error
// matching ErrNotFound whose Field is TaskDefinition and whose Value is
// the reference (its message clips a long one, so the whole reference is
// looked for in Value, not in the message).
func FuzzTaskDefinitionRef(f *testing.F) {
	for _, seed := range []string{"web", "web:1", "web:2", "web:3", "web:0", "web:", ":1", "web:-1", "web:01", "web:1:2", "web:99999999999", "", "wéb:1"} {
		f.Add(seed)
	}
	s, _ := sim.New(sim.Config{})
	w, _ := sim.NewWorld(s, sim.WorldConfig{})
	for range 2 {
		if _, err := w.RegisterTaskDefinition(sim.TaskDefinitionInput{Family: "web",
			Containers: []sim.ContainerDefinition{{Name: "a", Image: "a", MemoryMiB: 64}}}); err != nil {
			f.Fatal(err)
		}
	}
	f.Fuzz(func(t *testing.T, ref string) {
		d, err := w.TaskDefinition(ref)
		if err != nil {
			var fe *fielderr.Error
			if !errors.Is(err, sim.ErrNotFound) || !errors.As(err, &fe) || fe.Field != "TaskDefinition" || fe.Value != ref {
				t.Fatalf("TaskDefinition(%q): error %v does not match ErrNotFound or name the reference", ref, err)
			}
			return
		}
		if ref == "web" {
			if d.Revision() != 2 {
				t.Fatalf("the family alone resolved to %s, want the latest, web:2", d)
			}
			return
		}
		family, rev, ok := strings.Cut(ref, ":")
		n, err := strconv.Atoi(rev)
		if !ok || err != nil || family != d.Family() || n != d.Revision() {
			t.Fatalf("TaskDefinition(%q) = %s", ref, d)
		}
	})
}
