package capacity

import (
	"errors"
	"math"
	"testing"
	"time"
)

// TestFileSystemBilling holds file system billing to the price list's
// arithmetic: 100 GB for a 730-hour month at $0.30 per GB-month is $30;
// 50 MiB/s provisioned above the baseline for the month at $6 per
// MiB/s-month is $300; 10 GB read and 1 GB written in Elastic mode cost
// 10 · $0.03 + 1 · $0.06. The services, providers and clusters are
// untouched, and the totals add up.
func TestFileSystemBilling(t *testing.T) {
	acc, err := NewAccumulator(USEast1Prices())
	if err != nil {
		t.Fatal(err)
	}
	month := time.Duration(HoursPerMonth) * time.Hour
	if err := acc.StartFileSystem("fs-00000001", FileSystemUsage{StoredGB: 100}, 0); err != nil {
		t.Fatal(err)
	}
	if err := acc.StartFileSystem("fs-00000002", FileSystemUsage{StoredGB: 0, ProvisionedAboveBaselineMiBps: 50}, 0); err != nil {
		t.Fatal(err)
	}
	if err := acc.ChargeFileSystem("fs-00000001", 10, 1); err != nil {
		t.Fatal(err)
	}
	r := acc.Report(month)
	want := map[string]float64{"fs-00000001": 30 + 0.3 + 0.06, "fs-00000002": 300}
	if len(r.ByFileSystem) != 2 {
		t.Fatalf("ByFileSystem = %v, want two lines", r.ByFileSystem)
	}
	for _, l := range r.ByFileSystem {
		if math.Abs(l.Cost-want[l.Key]) > 1e-9 {
			t.Errorf("%s cost %v, want %v", l.Key, l.Cost, want[l.Key])
		}
	}
	if math.Abs(r.Total-330.36) > 1e-9 || len(r.ByService)+len(r.ByCluster) != 0 {
		t.Errorf("report %+v, want total 330.36 and no service or cluster", r)
	}
	// Stopping settles the same amount.
	if err := acc.Stop("fs-00000001", month); err != nil {
		t.Fatal(err)
	}
	if got := acc.Report(month).Total; math.Abs(got-330.36) > 1e-9 {
		t.Errorf("after Stop the total is %v, want 330.36", got)
	}
	if err := acc.ChargeFileSystem("fs-00000001", 1, 0); !errors.Is(err, ErrUnknownID) {
		t.Errorf("charging a stopped file system: %v, want ErrUnknownID", err)
	}
	if err := acc.StartFileSystem("fs-x", FileSystemUsage{StoredGB: -1, ProvisionedAboveBaselineMiBps: math.NaN()}, 0); err == nil {
		t.Error("StartFileSystem took a negative size and a NaN throughput")
	}
}
