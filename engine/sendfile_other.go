//go:build !linux

package engine

import (
	"io"
	"os"
)

// sendfile without a sendfile system call: read a chunk and write it.
func sendfile(fd int, f *os.File, off, n int64) (int, error) {
	var buf [32 << 10]byte
	m, err := f.ReadAt(buf[:min(n, int64(len(buf)))], off)
	if m == 0 {
		if err == nil || err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return 0, err
	}
	return write(fd, buf[:m])
}
