package cluster

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Role is what this process is in its cluster.
type Role int

const (
	// Single: no cluster (Workers resolved to 1 or less): the process
	// serves by itself.
	Single Role = iota
	// Master: the supervisor. It binds the listeners, starts the workers
	// and runs no application code.
	Master
	// Worker: one of the processes that serve, started by the master.
	Worker
)

func (r Role) String() string {
	switch r {
	case Master:
		return "master"
	case Worker:
		return "worker"
	}
	return "single"
}

// Environment variables of the processes a master starts. envRole is
// "worker" or "master" (a new master started by SIGUSR2); envListeners
// names the inherited listeners, one "network address" per line, in the
// order of their descriptors (after the link's).
const (
	envRole      = "PLEZI_CLUSTER_ROLE"
	envWorkerID  = "PLEZI_CLUSTER_WORKER"
	envListeners = "PLEZI_CLUSTER_LISTENERS"
)

// Descriptors of a started process: 3 is the link to the master (a
// worker) or the readiness pipe (a new master); listeners follow.
const (
	linkFD      = 3
	firstListen = 4
)

// Defaults for the zero values of Cluster's fields.
const (
	DefaultStopTimeout  = 30 * time.Second
	DefaultReadyTimeout = 30 * time.Second
)

// Errors.
var (
	// ErrUnsupported: worker processes need a Unix system.
	ErrUnsupported = errors.New("plezi/cluster: worker processes are not supported on this system")
	// ErrNotInherited: a worker listens on an address its master did not
	// bind (the program must make the same Listen calls in every process).
	ErrNotInherited = errors.New("plezi/cluster: listener not inherited from the master")
	// ErrRole: the method is not for this process's role.
	ErrRole = errors.New("plezi/cluster: not available in this role")
	// ErrBusy: the link to the master holds its bound of unsent bytes.
	ErrBusy = errors.New("plezi/cluster: link to the master is full")
	// ErrClosed: the link to the master is closed.
	ErrClosed = errors.New("plezi/cluster: link closed")
)

// Cluster runs a program as a master process that supervises worker
// processes, each running the same program. Go cannot fork: the master
// re-executes its own binary with the listening sockets inherited, so a
// program makes the same calls in every process (Listen, then Run in the
// master or its own serving in a worker; see the package doc).
//
// The zero value reads the worker count from the environment. Set fields
// before the first call and do not change them afterwards.
type Cluster struct {
	// Workers is the number of worker processes. 0 reads $WORKERS, then
	// $WEB_CONCURRENCY, else 1; a negative value means the CPU count
	// divided by its magnitude (as Iodine: -2 on 8 CPUs is 4), at least
	// 1. With 1 or less there is no master: the process serves alone.
	Workers int

	// ReusePort gives each worker a TCP listening socket of its own,
	// bound with SO_REUSEPORT (Linux only; elsewhere it is ignored),
	// instead of the one socket all workers share. The kernel then spreads
	// connections evenly, where a shared socket may favour one worker
	// (see the package doc). The master holds every socket, so a hot
	// restart loses nothing (a worker's replacement takes its socket); but
	// while a worker is down (after a crash, until it is started again)
	// the connections the kernel hashes to its socket wait for it.
	ReusePort bool

	// PIDFile, when set, gets the master's process ID while it runs.
	PIDFile string

	// StopTimeout bounds a worker's graceful stop before it is killed
	// (0: 30 s).
	StopTimeout time.Duration

	// ReadyTimeout bounds how long a new worker (or new master) may take
	// to report that it serves (0: 30 s).
	ReadyTimeout time.Duration

	// Logger receives the master's supervision events (starts, crashes,
	// restarts; nil: slog.Default()).
	Logger *slog.Logger

	// Upstream, in the master, carries remote-scope publications (see
	// Bus): to Redis, for example, once for the whole cluster. nil: they
	// stay in the cluster.
	Upstream Upstream

	// BeforeFork runs in the master before each worker is started.
	BeforeFork func()
	// OnMaster runs in the master once, before the first workers start.
	OnMaster func()
	// OnWorkerCrash runs in the master when a worker exits without being
	// asked to (a panic, kill -9); it is then started again.
	OnWorkerCrash func(id int, err error)
	// OnParentCrash runs in a worker whose master went away without
	// stopping it (the link closed, or on Linux the kernel signalled its
	// death); the worker then stops (see OnMasterGone).
	OnParentCrash func()
	// OnFinish runs in the master once every worker stopped, before Run
	// returns.
	OnFinish func()

	once     sync.Once
	role     Role
	workerID int
	inherit  map[string][]*os.File // by "network address"
	bound    []boundListener       // the master's, in order
	mu       sync.Mutex
	link     *link         // a worker's link to the master
	bus      *Bus          // over link
	gone     func()        // OnMasterGone's
	quit     chan struct{} // closed by Close: ends watchParent
	orphan   sync.Once
	leaving  bool // Close was called: the link's end is expected
	stopOnce sync.Once
	stopCh   chan struct{} // closed by Stop
	program  string        // the program's path, for SIGUSR2
	upgrader *os.File      // a new master's pipe to the master that started it
}

