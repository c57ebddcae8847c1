//go:build linux

package engine

import (
	"os"

	"golang.org/x/sys/unix"
)

// accept takes one pending connection, non-blocking and close-on-exec.
func accept(fd int) (int, unix.Sockaddr, error) {
	for {
		nfd, sa, err := unix.Accept4(fd, unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC)
		if err == unix.EINTR {
			continue
		}
		return nfd, sa, err
	}
}

// sendfile sends up to n bytes of f from off to the socket fd.
func sendfile(fd int, f *os.File, off, n int64) (int, error) {
	const maxChunk = 1 << 30
	o := off
	for {
		w, err := unix.Sendfile(fd, int(f.Fd()), &o, int(min(n, maxChunk)))
		if err == unix.EINTR {
			continue
		}
		if w < 0 {
			w = 0
		}
		return w, err
	}
}
