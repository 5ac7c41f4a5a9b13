package scenario

import (
	"fmt"
	"maps"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// AWS spellings. A task definition or service pasted from the ECS API
// names some fields as the API does; where that name means the same thing
// as the scenario's field, the file may use it:
//
//   - containerDefinitions for containers, serviceName for name, memory for
//     memoryMiB and memoryReservation for memoryReservationMiB (the API's
//     memory is in MiB);
//   - a field named like a duration field with a "Seconds" suffix
//     (healthCheckGracePeriodSeconds, stopTimeoutSeconds, ...), holding a
//     number of seconds;
//   - a container's stopTimeout as a bare number of seconds, as the API
//     has it;
//   - cpu and memory as the API's strings: "256", "1 vCPU", "0.5 vCPU",
//     "2048", "2 GB".
//
// Any other name a field does not know is an error that suggests the
// field meant: one spelled alike (within a few edits), or differing in
// case.

// awsSpellings maps, per struct type, a key in AWS's spelling to the
// scenario's field of the same meaning.
var awsSpellings = map[reflect.Type]map[string]string{
	reflect.TypeFor[TaskDefinition](): {"containerDefinitions": "containers", "memory": "memoryMiB"},
	reflect.TypeFor[Container]():      {"memory": "memoryMiB", "memoryReservation": "memoryReservationMiB"},
	reflect.TypeFor[Service]():        {"serviceName": "name"},
}

// awsUnitFields are the integer fields that read the API's strings of
// CPU units and memory.
var awsUnitFields = map[string]bool{"cpu": true, "memoryMiB": true, "memoryReservationMiB": true}

// awsUnits reads an API string of CPU units ("256", "1 vCPU") or MiB of
// memory ("2048", "2 GB").
func awsUnits(field, s string) (int, bool) {
	s = strings.TrimSpace(s)
	if n, err := strconv.Atoi(s); err == nil {
		return n, true
	}
	num, unit, ok := strings.Cut(s, " ")
	x, err := strconv.ParseFloat(num, 64)
	if !ok || err != nil || !(x >= 0) || x > 1e6 {
		return 0, false
	}
	switch {
	case field == "cpu" && strings.EqualFold(unit, "vCPU"):
		x *= 1024
	case field != "cpu" && strings.EqualFold(unit, "GB"):
		x *= 1024
	case field != "cpu" && strings.EqualFold(unit, "MB"), field != "cpu" && strings.EqualFold(unit, "MiB"):
	default:
		return 0, false
	}
	if x != math.Trunc(x) {
		return 0, false
	}
	return int(x), true
}

// suggest names the field a misspelt key most likely meant: one that
// differs only in case, else the closest within a few edits (a name of a
// field, an AWS spelling the type reads, or a duration's "Seconds" name).
func suggest(key string, fields map[string]reflect.Type, t reflect.Type) string {
	names := slices.Sorted(maps.Keys(fields))
	names = append(names, slices.Sorted(maps.Keys(awsSpellings[t]))...)
	for _, name := range slices.Sorted(maps.Keys(fields)) {
		if isDuration(fields[name]) {
			names = append(names, name+"Seconds")
		}
	}
	for _, name := range names {
		if strings.EqualFold(name, key) {
			return fmt.Sprintf(" (did you mean %q?)", name)
		}
	}
	// A typo is a few edits: two, and one more per ten letters.
	best, dist := "", 3+len(key)/10
	for _, name := range names {
		if d := editDistance(strings.ToLower(key), strings.ToLower(name)); d < dist {
			best, dist = name, d
		}
	}
	if best != "" && dist <= len(key)/2 {
		return fmt.Sprintf(" (did you mean %q?)", best)
	}
	return ""
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
