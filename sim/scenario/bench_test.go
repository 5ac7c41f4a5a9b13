package scenario

import (
	"os"
	"testing"
)

// BenchmarkParse reads and validates testdata/web.json: the shape pass,
// the decode and Validate.
func BenchmarkParse(b *testing.B) {
	data, err := os.ReadFile("testdata/web.json")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRun builds and runs testdata/ec2-capacity-provider.json and
// makes its report.
func BenchmarkRun(b *testing.B) {
	data, err := os.ReadFile("testdata/ec2-capacity-provider.json")
	if err != nil {
		b.Fatal(err)
	}
	sc, err := Parse(data)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Run(sc, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
