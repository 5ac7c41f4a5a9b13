package placement

import (
	"fmt"
	"math/rand/v2"

	"github.com/ecssim/ecssim/internal/fielderr"
)

// RunningTask is one running task of a service, as scale-in sees it.
type RunningTask struct {
	// Instance is where the task runs.
	Instance InstanceID
	// Task is the task as it was placed (its resources and group).
	Task Task
}

// victimScratch holds ChooseVictims' per-instance tallies between calls;
// every entry is zero outside a call.
type victimScratch struct {
	onInst, freedMem, freedCPU []int64
	freedENI                   []int
	stoppedOn                  []int32
}

// ChooseVictims picks count tasks to stop when a service scales in and
// returns their indexes in tasks, in stop order. Each pick is made as if the
// earlier picks had already stopped. It does not change the cluster; the
// caller stops the tasks and calls Release.
//
// The plan's strategies decide, each rank reversed
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-placement-strategies.html;
// the default in https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_services.html);
// larger is better, ties fall to the next rank, then to rng:
//
//	binpack(memory):        free memory of the task's instance once the
//	                        task stops (the instance that keeps the most
//	                        free resource)
//	binpack(cpu):           the same in CPU units
//	spread(instanceId):     the service's remaining tasks on the instance
//	spread(attribute:name): the service's remaining tasks in the attribute
//	                        value (keeps the spread balanced)
//	random:                 ends the ranking
//	no strategy:            the AZ with the most tasks of the service, then
//	                        the instance with the most
//
// Spread counts come from tasks itself, so pass all running tasks of the
// service. Each task must be valid (as for Place) and on a registered
// instance; every problem is reported, joined.
func (c *Cluster) ChooseVictims(p *Plan, tasks []RunningTask, count int, rng *rand.Rand) ([]int, error) {
	l := fielderr.NewList(ErrInvalidTask)
	if count < 0 || count > len(tasks) {
		l.Addf("count", count, "must be 0 to %d, the number of tasks", len(tasks))
	}
	for k, rt := range tasks {
		field := fmt.Sprintf("tasks[%d]", k)
		if err := c.check(rt.Instance); err != nil {
			l.Join(fielderr.Prefix(field, err))
		}
		if err := c.validateTask(&rt.Task); err != nil {
			l.Join(fielderr.Prefix(field, err))
		}
	}
	if err := l.Err(); err != nil {
		return nil, err
	}
	p.bind(c)
	// Per-instance tallies live in scratch arrays of the cluster, grown to
	// the instance count once and cleared entry by entry afterwards, so a
	// scale-in of a few tasks costs O(tasks), not O(instances).
	v := &c.victims
	for n := len(c.res); len(v.onInst) < n; {
		v.onInst, v.freedMem, v.freedCPU = append(v.onInst, 0), append(v.freedMem, 0), append(v.freedCPU, 0)
		v.freedENI, v.stoppedOn = append(v.freedENI, 0), append(v.stoppedOn, 0)
	}
	defer func() {
		for _, rt := range tasks {
			i := rt.Instance
			v.onInst[i], v.freedMem[i], v.freedCPU[i], v.freedENI[i], v.stoppedOn[i] = 0, 0, 0, 0, 0
		}
	}()
	onInst := v.onInst                           // remaining tasks per instance
	freedMem, freedCPU := v.freedMem, v.freedCPU // resources the chosen victims give back
	freedENI := v.freedENI
	stoppedOn := v.stoppedOn                 // victims chosen so far per instance
	onValue := make([][]int64, len(p.ranks)) // per spread-attribute rank: remaining tasks per value
	for r := range p.ranks {
		if p.ranks[r].kind == rankSpreadAttribute {
			onValue[r] = make([]int64, len(c.cols[p.ranks[r].col].values))
		}
	}
	for _, rt := range tasks {
		onInst[rt.Instance]++
		for r := range p.ranks {
			if onValue[r] != nil {
				onValue[r][c.cols[p.ranks[r].col].of[rt.Instance]]++
			}
		}
	}
	key := func(r int, rt *RunningTask) int64 {
		i := rt.Instance
		switch p.ranks[r].kind {
		case rankBinpackMemory:
			return int64(c.res[i].mem) + freedMem[i] + int64(rt.Task.MemoryMiB)
		case rankBinpackCPU:
			return int64(c.res[i].cpu) + freedCPU[i] + int64(rt.Task.CPU)
		case rankSpreadInstance:
			return onInst[i]
		case rankCustom:
			// The instance once the task and the earlier victims stopped.
			cand := c.candidate(int32(i), int32(onInst[i]-1), freedCPU[i]+int64(rt.Task.CPU), freedMem[i]+int64(rt.Task.MemoryMiB),
				freedENI[i]+rt.Task.ENIs, -int(stoppedOn[i])-1)
			return scoreKey(p.ranks[r].scorer.Score(rt.Task, cand))
		}
		return onValue[r][c.cols[p.ranks[r].col].of[i]]
	}
	stopped := make([]bool, len(tasks))
	victims := make([]int, 0, count)
	keys := make([]int64, len(p.ranks))
	for range count {
		best, ties := -1, 0
		for k := range tasks {
			if stopped[k] {
				continue
			}
			cmp := 0
			if best < 0 {
				cmp = 1
			}
			for r := 0; r < len(p.ranks) && cmp == 0; r++ {
				v := key(r, &tasks[k])
				switch {
				case v > keys[r]:
					cmp = 1
				case v < keys[r]:
					cmp = -1
				}
			}
			switch cmp {
			case 1:
				best, ties = k, 1
				for r := range p.ranks {
					keys[r] = key(r, &tasks[k])
				}
			case 0:
				ties++
				if rng.IntN(ties) == 0 {
					best = k
				}
			}
		}
		stopped[best] = true
		victims = append(victims, best)
		rt := &tasks[best]
		onInst[rt.Instance]--
		freedMem[rt.Instance] += int64(rt.Task.MemoryMiB)
		freedCPU[rt.Instance] += int64(rt.Task.CPU)
		freedENI[rt.Instance] += rt.Task.ENIs
		stoppedOn[rt.Instance]++
		for r := range p.ranks {
			if onValue[r] != nil {
				onValue[r][c.cols[p.ranks[r].col].of[rt.Instance]]--
			}
		}
	}
	return victims, nil
}
