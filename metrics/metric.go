package metrics

import (
	"encoding/binary"
	"fmt"
	"slices"
	"strings"

	"github.com/ecssim/ecssim/internal/fielderr"
)

// CloudWatch's limits on a metric's identity. They are enforced so that a
// series the simulator accepts is one CloudWatch would accept too.
const (
	// MaxDimensions is the largest number of dimensions a metric may have.
	MaxDimensions = 30
	// maxNameLength bounds namespaces, metric names and dimension names.
	maxNameLength = 255
	// maxDimensionValueLength bounds dimension values.
	maxDimensionValueLength = 1024
)

// Dimension is one name/value pair that, with a namespace and a metric name,
// identifies a time series, for example {ClusterName, prod}.
type Dimension struct{ Name, Value string }

// Metric identifies a time series: a namespace, a metric name and a set of
// dimensions. Dimension order does not matter: {A, B} and {B, A} name the
// same series. Dimension names must be unique within a metric.
type Metric struct {
	Namespace  string
	Name       string
	Dimensions []Dimension
}

// String renders m as Namespace/Name{Dim=Value,...} with the dimensions sorted
// by name, the form used in error messages and decision logs.
func (m Metric) String() string {
	var b strings.Builder
	b.WriteString(m.Namespace)
	b.WriteByte('/')
	b.WriteString(m.Name)
	dims := sortedDimensions(m.Dimensions)
	if len(dims) > 0 {
		b.WriteByte('{')
		for i, d := range dims {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(d.Name)
			b.WriteByte('=')
			b.WriteString(d.Value)
		}
		b.WriteByte('}')
	}
	return b.String()
}

// sameMetric reports whether a and b are one metric: the same namespace,
// name and dimensions in any order (a metric's dimension names differ:
// Validate), as their Strings are equal, without making them.
func sameMetric(a, b Metric) bool {
	if a.Namespace != b.Namespace || a.Name != b.Name || len(a.Dimensions) != len(b.Dimensions) {
		return false
	}
	for _, d := range a.Dimensions {
		if !slices.Contains(b.Dimensions, d) {
			return false
		}
	}
	return true
}

// Validate reports every way m breaks CloudWatch's rules for a metric
// identity: empty or over-long namespace, name, dimension names or values,
// more than MaxDimensions dimensions, or a repeated dimension name. Each
// problem wraps ErrInvalidMetric.
func (m Metric) Validate() error {
	errs := fielderr.NewList(ErrInvalidMetric)
	if n := len(m.Namespace); n == 0 || n > maxNameLength {
		errs.Add("Namespace", m.Namespace, "must be 1 to 255 bytes long")
	}
	if n := len(m.Name); n == 0 || n > maxNameLength {
		errs.Add("Name", m.Name, "must be 1 to 255 bytes long")
	}
	if len(m.Dimensions) > MaxDimensions {
		errs.Addf("Dimensions", len(m.Dimensions), "at most %d dimensions are allowed", MaxDimensions)
	}
	for i, d := range m.Dimensions {
		if n := len(d.Name); n == 0 || n > maxNameLength {
			errs.Add(fmt.Sprintf("Dimensions[%d].Name", i), d.Name, "must be 1 to 255 bytes long")
		}
		if n := len(d.Value); n == 0 || n > maxDimensionValueLength {
			errs.Add(fmt.Sprintf("Dimensions[%d].Value", i), d.Value, "must be 1 to 1024 bytes long")
		}
		for j := range i {
			if m.Dimensions[j].Name == d.Name {
				errs.Addf(fmt.Sprintf("Dimensions[%d].Name", i), d.Name, "repeats Dimensions[%d].Name", j)
				break
			}
		}
	}
	return errs.Err()
}

// sortedDimensions returns a copy of dims sorted by name, then value.
func sortedDimensions(dims []Dimension) []Dimension {
	out := make([]Dimension, len(dims))
	copy(out, dims)
	insertionSortDimensions(out)
	return out
}

// insertionSortDimensions sorts dims by name, then value, in place. Metrics
// have a handful of dimensions, where insertion sort beats sort.Slice and
// allocates nothing.
func insertionSortDimensions(dims []Dimension) {
	for i := 1; i < len(dims); i++ {
		for j := i; j > 0 && dimensionLess(dims[j], dims[j-1]); j-- {
			dims[j], dims[j-1] = dims[j-1], dims[j]
		}
	}
}

func dimensionsSorted(dims []Dimension) bool {
	for i := 1; i < len(dims); i++ {
		if dimensionLess(dims[i], dims[i-1]) {
			return false
		}
	}
	return true
}

func dimensionLess(a, b Dimension) bool {
	if a.Name != b.Name {
		return a.Name < b.Name
	}
	return a.Value < b.Value
}

// appendKey appends the canonical key of m to dst: every part length-prefixed
// (so no byte inside a name can be confused with a separator) and the
// dimensions sorted by name, so the key does not depend on the order the
// caller listed them in.
func appendKey(dst []byte, m Metric) []byte {
	dst = appendPart(dst, m.Namespace)
	dst = appendPart(dst, m.Name)
	dims := m.Dimensions
	if !dimensionsSorted(dims) {
		// Sort a copy: on the stack for the usual handful of dimensions.
		var stack [8]Dimension
		sorted := stack[:0]
		if len(dims) > len(stack) {
			sorted = make([]Dimension, 0, len(dims))
		}
		sorted = append(sorted, dims...)
		insertionSortDimensions(sorted)
		dims = sorted
	}
	for _, d := range dims {
		dst = appendPart(dst, d.Name)
		dst = appendPart(dst, d.Value)
	}
	return dst
}

func appendPart(dst []byte, s string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}
