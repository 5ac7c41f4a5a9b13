package capacity

import "math/rand/v2"

// LaunchZone picks the Availability Zone for a new task of a service that
// keeps its tasks balanced across zones (every Fargate replica service, and
// EC2 services without a placement strategy, as
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_services.html
// describes): one of
// the zones with the fewest tasks of the service, uniformly at random among
// ties. tasksPerZone[i] is the service's tasks in zone i; the result indexes
// it. It draws from r only when zones tie. It panics on an empty slice.
func LaunchZone(r *rand.Rand, tasksPerZone []int) int {
	return pickZone(r, tasksPerZone, func(a, b int) bool { return a < b })
}

// StopZone picks the Availability Zone to stop a task of such a service in
// on scale-in: one of the zones with the most tasks of the service,
// uniformly at random among ties.
func StopZone(r *rand.Rand, tasksPerZone []int) int {
	return pickZone(r, tasksPerZone, func(a, b int) bool { return a > b })
}

func pickZone(r *rand.Rand, counts []int, better func(a, b int) bool) int {
	if len(counts) == 0 {
		panic("capacity: no Availability Zones")
	}
	best, ties := 0, 1
	for i := 1; i < len(counts); i++ {
		switch {
		case better(counts[i], counts[best]):
			best, ties = i, 1
		case counts[i] == counts[best]:
			ties++
		}
	}
	if ties == 1 {
		return best
	}
	k := r.IntN(ties)
	for i, c := range counts {
		if c == counts[best] {
			if k == 0 {
				return i
			}
			k--
		}
	}
	return best
}
