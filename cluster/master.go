//go:build unix

package cluster

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Respawn back-off of a worker that keeps crashing: it doubles from
// minBackoff up to maxBackoff while a worker lives less than stableAfter.
const (
	minBackoff  = 100 * time.Millisecond
	maxBackoff  = 5 * time.Second
	stableAfter = 10 * time.Second
	killWait    = 5 * time.Second // after SIGKILL
)

// runMaster is Run in the master.
func runMaster(c *Cluster) error {
	m, err := newMaster(c)
	if err != nil {
		return err
	}
	return m.run()
}

type evKind int

const (
	evReady evKind = iota
	evExit
	evRespawn
	evUpgrade // the new master's answer: err nil when it serves
)

type event struct {
	kind evKind
	p    *proc
	id   int
	err  error
}

// proc is a worker process.
type proc struct {
	id       int
	pr       *os.Process
	mem      *member
	started  time.Time
	ready    bool
	exited   bool
	expected bool // asked to stop: its exit is not a crash
}

type master struct {
	c       *Cluster
	exe     string // this binary, for workers
	upgrade string // the program's path on disk, for SIGUSR2
	router  *router
	slots   []*proc // the current process of each worker number (nil: down)
	procs   map[*proc]bool
	backoff []time.Duration
	events  chan event
	sigs    chan os.Signal
	done    chan struct{} // closed when Run returns
	stopReq bool          // SIGINT/SIGTERM arrived
	handoff bool          // a new master took over
}

func newMaster(c *Cluster) (*master, error) {
	n := c.Count()
	m := &master{c: c, slots: make([]*proc, n), backoff: make([]time.Duration, n),
		procs: map[*proc]bool{}, events: make(chan event, 64), sigs: make(chan os.Signal, 8),
		done: make(chan struct{})}
	m.router = newRouter(c.Upstream, func(msg string, args ...any) { c.log().Warn("plezi/cluster: "+msg, args...) })
	var err error
	if m.exe, err = selfExe(); err != nil {
		return nil, err
	}
	m.upgrade = c.program
	return m, nil
}

func (m *master) run() error {
	defer close(m.done)
	signal.Notify(m.sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGUSR1, syscall.SIGUSR2)
	defer signal.Stop(m.sigs)
	removePID, err := m.c.WritePIDFile()
	if err != nil {
		return err
	}
	defer removePID()
	if m.c.OnMaster != nil {
		m.c.OnMaster()
	}
	m.c.log().Info("plezi/cluster: master started", "pid", os.Getpid(), "workers", len(m.slots))
	for id := 1; id <= len(m.slots); id++ {
		if _, err := m.spawn(id); err != nil {
			m.shutdown()
			return err
		}
	}
	m.pump(m.c.readyTimeout(), m.allReady)
	m.tellUpgrader()
	for !m.stopReq && !m.handoff {
		select {
		case s := <-m.sigs:
			m.signal(s)
		case ev := <-m.events:
			m.handle(ev)
		case <-m.c.stopCh:
			m.stopReq = true
		}
	}
	m.shutdown()
	return nil
}

// signal acts on a signal received in the main loop.
func (m *master) signal(s os.Signal) {
	switch s {
	case syscall.SIGUSR1:
		m.c.log().Info("plezi/cluster: hot restart (SIGUSR1)")
		m.restart()
	case syscall.SIGUSR2:
		m.c.log().Info("plezi/cluster: upgrade (SIGUSR2)")
		m.startUpgrade()
	default:
		m.stopReq = true
	}
}

// pump handles events until done holds (true), d passes or a stop is
// requested (false).
func (m *master) pump(d time.Duration, done func() bool) bool { return m.wait(d, done, true) }

// drain is pump while stopping: only d or done end it.
func (m *master) drain(d time.Duration, done func() bool) bool { return m.wait(d, done, false) }

func (m *master) wait(d time.Duration, done func() bool, interruptible bool) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	stop := m.c.stopCh
	if !interruptible {
		stop = nil // closed for good once Stop was called
	}
	for !done() {
		if interruptible && m.stopReq {
			return false
		}
		select {
		case ev := <-m.events:
			m.handle(ev)
		case s := <-m.sigs:
			if s == syscall.SIGINT || s == syscall.SIGTERM {
				m.stopReq = true
			} else {
				m.c.log().Warn("plezi/cluster: signal ignored while busy", "signal", s)
			}
		case <-stop:
			m.stopReq = true
		case <-t.C:
			return false
		}
	}
	return true
}

func (m *master) allReady() bool {
	for _, p := range m.slots {
		if p == nil || !p.ready {
			return false
		}
	}
	return true
}

