//go:build unix

package scenario

import (
	"errors"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestSeriesNamedPipeIsRefusedWithoutWaiting: opening a named pipe waits
// for a writer, so a pipe named as a series would hang Build; it is
// refused from its file type before it is opened.
func TestSeriesNamedPipeIsRefusedWithoutWaiting(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe.csv"), 0o600); err != nil {
		t.Skipf("no named pipes here: %v", err)
	}
	err := buildErr(t, dir, "pipe.csv", Options{})
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), `"pipe.csv" is a named pipe`) {
		t.Errorf("named pipe: %v", err)
	}
}
