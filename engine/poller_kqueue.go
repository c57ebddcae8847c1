//go:build darwin || freebsd

package engine

import (
	"os"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// wakeIdent is the EVFILT_USER identifier used for wake-ups.
const wakeIdent = 0

// poller is one kqueue with an EVFILT_USER event for wake-ups. It is owned
// by one loop; add, mod, del and wake may be called from any goroutine
// (kevent is thread safe), wait only by the owner.
type poller struct {
	fd     int
	waking atomic.Bool
	events [256]unix.Kevent_t
}

func newPoller() (*poller, error) {
	fd, err := unix.Kqueue()
	if err != nil {
		return nil, os.NewSyscallError("kqueue", err)
	}
	unix.CloseOnExec(fd)
	p := &poller{fd: fd}
	ev := []unix.Kevent_t{{Ident: wakeIdent, Filter: unix.EVFILT_USER, Flags: unix.EV_ADD | unix.EV_CLEAR}}
	if _, err := unix.Kevent(fd, ev, nil, nil); err != nil {
		unix.Close(fd)
		return nil, os.NewSyscallError("kevent add", err)
	}
	return p, nil
}

func (p *poller) close() { unix.Close(p.fd) }

// change applies the filter changes for fd going from old to interest.
func (p *poller) change(fd int, old, interest uint8) error {
	var ch [2]unix.Kevent_t
	n := 0
	set := func(filter int16, on bool) {
		ev := &ch[n]
		unix.SetKevent(ev, fd, int(filter), unix.EV_ADD)
		if !on {
			ev.Flags = unix.EV_DELETE
		}
		n++
	}
	if (old^interest)&interestRead != 0 {
		set(unix.EVFILT_READ, interest&interestRead != 0)
	}
	if (old^interest)&interestWrite != 0 {
		set(unix.EVFILT_WRITE, interest&interestWrite != 0)
	}
	if n == 0 {
		return nil
	}
	if _, err := unix.Kevent(p.fd, ch[:n], nil, nil); err != nil {
		return os.NewSyscallError("kevent", err)
	}
	return nil
}

func (p *poller) add(fd int, interest uint8) error { return p.change(fd, 0, interest) }

func (p *poller) addListener(fd int) error { return p.change(fd, 0, interestRead) }

// listenerShared reports whether every loop may watch the same listener:
// kqueue has no exclusive wake-up, so one loop accepts and spreads.
const listenerShared = false

func (p *poller) mod(fd int, old, interest uint8) error { return p.change(fd, old, interest) }

func (p *poller) del(fd int, old uint8) error { return p.change(fd, old, 0) }

func (p *poller) wake() {
	if !p.waking.CompareAndSwap(false, true) {
		return
	}
	ev := []unix.Kevent_t{{Ident: wakeIdent, Filter: unix.EVFILT_USER, Fflags: unix.NOTE_TRIGGER}}
	unix.Kevent(p.fd, ev, nil, nil)
}

func (p *poller) wait(msec int) (int, error) {
	var ts *unix.Timespec
	if msec >= 0 {
		t := unix.NsecToTimespec(int64(msec) * 1e6)
		ts = &t
	}
	n, err := unix.Kevent(p.fd, nil, p.events[:], ts)
	if err != nil {
		if err == unix.EINTR {
			return 0, nil
		}
		return 0, os.NewSyscallError("kevent wait", err)
	}
	return n, nil
}

func (p *poller) event(i int) (fd int, ev uint8) {
	e := &p.events[i]
	if e.Filter == unix.EVFILT_USER {
		p.waking.Store(false)
		return -1, 0
	}
	fd = int(e.Ident)
	switch e.Filter {
	case unix.EVFILT_READ:
		ev |= evRead
	case unix.EVFILT_WRITE:
		ev |= evWrite
	}
	// EV_EOF on the read filter is a half-close: the data before it is
	// still readable and read returns 0 after it, as on Linux.
	if e.Flags&unix.EV_ERROR != 0 {
		ev |= evHup
	}
	return fd, ev
}
