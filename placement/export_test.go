package placement

// SetScanOnly makes c place every task by the plain O(n) scan of its ACTIVE
// instances (filter, constrain, rank in one pass), bypassing the index, so
// that benchmarks can show what the index buys over a good scan.
func SetScanOnly(c *Cluster, on bool) { c.scanOnly = on }

// ScanOnly reports whether SetScanOnly is on.
func ScanOnly(c *Cluster) bool { return c.scanOnly }

// ScoreKey exposes scoreKey to the external tests.
func ScoreKey(f float64) int64 { return scoreKey(f) }
