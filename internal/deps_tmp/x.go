package depstmp

import (
	_ "github.com/google/go-cmp/cmp"
	_ "gonum.org/v1/gonum/stat"
	_ "gonum.org/v1/gonum/stat/distuv"
	_ "pgregory.net/rapid"
)
