//go:build darwin

package engine

import (
	"syscall"

	"golang.org/x/sys/unix"
)

// accept takes one pending connection and makes it non-blocking and
// close-on-exec (darwin has no accept4; the fork lock keeps a concurrent
// exec from inheriting the descriptor in between).
func accept(fd int) (int, unix.Sockaddr, error) {
	syscall.ForkLock.RLock()
	defer syscall.ForkLock.RUnlock()
	for {
		nfd, sa, err := unix.Accept(fd)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return -1, nil, err
		}
		unix.CloseOnExec(nfd)
		if err := unix.SetNonblock(nfd, true); err != nil {
			unix.Close(nfd)
			return -1, nil, err
		}
		return nfd, sa, nil
	}
}