// boundListener is a listening address the master passes to its
// workers: one socket for all of them, or with ReusePort one per worker
// (worker n gets fds[(n-1) % len(fds)]). Sockets are kept as bare
// descriptors: an os.File would be registered with Go's poller (the
// master would wake for every connection it never accepts), and
// os.File.Fd would switch a socket, shared with every worker, to
// blocking mode.
type boundListener struct {
	key string
	fds []uintptr
}

// fd returns worker n's socket.
func (b boundListener) fd(n int) uintptr { return b.fds[(n-1)%len(b.fds)] }

// fileFD returns f's descriptor without os.File.Fd's side effect.
func fileFD(f *os.File) uintptr {
	var fd uintptr
	if rc, err := f.SyscallConn(); err == nil {
		rc.Control(func(d uintptr) { fd = d })
	}
	return fd
}

// keep records listening sockets for the workers: bare duplicates of the
// files' descriptors; the files are closed.
func (c *Cluster) keep(key string, files ...*os.File) error {
	b := boundListener{key: key}
	var err error
	for _, f := range files {
		if err == nil {
			var fd uintptr
			if fd, err = rawDup(f); err == nil {
				b.fds = append(b.fds, fd)
			}
		}
		f.Close()
	}
	if err != nil {
		for _, fd := range b.fds {
			closeFD(fd)
		}
		return err
	}
	c.bound = append(c.bound, b)
	return nil
}

func (c *Cluster) init() {
	c.once.Do(func() {
		switch os.Getenv(envRole) {
		case "worker":
			c.role = Worker
			c.workerID, _ = strconv.Atoi(os.Getenv(envWorkerID))
		case "master":
			c.role = Master
			c.upgrader = os.NewFile(linkFD, "plezi-cluster-upgrade")
		default:
			if c.workers() > 1 {
				c.role = Master
			}
		}
		if c.role != Single && !supported {
			c.role = Single
		}
		c.inherit = inherited()
		c.program = programPath()
		c.stopCh = make(chan struct{})
		// The variables describe this process's inheritance only.
		for _, k := range []string{envRole, envWorkerID, envListeners} {
			os.Unsetenv(k)
		}
	})
}

// Role returns this process's role.
func (c *Cluster) Role() Role {
	c.init()
	return c.role
}

// WorkerID returns the worker's number, from 1 (0 outside a worker). A
// worker that replaces another (respawn, hot restart) takes its number.
func (c *Cluster) WorkerID() int {
	c.init()
	return c.workerID
}

// Count returns the number of worker processes Workers resolves to.
func (c *Cluster) Count() int { return max(c.workers(), 1) }

// workers resolves Workers.
func (c *Cluster) workers() int {
	n := c.Workers
	if n == 0 {
		n = envCount("WORKERS")
		if n == 0 {
			n = envCount("WEB_CONCURRENCY")
		}
	}
	if n < 0 {
		n = max(runtime.NumCPU()/-n, 1)
	}
	return n
}

func envCount(name string) int {
	n, err := strconv.Atoi(strings.TrimSpace(os.Getenv(name)))
	if err != nil {
		return 0
	}
	return n
}

// Listen returns a listener for network ("tcp", "tcp4", "tcp6", "unix")
// and address. Outside a worker it binds the socket (in the master, to
// hand it to the workers: the returned listener shows the bound address,
// a ":0" port included, and must not be served). In a worker it returns
// the socket its master bound for the same network and address.
func (c *Cluster) Listen(network, address string) (net.Listener, error) {
	c.init()
	key := network + " " + address
	if files, ok := c.inherit[key]; ok {
		delete(c.inherit, key)
		return c.adopt(key, network, files)
	}
	if c.role == Worker {
		return nil, fmt.Errorf("%w: %s %s", ErrNotInherited, network, address)
	}
	if c.role == Master && c.reusePort(network) {
		return c.bindReusePort(key, network, address)
	}
	ln, err := net.Listen(network, address)
	if err != nil || c.role != Master {
		return ln, err
	}
	if ul, ok := ln.(*net.UnixListener); ok {
		ul.SetUnlinkOnClose(false) // the master removes it when it stops
	}
	if err := c.keepListeners(key, ln); err != nil {
		ln.Close()
		return nil, err
	}
	return ln, nil
}

// adopt takes inherited sockets: a worker serves its one; a new master
// (SIGUSR2) keeps them for its workers, one per worker with ReusePort
// (binding more, or closing those it has no worker for: the connections
// queued on those are reset), else one.
func (c *Cluster) adopt(key, network string, files []*os.File) (net.Listener, error) {
	ln, err := net.FileListener(files[0])
	if err != nil || c.role != Master {
		for _, f := range files {
			f.Close()
		}
		return ln, err
	}
	want := 1
	if c.reusePort(network) {
		want = c.Count()
	}
	for len(files) > want {
		files[len(files)-1].Close()
		files = files[:len(files)-1]
	}
	if err := c.keep(key, files...); err != nil {
		ln.Close()
		return nil, err
	}
	b := &c.bound[len(c.bound)-1]
	for len(b.fds) < want {
		l, err := listenReusePort(network, ln.Addr().String())
		if err == nil {
			var f *os.File
			if f, err = l.(interface{ File() (*os.File, error) }).File(); err == nil {
				var fd uintptr
				fd, err = rawDup(f)
				f.Close()
				b.fds = append(b.fds, fd)
			}
			l.Close()
		}
		if err != nil {
			ln.Close()
			return nil, err
		}
	}
	return ln, nil
}

