package scenario

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/ecssim/ecssim/internal/fielderr"
	"github.com/ecssim/ecssim/sim/traffic"
)

// DefaultMaxFileBytes is how much of a file a scenario names (a traffic
// series) Build reads when Options.MaxFileBytes is zero: 64 MiB, the CSV
// readers' own default (traffic.DefaultMaxTraceBytes).
const DefaultMaxFileBytes = traffic.DefaultMaxTraceBytes

// DirFS returns the files of directory dir for Options.Files: a name is
// opened inside dir with os.OpenInRoot, so a symbolic link may lead only
// to a file inside dir (a link to /etc/passwd, to /dev/zero or up out of
// dir is refused), and ".." cannot climb out either. Build further reads
// only regular files, at most Options.MaxFileBytes of each. Prefer it to
// os.DirFS, which follows links anywhere.
func DirFS(dir string) fs.FS { return rootFS(dir) }

// rootFS is DirFS: names resolved inside one directory.
type rootFS string

// Open opens name inside the directory.
func (r rootFS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	f, err := os.OpenInRoot(string(r), filepath.FromSlash(name))
	if err != nil {
		return nil, err
	}
	return f, nil
}

// Stat describes name inside the directory (following links that stay
// inside it) without opening it, so that a named pipe is refused before
// an open that would wait for a writer.
func (r rootFS) Stat(name string) (fs.FileInfo, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "stat", Path: name, Err: fs.ErrInvalid}
	}
	root, err := os.OpenRoot(string(r))
	if err != nil {
		return nil, err
	}
	defer root.Close()
	return root.Stat(filepath.FromSlash(name))
}

// ReadFile reads and validates the scenario file name in fsys, as Read
// does: it must be a regular file (not a device, a pipe or a directory) of
// at most maxBytes bytes (zero means MaxFileSize). Pass DirFS of the
// file's directory, which is also what Options.Files should hold for the
// files the scenario names.
func ReadFile(fsys fs.FS, name string, maxBytes int64) (*Scenario, error) {
	if maxBytes <= 0 {
		maxBytes = MaxFileSize
	}
	data, err := readRegular(fsys, name, maxBytes)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrFile, err)
	}
	return Parse(data)
}

// errNotRegular marks a file that is not a regular file.
var errNotRegular = errors.New("not a regular file")

// readRegular reads name from fsys if it is a regular file of at most max
// bytes. Its errors never quote the file's content: a file refused is not
// read, and one that turns out too long is not shown.
func readRegular(fsys fs.FS, name string, max int64) ([]byte, error) {
	f, err := openRegular(fsys, name, max)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, fmt.Errorf("reading %q: %w", fielderr.Clip(name), err)
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("%q is larger than %d bytes", fielderr.Clip(name), max)
	}
	return data, nil
}

// openRegular opens name in fsys and checks that it is a regular file of
// at most max bytes before anything is read. A file system that can tell
// links apart (fs.ReadLinkFS, such as os.DirFS) has its links refused,
// since it would follow them anywhere; DirFS follows only the links that
// stay inside its directory.
func openRegular(fsys fs.FS, name string, max int64) (fs.File, error) {
	if fsys == nil {
		return nil, fmt.Errorf("%q: Options.Files is nil, so no file can be read", fielderr.Clip(name))
	}
	if !fs.ValidPath(name) {
		return nil, fmt.Errorf("%q: a file is named by a relative slash-separated path inside the scenario's directory, without \"..\"", fielderr.Clip(name))
	}
	if _, confined := fsys.(rootFS); !confined {
		if lfs, ok := fsys.(fs.ReadLinkFS); ok {
			if info, err := lfs.Lstat(name); err == nil && info.Mode()&fs.ModeSymlink != 0 {
				return nil, fmt.Errorf("%q is a symbolic link; use scenario.DirFS to follow links that stay inside the directory", fielderr.Clip(name))
			}
		}
	}
	if sfs, ok := fsys.(fs.StatFS); ok {
		// Refuse what is not a regular file before opening it: opening a
		// named pipe waits for a writer.
		info, err := sfs.Stat(name)
		if err != nil {
			return nil, fmt.Errorf("%q: %w", fielderr.Clip(name), err)
		}
		if !info.Mode().IsRegular() {
			return nil, fmt.Errorf("%q is %s: %w", fielderr.Clip(name), describeMode(info.Mode()), errNotRegular)
		}
	}
	f, err := fsys.Open(name)
	if err != nil {
		return nil, fmt.Errorf("%q: %w", fielderr.Clip(name), err)
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%q: %w", fielderr.Clip(name), err)
	}
	if !info.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("%q is %s: %w", fielderr.Clip(name), describeMode(info.Mode()), errNotRegular)
	}
	if info.Size() > max {
		f.Close()
		return nil, fmt.Errorf("%q is larger than %d bytes", fielderr.Clip(name), max)
	}
	return f, nil
}

// describeMode names a file type for an error.
func describeMode(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	}
	return "not a regular file"
}

// series reads a scenario's traffic series through openRegular, capped at
// Options.MaxFileBytes.
func (b *builder) series(s *SeriesFile) (traffic.Source, error) {
	max := b.opt.MaxFileBytes
	if max <= 0 {
		max = DefaultMaxFileBytes
	}
	f, err := openRegular(b.opt.Files, s.File, max)
	if err != nil {
		return nil, fmt.Errorf("rate.series.file %w", err)
	}
	defer f.Close()
	series, err := traffic.ReadSeriesCSV(f, traffic.SeriesCSV{TimeColumn: s.TimeColumn, ValueColumn: s.ValueColumn, MaxBytes: max})
	if err != nil {
		return nil, fmt.Errorf("rate.series.file %q: %w", fielderr.Clip(s.File), err)
	}
	rp := traffic.Replay{Series: series, Counts: s.Counts, Scale: s.Scale, Speedup: s.Speedup}
	if err := rp.Validate(); err != nil {
		return nil, fmt.Errorf("rate.series: %w", err)
	}
	if s.Offset == 0 {
		return rp, nil
	}
	return traffic.Delayed{Source: rp, By: time.Duration(s.Offset)}, nil
}
