//go:build unix

package cluster

import (
	"os"
	"os/signal"
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

// rawDup returns a close-on-exec duplicate of f's descriptor, which Go's
// poller does not watch.
func rawDup(f *os.File) (uintptr, error) {
	rc, err := f.SyscallConn()
	if err != nil {
		return 0, err
	}
	var fd int
	var derr error
	if err := rc.Control(func(d uintptr) { fd, derr = unix.FcntlInt(d, unix.F_DUPFD_CLOEXEC, 0) }); err != nil {
		return 0, err
	}
	if derr != nil {
		return 0, os.NewSyscallError("fcntl dupfd", derr)
	}
	return uintptr(fd), nil
}

// watchParent stops a worker on SIGHUP, the signal the kernel sends it
// when its master dies (workerAttr): OnParentCrash, then OnMasterGone's
// function. Workers have their own process group, so a terminal's hang
// up does not reach them. It ends with Close.
func (c *Cluster) watchParent() {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGHUP)
	quit := c.quit
	go func() {
		defer signal.Stop(ch)
		select {
		case <-ch:
			c.masterGone()
		case <-quit:
		}
	}()
}