// handle applies an event.
func (m *master) handle(ev event) {
	switch ev.kind {
	case evReady:
		ev.p.ready = true
	case evExit:
		m.exited(ev.p, ev.err)
	case evRespawn:
		if m.slots[ev.id-1] == nil && !m.stopReq && !m.handoff {
			if _, err := m.spawn(ev.id); err != nil {
				m.c.log().Error("plezi/cluster: cannot start worker", "id", ev.id, "err", err)
				m.scheduleRespawn(ev.id, false)
			}
		}
	case evUpgrade:
		if ev.err != nil {
			m.c.log().Error("plezi/cluster: upgrade failed; this master goes on", "err", ev.err)
			return
		}
		m.c.log().Info("plezi/cluster: the new master serves; stopping this one")
		m.handoff = true
	}
}

// exited forgets a worker that exited and restarts it unless it was
// asked to stop.
func (m *master) exited(p *proc, err error) {
	p.exited = true
	delete(m.procs, p)
	m.router.leave(p.mem)
	p.mem.l.close()
	if m.slots[p.id-1] != p {
		return // replaced (hot restart)
	}
	m.slots[p.id-1] = nil
	if p.expected || m.stopReq || m.handoff {
		return
	}
	if err == nil {
		err = fmt.Errorf("exited with status 0")
	}
	m.c.log().Error("plezi/cluster: worker crashed; starting it again", "id", p.id, "pid", p.pr.Pid, "err", err)
	if m.c.OnWorkerCrash != nil {
		m.c.OnWorkerCrash(p.id, err)
	}
	m.scheduleRespawn(p.id, time.Since(p.started) >= stableAfter)
}

func (m *master) scheduleRespawn(id int, stable bool) {
	b := &m.backoff[id-1]
	switch {
	case stable || *b == 0:
		*b = minBackoff
	default:
		*b = min(*b*2, maxBackoff)
	}
	time.AfterFunc(*b, func() { m.post(event{kind: evRespawn, id: id}) })
}

// post sends an event unless Run returned.
func (m *master) post(ev event) {
	select {
	case m.events <- ev:
	case <-m.done:
	}
}

// spawn starts worker number id, which becomes its slot's process.
func (m *master) spawn(id int) (*proc, error) {
	if m.c.BeforeFork != nil {
		m.c.BeforeFork()
	}
	parent, child, err := socketPair()
	if err != nil {
		return nil, err
	}
	pr, err := m.launch(m.exe, "worker", id, child, workerAttr())
	closeFD(child)
	if err != nil {
		parent.Close()
		return nil, err
	}
	conn, err := net.FileConn(parent)
	parent.Close()
	if err != nil {
		pr.Kill()
		pr.Wait()
		return nil, err
	}
	p := &proc{id: id, pr: pr, mem: &member{l: newLink(conn, 0)}, started: time.Now()}
	m.procs[p] = true
	m.slots[id-1] = p
	go m.read(p)
	go func() { m.post(event{kind: evExit, p: p, err: waitProcess(pr)}) }()
	m.c.log().Info("plezi/cluster: worker started", "id", id, "pid", pr.Pid)
	return p, nil
}

// launch re-executes the program as role, with fd3 as its descriptor 3
// and the listeners after it (standard input, output and error as the
// master's). It passes raw descriptors: exec.Cmd would call os.File.Fd,
// which puts the listening sockets, shared with the running workers, in
// blocking mode.
func (m *master) launch(exe, role string, id int, fd3 uintptr, sys *syscall.SysProcAttr) (*os.Process, error) {
	files := []uintptr{0, 1, 2, fd3}
	var keys []string
	for _, b := range m.c.bound {
		if id > 0 { // a worker: its socket of each listener
			files, keys = append(files, b.fd(id)), append(keys, b.key)
			continue
		}
		for _, fd := range b.fds { // a new master: all of them
			files, keys = append(files, fd), append(keys, b.key)
		}
	}
	env := append(os.Environ(), envRole+"="+role, envListeners+"="+strings.Join(keys, "\n"))
	if id > 0 {
		env = append(env, envWorkerID+"="+strconv.Itoa(id))
	}
	argv := append([]string{os.Args[0]}, os.Args[1:]...)
	pid, err := forkExec(exe, argv, &syscall.ProcAttr{Env: env, Files: files, Sys: sys})
	if err != nil {
		return nil, err
	}
	return os.FindProcess(pid)
}

// waitProcess waits for pr's exit; a failure status is an error.
func waitProcess(pr *os.Process) error {
	st, err := pr.Wait()
	if err != nil {
		return err
	}
	if !st.Success() {
		return errors.New(st.String())
	}
	return nil
}

