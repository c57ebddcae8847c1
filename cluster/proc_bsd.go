//go:build unix && !linux

package cluster

import (
	"net"
	"os"
	"syscall"
)

// workerAttr puts a worker in its own process group. There is no
// parent-death signal here: a worker notices its master's death when the
// link to it closes.
func workerAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }

func forkExec(path string, argv []string, attr *syscall.ProcAttr) (int, error) {
	return syscall.ForkExec(path, argv, attr)
}

func selfExe() (string, error) { return os.Executable() }

// reusePortBalances: SO_REUSEPORT does not spread connections here.
const reusePortBalances = false

func listenReusePort(network, address string) (net.Listener, error) {
	return net.Listen(network, address)
}