// bindReusePort binds one SO_REUSEPORT socket per worker on the same
// address (the first resolves a ":0" port) and returns the first.
func (c *Cluster) bindReusePort(key, network, address string) (net.Listener, error) {
	var lns []net.Listener
	closeAll := func() {
		for _, l := range lns {
			l.Close()
		}
	}
	for i := 0; i < c.Count(); i++ {
		if i == 1 {
			address = lns[0].Addr().String()
		}
		l, err := listenReusePort(network, address)
		if err != nil {
			closeAll()
			return nil, err
		}
		lns = append(lns, l)
	}
	if err := c.keepListeners(key, lns...); err != nil {
		closeAll()
		return nil, err
	}
	for _, l := range lns[1:] {
		l.Close() // the master keeps their duplicates
	}
	return lns[0], nil
}

// keepListeners keeps duplicates of the listeners' sockets.
func (c *Cluster) keepListeners(key string, lns ...net.Listener) error {
	files := make([]*os.File, 0, len(lns))
	for _, l := range lns {
		f, err := l.(interface{ File() (*os.File, error) }).File()
		if err != nil {
			for _, f := range files {
				f.Close()
			}
			return err
		}
		files = append(files, f)
	}
	return c.keep(key, files...)
}

// reusePort reports whether network's listeners get a socket per worker.
func (c *Cluster) reusePort(network string) bool {
	return c.ReusePort && reusePortBalances && strings.HasPrefix(network, "tcp")
}

// inherited returns the listeners named in the environment: one line
// per descriptor, a key repeated for its sockets of a ReusePort
// listener (a new master gets them all).
func inherited() map[string][]*os.File {
	v := os.Getenv(envListeners)
	if v == "" {
		return nil
	}
	m := make(map[string][]*os.File)
	for i, key := range strings.Split(v, "\n") {
		m[key] = append(m[key], os.NewFile(uintptr(firstListen+i), key))
	}
	return m
}

func (c *Cluster) log() *slog.Logger {
	if c.Logger != nil {
		return c.Logger
	}
	return slog.Default()
}

func (c *Cluster) stopTimeout() time.Duration {
	if c.StopTimeout > 0 {
		return c.StopTimeout
	}
	return DefaultStopTimeout
}

func (c *Cluster) readyTimeout() time.Duration {
	if c.ReadyTimeout > 0 {
		return c.ReadyTimeout
	}
	return DefaultReadyTimeout
}

// Run is the master's work: it writes the PID file, starts the workers
// and supervises them until SIGINT or SIGTERM, then stops them all
// gracefully (each within StopTimeout) and returns nil. A worker that
// exits on its own is started again (with back-off while it keeps
// crashing). SIGUSR1 replaces the workers one at a time (hot restart:
// each new worker is ready before the one it replaces stops); SIGUSR2
// starts a new master from the program's file on disk with the
// listeners (zero-downtime upgrade), and this one stops its workers and
// returns once the new one serves. Run fails with ErrRole outside the
// master.
func (c *Cluster) Run() error {
	c.init()
	if c.role != Master {
		return ErrRole
	}
	return runMaster(c)
}

// programPath returns the program's file as started (for SIGUSR2: the
// file on disk, maybe replaced since).
func programPath() string {
	p := os.Args[0]
	if !strings.Contains(p, "/") {
		if lp, err := exec.LookPath(p); err == nil {
			p = lp
		}
	}
	if abs, err := filepath.Abs(p); err == nil {
		p = abs
	}
	return p
}

// Stop asks the master's Run to stop the workers and return, as SIGTERM
// does. It does nothing in other roles.
func (c *Cluster) Stop() {
	c.init()
	c.stopOnce.Do(func() { close(c.stopCh) })
}

// WritePIDFile writes the process ID to PIDFile (if set) and returns
// the function that removes it. The master does it in Run; a single
// process may call it.
func (c *Cluster) WritePIDFile() (remove func(), err error) {
	if c.PIDFile == "" {
		return func() {}, nil
	}
	if err := os.WriteFile(c.PIDFile, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644); err != nil {
		return nil, err
	}
	return func() { removePID(c.PIDFile) }, nil
}

// removePID removes a PID file if it still names this process (after an
// upgrade it names the new master).
func removePID(path string) {
	b, err := os.ReadFile(path)
	if err == nil && strings.TrimSpace(string(b)) == strconv.Itoa(os.Getpid()) {
		os.Remove(path)
	}
}
