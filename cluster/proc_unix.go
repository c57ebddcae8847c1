//go:build unix

package cluster

import (
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

const supported = true

// socketPair returns the two ends of a Unix stream socket pair,
// close-on-exec (the child's copy of its end is made by dup2, without
// the flag). ForkLock keeps a concurrent fork from inheriting them
// before the flag is set.
func socketPair() (parent *os.File, child uintptr, err error) {
	syscall.ForkLock.RLock()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err == nil {
		unix.CloseOnExec(fds[0])
		unix.CloseOnExec(fds[1])
	}
	syscall.ForkLock.RUnlock()
	if err != nil {
		return nil, 0, os.NewSyscallError("socketpair", err)
	}
	return os.NewFile(uintptr(fds[0]), "plezi-cluster-master"), uintptr(fds[1]), nil
}

func closeFD(fd uintptr) { unix.Close(int(fd)) }
