package cluster

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"
)

// workerAttr puts a worker in its own process group (a terminal's Ctrl-C
// reaches the master only, which stops the workers in order) and asks
// the kernel to send it SIGHUP when the master dies (PR_SET_PDEATHSIG):
// SIGTERM is the master's own graceful stop, SIGHUP says it is gone
// (see watchParent).
func workerAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGHUP}
}

// The parent-death signal fires when the thread that started the child
// exits, not the process: workers are started from one goroutine locked
// to its thread for the program's life.
var (
	spawnOnce sync.Once
	spawnReq  chan spawnJob
)

type spawnJob struct {
	path string
	argv []string
	attr *syscall.ProcAttr
	done chan spawnResult
}

type spawnResult struct {
	pid int
	err error
}

// forkExec starts a process from the spawner thread.
func forkExec(path string, argv []string, attr *syscall.ProcAttr) (int, error) {
	spawnOnce.Do(func() {
		spawnReq = make(chan spawnJob)
		go func() {
			runtime.LockOSThread() // never unlocked: the thread lives with the process
			for j := range spawnReq {
				pid, err := syscall.ForkExec(j.path, j.argv, j.attr)
				j.done <- spawnResult{pid, err}
			}
		}()
	})
	done := make(chan spawnResult, 1)
	spawnReq <- spawnJob{path, argv, attr, done}
	r := <-done
	return r.pid, r.err
}

// selfExe returns this process's own binary, even if its file was
// replaced or removed since it started.
func selfExe() (string, error) {
	if _, err := os.Stat("/proc/self/exe"); err == nil {
		return "/proc/self/exe", nil
	}
	p, err := os.Executable()
	if err != nil {
		return "", err
	}
	return filepath.Clean(p), nil
}

// reusePortBalances: Linux spreads connections over the sockets of an
// SO_REUSEPORT group.
const reusePortBalances = true

// listenReusePort binds a TCP listener with SO_REUSEPORT.
func listenReusePort(network, address string) (net.Listener, error) {
	lc := net.ListenConfig{Control: func(_, _ string, rc syscall.RawConn) error {
		var serr error
		if err := rc.Control(func(fd uintptr) {
			serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, unix.SO_REUSEPORT, 1)
		}); err != nil {
			return err
		}
		return serr
	}}
	return lc.Listen(context.Background(), network, address)
}
