package metrics

import (
	"fmt"
	"testing"
	"time"
	"unsafe"
)

// TestSeriesOfANameLieTogether holds newSeries to its layout: series of
// one metric name made one after the other, with series of other names
// made between them (a world's services, each publishing several
// metrics), take consecutive records of chunks of their own, one record
// then blocks of seriesBlock's, every record on a line (on 64-bit
// platforms, which the layout is for); and Store.Bytes
// counts the records made and not yet handed out.
func TestSeriesOfANameLieTogether(t *testing.T) {
	s, err := NewStore(Config{})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	const services = 100
	names := []string{MetricCPUUtilization, MetricMemoryUtilization, MetricRunningTaskCount}
	made := make([][]*series, len(names))
	for i := range services {
		for k, name := range names {
			m := ServiceMetric(name, "prod", fmt.Sprintf("svc-%03d", i))
			if err := s.Put(m, at, 1); err != nil {
				t.Fatal(err)
			}
			sr, err := s.lookupOrCreate(m)
			if err != nil {
				t.Fatal(err)
			}
			made[k] = append(made[k], sr)
		}
	}
	size := unsafe.Sizeof(series{})
	is64 := unsafe.Sizeof(uintptr(0)) == 8
	block := len(seriesBlock{}.recs)
	for k, name := range names {
		// Chunks of 1, then of a block's: record i is next to record
		// i-1 unless a chunk starts at i.
		for i := range services {
			if a := uintptr(unsafe.Pointer(made[k][i])); a%64 != 0 && is64 { // laid out for 64-bit platforms
				t.Errorf("%s: series %d at %#x, not on a line", name, i, a)
			}
			if i == 0 {
				continue
			}
			start := (i-1)%block == 0
			d := uintptr(unsafe.Pointer(made[k][i])) - uintptr(unsafe.Pointer(made[k][i-1]))
			if adjacent := d == size; adjacent == start {
				t.Errorf("%s: series %d is %d bytes after series %d; a chunk starts there: %v", name, i, int64(d), i-1, start)
			}
		}
	}
	// 100 = 1 + 8 blocks of 12 + 3 of a ninth: 9 spare a name.
	want := 0
	for _, sr := range s.series {
		want += sr.bytes()
	}
	for _, g := range s.groups {
		want += g.bytes()
	}
	spare := (block - (services-1)%block) % block
	want += s.blockBytes() + len(names)*spare*int(size)
	if got := s.Bytes(); got != want {
		t.Errorf("Bytes() = %d, want %d (the series, and %d spare records of each of %d names)", got, want, spare, len(names))
	}
}

// TestExpiredSeriesLetGoOfTheirRings expires series that held raw samples
// and rollups, and wants their rings empty of memory: an expired series'
// record may stay in memory beside a live one of its chunk (newSeries),
// and must not keep its rings' buffers there too. A series of the same
// metric made again afterwards starts empty and takes samples as a new
// one does.
func TestExpiredSeriesLetGoOfTheirRings(t *testing.T) {
	s, err := NewStore(Config{})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var gone []*series
	for i := range 5 {
		m := ServiceMetric(MetricCPUUtilization, "prod", fmt.Sprintf("svc-%d", i))
		for k := range 90 {
			if err := s.Put(m, at.Add(time.Duration(k)*time.Minute), float64(k)); err != nil {
				t.Fatal(err)
			}
		}
		sr, err := s.lookupOrCreate(m)
		if err != nil {
			t.Fatal(err)
		}
		if cap(sr.raw.buf) == 0 {
			t.Fatalf("series %d holds no raw samples before it expires", i)
		}
		gone = append(gone, sr)
	}
	s.Expire(at.Add(5 * 366 * 24 * time.Hour)) // beyond every tier's retention
	for i, sr := range gone {
		if !sr.expired {
			t.Fatalf("series %d did not expire", i)
		}
		if sr.raw.buf != nil {
			t.Errorf("expired series %d keeps %d raw slots", i, cap(sr.raw.buf))
		}
		for k := range sr.tiers {
			if b := sr.tiers[k].buckets.buf; b != nil {
				t.Errorf("expired series %d keeps %d buckets of tier %d", i, cap(b), k)
			}
		}
	}
	m := ServiceMetric(MetricCPUUtilization, "prod", "svc-0")
	later := at.Add(6 * 366 * 24 * time.Hour)
	if err := s.Put(m, later, 7); err != nil {
		t.Fatal(err)
	}
	if v, ok := s.Statistic(m, Maximum, time.Minute, later.Add(time.Minute)); !ok || v != 7 {
		t.Errorf("the series made again reads %v, %v; want 7, true", v, ok)
	}
}