// read routes a worker's frames until its link ends.
func (m *master) read(p *proc) {
	err := p.mem.l.read(func(typ byte, a string, b []byte, c string) {
		switch typ {
		case fReady:
			m.post(event{kind: evReady, p: p})
		case fSub, fPSub:
			m.router.subscribe(p.mem, a, typ == fPSub)
		case fUnsub, fPUnsub:
			m.router.unsubscribe(p.mem, a, typ == fPUnsub)
		case fPublish, fRemote:
			m.router.publish(p.mem, a, b, typ == fRemote)
		}
	})
	if err == errFrame {
		m.c.log().Error("plezi/cluster: malformed frame from worker; stopping it", "id", p.id)
		p.pr.Signal(syscall.SIGTERM)
	}
	p.mem.l.close()
}

// restart replaces the workers one at a time: the new one must report
// ready before the old one is stopped; a new one that fails to leaves
// the old one serving.
func (m *master) restart() {
	for id := 1; id <= len(m.slots) && !m.stopReq; id++ {
		old := m.slots[id-1]
		np, err := m.spawn(id)
		if err != nil {
			m.c.log().Error("plezi/cluster: hot restart: cannot start worker", "id", id, "err", err)
			continue
		}
		if !m.pump(m.c.readyTimeout(), func() bool { return np.ready || np.exited }) || !np.ready {
			m.c.log().Error("plezi/cluster: hot restart: new worker not ready; keeping the old one", "id", id)
			np.expected = true
			np.pr.Kill()
			if old != nil && !old.exited {
				m.slots[id-1] = old
			} else {
				m.slots[id-1] = nil
				m.scheduleRespawn(id, false)
			}
			continue
		}
		if old != nil && !old.exited {
			m.stop(old)
		}
	}
}

// stop stops one worker gracefully, killing it after StopTimeout.
func (m *master) stop(p *proc) {
	p.expected = true
	p.pr.Signal(syscall.SIGTERM)
	if m.drain(m.c.stopTimeout(), func() bool { return p.exited }) {
		return
	}
	p.pr.Kill()
	m.drain(killWait, func() bool { return p.exited })
}

// shutdown stops every worker gracefully (killing those still there
// after StopTimeout) and releases the master's resources.
func (m *master) shutdown() {
	m.stopReq = true
	for p := range m.procs {
		p.expected = true
		p.pr.Signal(syscall.SIGTERM)
	}
	none := func() bool { return len(m.procs) == 0 }
	if !m.drain(m.c.stopTimeout(), none) {
		for p := range m.procs {
			m.c.log().Error("plezi/cluster: worker did not stop in time; killing it", "id", p.id)
			p.pr.Kill()
		}
		m.drain(killWait, none)
	}
	for _, b := range m.c.bound {
		if !m.handoff && strings.HasPrefix(b.key, "unix ") {
			os.Remove(strings.TrimPrefix(b.key, "unix "))
		}
		for _, fd := range b.fds {
			closeFD(fd)
		}
	}
	if m.c.OnFinish != nil {
		m.c.OnFinish()
	}
	m.c.log().Info("plezi/cluster: master stopped", "pid", os.Getpid())
}

// startUpgrade starts a new master from the program's file; its answer
// arrives as an evUpgrade event.
func (m *master) startUpgrade() {
	r, w, err := os.Pipe()
	if err != nil {
		m.c.log().Error("plezi/cluster: upgrade: pipe", "err", err)
		return
	}
	pr, err := m.launch(m.upgrade, "master", 0, fileFD(w), nil)
	w.Close()
	if err != nil {
		r.Close()
		m.c.log().Error("plezi/cluster: upgrade: cannot start the new master", "err", err)
		return
	}
	m.c.log().Info("plezi/cluster: new master started", "pid", pr.Pid)
	timeout := m.c.readyTimeout() + m.c.stopTimeout()
	go func() {
		defer r.Close()
		res := make(chan error, 1)
		go func() {
			line, err := bufio.NewReader(r).ReadString('\n')
			if err == nil && line != "ready\n" {
				err = fmt.Errorf("unexpected answer %q", line)
			}
			if err != nil {
				err = fmt.Errorf("the new master (pid %d) did not report ready: %w", pr.Pid, err)
			}
			res <- err
		}()
		var err error
		select {
		case err = <-res:
		case <-time.After(timeout):
			err = fmt.Errorf("the new master (pid %d) was not ready within %v", pr.Pid, timeout)
			r.Close() // ends the reader
		}
		if err != nil {
			pr.Signal(syscall.SIGTERM)
			go pr.Wait() // reaped whenever it exits
		} else {
			pr.Release() // it outlives this master
		}
		m.post(event{kind: evUpgrade, err: err})
	}()
}

// tellUpgrader answers the master that started this one (SIGUSR2): this
// master's workers serve.
func (m *master) tellUpgrader() {
	f := m.c.upgrader
	if f == nil {
		return
	}
	m.c.upgrader = nil
	f.WriteString("ready\n")
	f.Close()
}
