//go:build linux

package engine

import (
	"errors"
	"os"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// poller is one epoll instance with an eventfd for wake-ups. It is owned by
// one loop; add, mod, del and wake may be called from any goroutine (epoll_ctl
// and write are thread safe), wait only by the owner.
//
// The loop goroutine does not block in epoll_wait: that would hold a Go
// scheduler P in a system call until sysmon takes it back, which on a
// machine with few cores delays every other goroutine (and costs a thread
// hand-off per wake-up). Instead the epoll descriptor itself is registered
// with the Go runtime's netpoller (an epoll descriptor is pollable: it is
// readable while events are ready), and wait parks the goroutine there
// when a non-blocking epoll_wait finds nothing.
type poller struct {
	fd      int
	wakeFd  int
	waking  atomic.Bool // a wake-up is pending: coalesces wake writes
	events  [256]unix.EpollEvent
	wakeBuf [8]byte

	file     *os.File        // fd, registered with the runtime poller
	raw      syscall.RawConn // file's raw access
	tryFn    func(uintptr) bool
	n        int       // result of the last tryWait
	err      error     // error of the last tryWait
	deadline bool      // a read deadline is set on file
	dl       time.Time // that deadline
}

func newPoller() (*poller, error) {
	fd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, os.NewSyscallError("epoll_create1", err)
	}
	wfd, err := unix.Eventfd(0, unix.EFD_NONBLOCK|unix.EFD_CLOEXEC)
	if err != nil {
		unix.Close(fd)
		return nil, os.NewSyscallError("eventfd", err)
	}
	p := &poller{fd: fd, wakeFd: wfd}
	ev := unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(wfd)}
	if err := unix.EpollCtl(fd, unix.EPOLL_CTL_ADD, wfd, &ev); err != nil {
		unix.Close(wfd)
		unix.Close(fd)
		return nil, os.NewSyscallError("epoll_ctl add", err)
	}
	if err := unix.SetNonblock(fd, true); err != nil {
		unix.Close(wfd)
		unix.Close(fd)
		return nil, os.NewSyscallError("setnonblock", err)
	}
	p.file = os.NewFile(uintptr(fd), "epoll")
	raw, err := p.file.SyscallConn()
	if err != nil {
		p.close()
		return nil, err
	}
	p.raw = raw
	p.tryFn = p.tryWait
	return p, nil
}

func (p *poller) close() {
	unix.Close(p.wakeFd)
	p.file.Close()
}

func epollMask(interest uint8) uint32 {
	var m uint32
	if interest&interestRead != 0 {
		m |= unix.EPOLLIN | unix.EPOLLRDHUP
	}
	if interest&interestWrite != 0 {
		m |= unix.EPOLLOUT
	}
	return m
}

// add registers fd (level-triggered) with the given interest.
func (p *poller) add(fd int, interest uint8) error {
	ev := unix.EpollEvent{Events: epollMask(interest), Fd: int32(fd)}
	if err := unix.EpollCtl(p.fd, unix.EPOLL_CTL_ADD, fd, &ev); err != nil {
		return os.NewSyscallError("epoll_ctl add", err)
	}
	return nil
}

// addListener registers a listening socket. EPOLLEXCLUSIVE lets every loop
// watch the same listener while the kernel wakes only one of them per
// connection.
func (p *poller) addListener(fd int) error {
	ev := unix.EpollEvent{Events: unix.EPOLLIN | unix.EPOLLEXCLUSIVE, Fd: int32(fd)}
	if err := unix.EpollCtl(p.fd, unix.EPOLL_CTL_ADD, fd, &ev); err != nil {
		return os.NewSyscallError("epoll_ctl add", err)
	}
	return nil
}

// listenerShared reports whether every loop may watch the same listener.
const listenerShared = true

