package engine

import (
	"errors"
	"net"
	"time"
)

// acceptBatch bounds the connections one loop accepts per readiness event,
// so that accepting never starves the loop's other connections.
const acceptBatch = 64

// accept takes pending connections of a poller listener and spreads them
// over the loops. more: it stopped at acceptBatch (others may wait).
func (l *loop) accept(ln *Listener) (more bool) {
	for i := 0; i < acceptBatch; i++ {
		fd, sa, err := accept(ln.fd)
		if err != nil {
			switch {
			case isAgain(err):
			case isTemporaryAccept(err):
				continue
			default:
				// Out of descriptors (or an unexpected error): stop
				// watching for a while instead of spinning on a
				// level-triggered listener that stays readable.
				d := ln.starve(err)
				l.p.del(ln.fd, interestRead)
				delete(l.listeners, ln.fd)
				ln.after(d, func() { l.post(job{op: opListen, ln: ln}) })
			}
			return false
		}
		if i == 0 {
			ln.fed()
		}
		setNoDelay(fd, sa)
		target := l.e.pickLoop()
		c := l.e.newConn(target, fd, sa, nil, ln.newProto)
		if target == l {
			l.register(c)
		} else {
			target.post(job{op: opRegister, c: c})
		}
	}
	return true
}

// goAccept runs the accept goroutine of a portable listener.
func (e *Engine) goAccept(ln *Listener) {
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		defer close(ln.done)
		for {
			nc, err := ln.nl.Accept()
			if err != nil {
				if ln.isClosed() || errors.Is(err, net.ErrClosed) {
					return
				}
				d := ln.starve(err)
				select {
				case <-time.After(d):
				case <-e.stopping:
					return
				}
				continue
			}
			ln.fed()
			if _, err := e.attach(nc, ln.newProto); err != nil {
				nc.Close()
			}
		}
	}()
}
