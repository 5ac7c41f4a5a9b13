package sweep

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/ecssim/ecssim/internal/fielderr"
)

// Shard is one of Count parts of a sweep: the cells whose index is Index
// modulo Count. The zero Shard is invalid; Whole is the sweep undivided.
type Shard struct {
	Index, Count int
}

// Whole is the shard that holds every cell.
var Whole = Shard{Index: 0, Count: 1}

// Validate reports a count below 1 or an index outside [0, Count).
func (s Shard) Validate() error {
	l := fielderr.NewList(ErrOptions)
	if s.Count < 1 {
		l.Add("Shard.Count", s.Count, "must be at least 1")
	}
	if s.Index < 0 || s.Count >= 1 && s.Index >= s.Count {
		l.Add("Shard.Index", s.Index, "must be 0 to Count-1")
	}
	return l.Err()
}

// String writes the shard as ParseShard reads it, "i/n".
func (s Shard) String() string { return fmt.Sprintf("%d/%d", s.Index, s.Count) }

// Cells returns the cells of the shard, in their order: those whose Index
// is s.Index modulo s.Count. Round-robin, not blocks, so that each shard
// runs a share of every arm and shards take about the same time when
// arms differ in cost.
func (s Shard) Cells(cells []Cell) []Cell {
	if s.Count < 1 {
		return nil
	}
	var out []Cell
	for _, c := range cells {
		if c.Index%s.Count == s.Index {
			out = append(out, c)
		}
	}
	return out
}

// ParseShard reads "i/n": shard i (from 0) of n.
func ParseShard(text string) (Shard, error) {
	i, n, ok := strings.Cut(text, "/")
	if !ok {
		return Shard{}, fielderr.New(ErrOptions, "shard", text, `must be "i/n", e.g. "0/3"`)
	}
	l := fielderr.NewList(ErrOptions)
	var s Shard
	var err error
	if s.Index, err = strconv.Atoi(i); err != nil {
		l.Add("shard index", i, "must be a whole number")
	}
	if s.Count, err = strconv.Atoi(n); err != nil {
		l.Add("shard count", n, "must be a whole number")
	}
	if l.Len() > 0 {
		return Shard{}, l.Err()
	}
	if err := s.Validate(); err != nil {
		return Shard{}, err
	}
	return s, nil
}

// Environment variables that cluster schedulers set in each worker of an
// array job.
const (
	// EnvKubernetesIndex is set by a Kubernetes Indexed Job: the pod's
	// completion index, from 0. The job's completion count is not in the
	// environment; the caller passes it.
	EnvKubernetesIndex = "JOB_COMPLETION_INDEX"
	// EnvBatchIndex and EnvBatchSize are set in the children of an AWS
	// Batch array job: the child's index, from 0, and the array's size.
	EnvBatchIndex = "AWS_BATCH_JOB_ARRAY_INDEX"
	EnvBatchSize  = "AWS_BATCH_JOB_ARRAY_SIZE"
)

// ShardFromEnv reads the shard from an array job's environment through
// lookup (os.LookupEnv in a program, a map in a test): AWS Batch's index
// and size if its index is set, else Kubernetes's completion index with
// count as the number of shards (the Indexed Job's completions, which the
// pod's environment does not hold). ok is false when neither index is set:
// the process is not part of an array job and should run Whole. Both set
// is an error, as is a value that is not a whole number or a shard out of
// range.
func ShardFromEnv(lookup func(string) (string, bool), count int) (s Shard, ok bool, err error) {
	batch, inBatch := lookup(EnvBatchIndex)
	kube, inKube := lookup(EnvKubernetesIndex)
	l := fielderr.NewList(ErrOptions)
	atoi := func(name, v string) int {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			l.Add(name, v, "must be a whole number")
		}
		return n
	}
	switch {
	case inBatch && inKube:
		l.Add(EnvKubernetesIndex, kube, "must not be set with "+EnvBatchIndex+": which scheduler runs this?")
	case inBatch:
		size, hasSize := lookup(EnvBatchSize)
		if !hasSize {
			l.Add(EnvBatchSize, nil, "must be set with "+EnvBatchIndex)
		}
		s = Shard{Index: atoi(EnvBatchIndex, batch)}
		if hasSize {
			s.Count = atoi(EnvBatchSize, size)
		}
	case inKube:
		s = Shard{Index: atoi(EnvKubernetesIndex, kube), Count: count}
	default:
		return Shard{}, false, nil
	}
	if l.Len() == 0 {
		l.Join(s.Validate())
	}
	if err := l.Err(); err != nil {
		return Shard{}, false, err
	}
	return s, true, nil
}
