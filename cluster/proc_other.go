//go:build !unix

package cluster

import (
	"net"
	"os"
)

// Worker processes need descriptor inheritance by number, which this
// system lacks: every process is Single.
const supported = false

func runMaster(c *Cluster) error { return ErrUnsupported }

func (c *Cluster) watchParent() {}

func rawDup(f *os.File) (uintptr, error) { return 0, ErrUnsupported }
func closeFD(fd uintptr)                 {}

const reusePortBalances = false

func listenReusePort(network, address string) (net.Listener, error) {
	return net.Listen(network, address)
}
