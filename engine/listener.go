package engine

import (
	"net"
	"os"
	"sync"
	"time"
)

// Listener is a listening socket served by an engine. Close stops
// accepting; connections already accepted are not affected.
type Listener struct {
	e        *Engine
	fd       int          // poller transport; -1 on the portable transport
	nl       net.Listener // portable transport
	addr     net.Addr
	newProto func(*Conn) Protocol
	path     string // Unix socket path to remove on Close

	mu      sync.Mutex
	closed  bool
	started bool
	refs    int           // loops still watching fd after Close
	starved bool          // accepting is backed off: out of descriptors
	backoff time.Duration // current back-off
	logged  time.Time     // when starvation was last logged
	hushed  int           // starvation episodes not logged since
	timers  []*time.Timer // pending resumptions
	done    chan struct{} // closed when fully released
}

// Addr returns the listener's address.
func (ln *Listener) Addr() net.Addr { return ln.addr }

// Close stops accepting connections on the listener.
func (ln *Listener) Close() error {
	ln.mu.Lock()
	if ln.closed {
		ln.mu.Unlock()
		return nil
	}
	ln.closed = true
	for _, t := range ln.timers {
		t.Stop()
	}
	ln.timers = nil
	started := ln.started
	ln.mu.Unlock()
	ln.e.dropListener(ln)
	if ln.nl != nil {
		err := ln.nl.Close()
		if !started {
			close(ln.done)
		}
		return err
	}
	if !started {
		ln.release()
		return nil
	}
	loops := ln.e.loopsSnapshot()
	ln.mu.Lock()
	ln.refs = len(loops)
	ln.mu.Unlock()
	for _, l := range loops {
		l.post(job{op: opUnlisten, ln: ln})
	}
	return nil
}

// loopDone is called by each loop that stopped watching a closed listener.
func (ln *Listener) loopDone() {
	ln.mu.Lock()
	if !ln.closed {
		ln.mu.Unlock()
		return
	}
	ln.refs--
	last := ln.refs == 0
	ln.mu.Unlock()
	if last {
		ln.release()
	}
}

func (ln *Listener) release() {
	closeFD(ln.fd)
	if ln.path != "" {
		os.Remove(ln.path)
	}
	close(ln.done)
}

// start begins accepting once the engine runs.
func (ln *Listener) start(loops []*loop) {
	ln.mu.Lock()
	if ln.closed || ln.started {
		ln.mu.Unlock()
		return
	}
	ln.started = true
	ln.mu.Unlock()
	if ln.nl != nil {
		ln.e.goAccept(ln)
		return
	}
	if listenerShared {
		for _, l := range loops {
			l.post(job{op: opListen, ln: ln})
		}
		return
	}
	loops[0].post(job{op: opListen, ln: ln})
}

func (ln *Listener) isClosed() bool {
	ln.mu.Lock()
	defer ln.mu.Unlock()
	return ln.closed
}

const (
	minAcceptBackoff = 10 * time.Millisecond
	maxAcceptBackoff = time.Second
)

// starveLogEvery bounds how often running out of descriptors is logged:
// under descriptor pressure accepting flaps between episodes, and one line
// per episode would flood the log.
const starveLogEvery = time.Minute

// starve records that accepting failed for lack of descriptors and returns
// how long to back off. The listener itself is never dropped. The first
// episode is logged, later ones at most once per starveLogEvery (with the
// count of those not logged).
func (ln *Listener) starve(err error) time.Duration {
	ln.mu.Lock()
	defer ln.mu.Unlock()
	if !ln.starved {
		ln.starved = true
		ln.backoff = minAcceptBackoff
		if now := time.Now(); now.Sub(ln.logged) >= starveLogEvery {
			ln.e.log().Warn("plezi/engine: accept: out of file descriptors; backing off",
				"addr", ln.addr.String(), "err", err, "unlogged_episodes", ln.hushed)
			ln.logged, ln.hushed = now, 0
		} else {
			ln.hushed++
		}
	} else if ln.backoff < maxAcceptBackoff {
		ln.backoff = min(2*ln.backoff, maxAcceptBackoff)
	}
	return ln.backoff
}

// fed records a successful accept, ending a starvation episode.
func (ln *Listener) fed() {
	ln.mu.Lock()
	ln.starved = false
	ln.mu.Unlock()
}

// after runs fn after d unless the listener closes first.
func (ln *Listener) after(d time.Duration, fn func()) {
	ln.mu.Lock()
	defer ln.mu.Unlock()
	if ln.closed {
		return
	}
	var t *time.Timer
	t = time.AfterFunc(d, func() {
		ln.mu.Lock()
		for i, x := range ln.timers {
			if x == t {
				ln.timers = append(ln.timers[:i], ln.timers[i+1:]...)
				break
			}
		}
		closed := ln.closed
		ln.mu.Unlock()
		if !closed {
			fn()
		}
	})
	ln.timers = append(ln.timers, t)
}