// mod changes fd's interest from old to interest.
func (p *poller) mod(fd int, old, interest uint8) error {
	ev := unix.EpollEvent{Events: epollMask(interest), Fd: int32(fd)}
	if err := unix.EpollCtl(p.fd, unix.EPOLL_CTL_MOD, fd, &ev); err != nil {
		return os.NewSyscallError("epoll_ctl mod", err)
	}
	return nil
}

// del removes fd. Closing a descriptor removes it too; del exists for
// descriptors that stay open (listeners watched by several loops).
func (p *poller) del(fd int, old uint8) error {
	if err := unix.EpollCtl(p.fd, unix.EPOLL_CTL_DEL, fd, nil); err != nil {
		return os.NewSyscallError("epoll_ctl del", err)
	}
	return nil
}

// wake interrupts a wait in progress (or the next one).
func (p *poller) wake() {
	if !p.waking.CompareAndSwap(false, true) {
		return
	}
	var one = [8]byte{1}
	for {
		_, err := unix.Write(p.wakeFd, one[:])
		if err != unix.EINTR {
			return
		}
	}
}

// wait blocks for up to msec milliseconds (-1: no limit) and returns the
// number of events ready; event(i) reads them.
func (p *poller) wait(msec int) (int, error) {
	if msec == 0 {
		p.tryWait(uintptr(p.fd))
		return p.n, p.err
	}
	// RawConn.Read first tries tryWait; when nothing is ready it parks in
	// the runtime poller until the epoll descriptor is readable, or the
	// deadline passes.
	if msec > 0 {
		// Loops wait for the next whole second (the timing wheel's
		// tick): re-arm the runtime timer only when that changes, not
		// on every wait.
		dl := time.Now().Add(time.Duration(msec) * time.Millisecond).Truncate(10 * time.Millisecond)
		if !p.deadline || !dl.Equal(p.dl) {
			p.file.SetReadDeadline(dl)
			p.deadline, p.dl = true, dl
		}
	} else if p.deadline {
		p.file.SetReadDeadline(time.Time{})
		p.deadline = false
	}
	if err := p.raw.Read(p.tryFn); err != nil {
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return 0, nil
		}
		return 0, err
	}
	return p.n, p.err
}

// tryWait collects ready events without blocking; it reports whether
// there is something to handle (for RawConn.Read: false parks).
func (p *poller) tryWait(fd uintptr) bool {
	// A zero timeout never blocks, but this call goes through the
	// scheduler (Syscall6, not RawSyscall6) on purpose: entering a system
	// call wakes a deep-sleeping sysmon, which then polls the runtime
	// netpoller for loops parked there. With RawSyscall everywhere, a
	// busy loop could keep the other loops' connections waiting until
	// the next timer (measured: p99 of 150-720 ms under wrk).
	r, _, e := unix.Syscall6(unix.SYS_EPOLL_PWAIT, fd, uintptr(unsafe.Pointer(&p.events[0])), uintptr(len(p.events)), 0, 0, 0)
	n := int(r)
	var err error
	if e != 0 {
		err = e
	}
	p.n, p.err = n, nil
	if err != nil {
		p.n = 0
		if err == unix.EINTR {
			return false
		}
		p.err = os.NewSyscallError("epoll_wait", err)
		return true
	}
	return n > 0
}

// event returns the descriptor and readiness of the i-th event of the last
// wait. A wake-up is consumed here and reported as fd -1.
func (p *poller) event(i int) (fd int, ev uint8) {
	e := &p.events[i]
	fd = int(e.Fd)
	if fd == p.wakeFd {
		unix.Read(p.wakeFd, p.wakeBuf[:])
		p.waking.Store(false)
		return -1, 0
	}
	if e.Events&(unix.EPOLLIN|unix.EPOLLRDHUP) != 0 {
		ev |= evRead
	}
	if e.Events&unix.EPOLLOUT != 0 {
		ev |= evWrite
	}
	if e.Events&(unix.EPOLLHUP|unix.EPOLLERR) != 0 {
		ev |= evHup
	}
	return fd, ev
}
