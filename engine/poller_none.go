//go:build !linux && !darwin && !freebsd

package engine

import (
	"errors"
	"net"
	"time"
)

// hasPoller reports whether this platform has an epoll or kqueue poller.
// Here it has none: every connection uses the portable net.Conn transport
// and loops wait on a channel (they still run timeouts, posted jobs and,
// with Threads 0, callbacks).
const hasPoller = false

const listenerShared = false

var errNoFD = errors.New("plezi/engine: no poller on this platform")

type poller struct {
	ch chan struct{}
}

func newPoller() (*poller, error) { return &poller{ch: make(chan struct{}, 1)}, nil }

func (p *poller) close()                           {}
func (p *poller) add(fd int, interest uint8) error { return errNoFD }
func (p *poller) addListener(fd int) error         { return errNoFD }
func (p *poller) mod(fd int, old, in uint8) error  { return errNoFD }
func (p *poller) del(fd int, old uint8) error      { return errNoFD }
func (p *poller) event(i int) (fd int, ev uint8)   { return -1, 0 }
func (p *poller) wake() {
	select {
	case p.ch <- struct{}{}:
	default:
	}
}

func (p *poller) wait(msec int) (int, error) {
	if msec < 0 {
		<-p.ch
		return 0, nil
	}
	t := time.NewTimer(time.Duration(msec) * time.Millisecond)
	defer t.Stop()
	select {
	case <-p.ch:
	case <-t.C:
	}
	return 0, nil
}

func peerAddr(peer any) net.Addr { return nil }

func listenFD(network, address string) (int, net.Addr, error) { return -1, nil, errNoFD }

func takeFD(ln net.Listener) (int, net.Addr, error) { return -1, nil, errNoFD }
func accept(fd int) (int, any, error)               { return -1, nil, errNoFD }
func setNoDelay(fd int, sa any)                     {}
func writev(fd int, segs []seg) (int, error)        { return 0, errNoFD }
func write(fd int, p []byte) (int, error)           { return 0, errNoFD }
func read(fd int, p []byte) (int, error)            { return 0, errNoFD }
func closeFD(fd int)                                {}
func isAgain(err error) bool                        { return false }
func isTemporaryAccept(err error) bool              { return false }
