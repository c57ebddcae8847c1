//go:build linux || darwin || freebsd

package engine

import (
	"net"

	"golang.org/x/sys/unix"
)

// hasPoller reports whether this platform has an epoll or kqueue poller.
const hasPoller = true

// peerAddr converts the sockaddr recorded at accept to a net.Addr.
func peerAddr(peer any) net.Addr {
	sa, _ := peer.(unix.Sockaddr)
	if sa == nil {
		return nil
	}
	return sockaddrToAddr(sa)
}
