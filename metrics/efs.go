package metrics

// Amazon EFS file system metrics
// (https://docs.aws.amazon.com/efs/latest/ug/efs-metrics.html): namespace
// AWS/EFS, dimension FileSystemId.
const (
	NamespaceEFS          = "AWS/EFS"
	DimensionFileSystemID = "FileSystemId"

	MetricBurstCreditBalance  = "BurstCreditBalance"  // bytes; the balance at the minute's end
	MetricPermittedThroughput = "PermittedThroughput" // bytes/second
	MetricMeteredIOBytes      = "MeteredIOBytes"      // bytes metered in the minute; read with Sum
	MetricClientConnections   = "ClientConnections"   // connections; read with Sum
)

// FileSystemMetric is the AWS/EFS metric name of one file system, e.g.
// FileSystemMetric(MetricBurstCreditBalance, "fs-0123456789abcdef0").
func FileSystemMetric(name, fileSystemID string) Metric {
	return Metric{Namespace: NamespaceEFS, Name: name, Dimensions: []Dimension{{DimensionFileSystemID, fileSystemID}}}
}
