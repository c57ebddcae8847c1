//go:build linux

package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/valyala/fasthttp"
	"github.com/valyala/fasthttp/prefork"

	"github.com/plezi-go/plezi/cluster"
	"github.com/plezi-go/plezi/engine"
	"github.com/plezi-go/plezi/httpd"
	"github.com/plezi-go/plezi/pubsub"
)

// Multi-process servers: plezi's cluster (a master that binds the socket
// and supervises, and worker processes that serve it) and fasthttp's
// prefork (a parent that binds the socket and children that serve it).
// In both the server process the harness starts re-executes its own
// binary with the same arguments: the children run the same subcommand
// and take the child's path here, printing nothing for the harness (a
// cluster worker's stdin and stdout are the master's; it reads neither).

// clusterSpec is a cluster server's shape.
type clusterSpec struct {
	workers int  // worker processes; 1: no master, a single process
	procs   int  // GOMAXPROCS of each worker (0: inherited, the harness's -gomaxprocs)
	reuse   bool // a SO_REUSEPORT socket per worker (cluster.Cluster.ReusePort)
}

// httpClusterKinds are the HTTP servers of the http benchmark that run
// through package cluster: the same Native hello world as plezi-native.
var httpClusterKinds = map[string]clusterSpec{
	"plezi-w1":    {workers: 1},
	"plezi-w2":    {workers: 2},
	"plezi-w2-p1": {workers: 2, procs: 1},
	"plezi-w2-rp": {workers: 2, reuse: true},
}

// preforkChildren is fasthttp-prefork's child count (prefork starts one
// per GOMAXPROCS of the parent, which is set to this).
const preforkChildren = 2

// The process's cluster (one per process: its role comes from the
// environment the master set).
var (
	clusterOnce sync.Once
	theCluster  *cluster.Cluster
	theCtl      *ctlMaster
)

// benchCluster returns the process's cluster with n workers.
func benchCluster(n int) (*cluster.Cluster, *ctlMaster) {
	clusterOnce.Do(func() {
		theCtl = newCtlMaster()
		theCluster = &cluster.Cluster{
			Workers:      n,
			Upstream:     theCtl,
			StopTimeout:  15 * time.Second,
			ReadyTimeout: 30 * time.Second,
			// Starts and stops are routine here: warnings and errors only.
			Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
		}
	})
	return theCluster, theCtl
}

// childSuffix returns what a worker or prefork child adds to the profile
// paths it was given (the parent's arguments), so that every process
// writes its own file: "" in the process the harness started.
func childSuffix(kind string, workers int) string {
	if spec, ok := httpClusterKinds[kind]; ok {
		workers = spec.workers
	} else if !isClusterWS(kind) {
		if isPrefork(kind) && prefork.IsChild() {
			return ".child" + strconv.Itoa(os.Getpid())
		}
		return ""
	}
	cl, _ := benchCluster(workers)
	if cl.Role() == cluster.Worker {
		return ".w" + strconv.Itoa(cl.WorkerID())
	}
	return ""
}

func isPrefork(kind string) bool { return kind == "fasthttp-prefork" || kind == "fasthttp-prefork-p2" }

func isClusterWS(kind string) bool { return kind == "plezi-cluster" || kind == "plezi-cluster-p1" }

// helloNative is plezi's Native hello world.
func helloNative(x *httpd.Ctx) {
	x.SetHeader("Content-Type", "text/plain")
	x.WriteString("Hello World")
}

// servePleziCluster serves s through package cluster: in the master it
// returns the address once every worker serves, and a stop that stops
// them (SIGTERM, graceful) and waits; in a worker it serves until
// stopped and returns errChildDone; with one worker the process serves
// alone (an engine with Threads 0, as plezi-native).
func servePleziCluster(spec clusterSpec, s *httpd.Server) (string, func() error, error) {
	cl, ctl := benchCluster(spec.workers)
	cl.ReusePort = spec.reuse
	ln, err := cl.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	addr := ln.Addr().String()
	switch cl.Role() {
	case cluster.Worker:
		return "", nil, runWorker(cl, spec.procs, nil, func(e *engine.Engine) error {
			_, err := s.ListenOn(e, ln)
			return err
		}, nil)
	case cluster.Master:
		ln.Close() // the workers serve the socket; the master keeps its copy for them
		m, err := startMaster(cl, ctl, cl.Count())
		if err != nil {
			return "", nil, err
		}
		return addr, m.stop, nil
	}
	e := &engine.Engine{IgnoreSignals: true}
	if _, err := s.ListenOn(e, ln); err != nil {
		return "", nil, err
	}
	stop, err := startEngine(e)
	if err != nil {
		return "", nil, err
	}
	return addr, stop, nil
}

// newFastHTTP is the fasthttp server of both fasthttp kinds.
func newFastHTTP() *fasthttp.Server {
	return &fasthttp.Server{
		Handler: func(ctx *fasthttp.RequestCtx) {
			ctx.SetContentType("text/plain")
			ctx.Write(hello)
		},
		NoDefaultServerHeader: true,
	}
}

// errPreforkStopping: the parent is stopping, so no child is restarted.
var errPreforkStopping = errors.New("prefork: stopping")

// serveFastHTTPPrefork runs fasthttp's prefork with preforkChildren
// children sharing the parent's socket (prefork's default, not
// SO_REUSEPORT). Prefork sets GOMAXPROCS 1 in each child; childProcs > 0
// sets it back to that once the child serves. The children are started by
// our CommandProducer, as prefork's default one does (this binary, same
// arguments, FASTHTTP_PREFORK_CHILD=1, the socket as descriptor 3), plus a
// parent-death signal, no stdin or stdout (those are the harness's), and
// no restart once the parent stops.
func serveFastHTTPPrefork(childProcs int) (string, func() error, error) {
	srv := newFastHTTP()
	p := prefork.New(srv)
	if prefork.IsChild() {
		return "", nil, runPreforkChild(p, srv, childProcs)
	}
	var (
		mu       sync.Mutex
		cmds     []*exec.Cmd
		stopping bool
		addr     string
	)
	exe, err := os.Executable()
	if err != nil {
		return "", nil, err
	}
	p.Logger = preforkLogger{&mu, &stopping}
	p.CommandProducer = func(files []*os.File) (*exec.Cmd, error) {
		mu.Lock()
		defer mu.Unlock()
		if stopping {
			return nil, errPreforkStopping
		}
		if addr == "" && len(files) > 0 {
			a, err := sockName(files[0])
			if err != nil {
				return nil, err
			}
			addr = a
		}
		cmd := exec.Command(exe, os.Args[1:]...)
		cmd.Args[0] = os.Args[0]
		cmd.Env = append(os.Environ(), "FASTHTTP_PREFORK_CHILD=1")
		cmd.ExtraFiles = files
		cmd.Stderr = os.Stderr
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
		if err := cmd.Start(); err != nil {
			return nil, err
		}
		cmds = append(cmds, cmd)
		return cmd, nil
	}
	ready := make(chan struct{})
	p.OnMasterReady = func([]int) error {
		close(ready)
		return nil
	}
	runtime.GOMAXPROCS(preforkChildren)
	errc := make(chan error, 1)
	go func() { errc <- p.ListenAndServe("127.0.0.1:0") }()
	select {
	case <-ready:
	case err := <-errc:
		return "", nil, fmt.Errorf("prefork: %v", err)
	case <-time.After(20 * time.Second):
		return "", nil, errors.New("prefork: children not started within 20s")
	}
	stop := func() error {
		mu.Lock()
		stopping = true
		cs := cmds
		mu.Unlock()
		for _, c := range cs {
			c.Process.Signal(syscall.SIGTERM) // ErrProcessDone for a child already reaped
		}
		select {
		case err := <-errc:
			// The first child to exit makes prefork restart it, which
			// our producer refuses: prefork then stops the others and
			// returns that refusal (or ErrOverRecovery).
			if err == nil || errors.Is(err, errPreforkStopping) || errors.Is(err, prefork.ErrOverRecovery) {
				return nil
			}
			return err
		case <-time.After(20 * time.Second):
			return errors.New("prefork did not return within 20s of stopping its children")
		}
	}
	mu.Lock()
	defer mu.Unlock()
	return addr, stop, nil
}

// runPreforkChild serves in a prefork child until SIGTERM (a graceful
// fasthttp Shutdown) or the parent's death.
func runPreforkChild(p *prefork.Prefork, srv *fasthttp.Server, procs int) error {
	p.OnMasterDeath = func() { os.Exit(1) }
	if procs > 0 {
		p.ServeFunc = func(ln net.Listener) error {
			runtime.GOMAXPROCS(procs) // prefork set 1
			return srv.Serve(ln)
		}
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM)
	defer signal.Stop(sig)
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case <-sig:
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			srv.ShutdownWithContext(ctx)
		case <-done:
		}
	}()
	if err := p.ListenAndServe("127.0.0.1:0"); err != nil {
		return err
	}
	return errChildDone
}

// preforkLogger passes prefork's messages to stderr until the parent
// stops (then children exiting is expected).
type preforkLogger struct {
	mu       *sync.Mutex
	stopping *bool
}

func (l preforkLogger) Printf(format string, args ...any) {
	l.mu.Lock()
	quiet := *l.stopping
	l.mu.Unlock()
	if !quiet {
		fmt.Fprintf(os.Stderr, "fasthttp-prefork: "+format+"\n", args...)
	}
}

// sockName returns the local address of a socket held in f, without
// os.File.Fd (which would switch the shared socket to blocking mode).
func sockName(f *os.File) (string, error) {
	rc, err := f.SyscallConn()
	if err != nil {
		return "", err
	}
	var (
		sa   syscall.Sockaddr
		err2 error
	)
	if err := rc.Control(func(fd uintptr) { sa, err2 = syscall.Getsockname(int(fd)) }); err != nil {
		return "", err
	}
	if err2 != nil {
		return "", err2
	}
	switch a := sa.(type) {
	case *syscall.SockaddrInet4:
		return (&net.TCPAddr{IP: net.IP(a.Addr[:]), Port: a.Port}).String(), nil
	case *syscall.SockaddrInet6:
		return (&net.TCPAddr{IP: net.IP(a.Addr[:]), Port: a.Port}).String(), nil
	}
	return "", fmt.Errorf("unexpected socket address %T", sa)
}

// servePleziClusterWS is plezi's WebSocket server (httpd Native +
// UpgradeCtx, Threads 0, compression off) in cfg.workers worker
// processes. Broadcast: every connection subscribes to one channel on its
// worker's pubsub.Broker, whose engine is the cluster's (cluster.Engines);
// worker 1 publishes (Broker.Publish: delivered to its own subscribers,
// and through the master to the other workers, which deliver to theirs).
// procs > 0 sets each worker's GOMAXPROCS. One worker: plezi-pubsub.
func servePleziClusterWS(cfg wsConfig, procs int) (*wsServer, error) {
	cl, ctl := benchCluster(cfg.workers)
	if cl.Role() == cluster.Single {
		return servePleziKind(cfg, false, true)
	}
	ln, err := cl.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	if cl.Role() == cluster.Master {
		addr := ln.Addr().String()
		ln.Close()
		m, err := startMaster(cl, ctl, cl.Count())
		if err != nil {
			return nil, err
		}
		srv := &wsServer{addr: addr, stop: m.stop, command: m.command}
		if cfg.mode == "bcast" {
			srv.broadcast = func(first uint64, n, size int) (sent, errs int64) {
				rs, err := m.ask(130*time.Second, "bcast", first, n, size)
				if err != nil {
					fmt.Fprintf(os.Stderr, "wsserve: %v\n", err)
					return 0, 1
				}
				for _, r := range rs {
					var s, e, subs int64
					if _, err := fmt.Sscanf(r.text, "sent=%d errors=%d subs=%d", &s, &e, &subs); err != nil {
						fmt.Fprintf(os.Stderr, "wsserve: worker %d answered %q\n", r.id, r.text)
						errs++
						continue
					}
					sent += int64(n) * subs
					errs += e
				}
				return sent - errs, errs
			}
		}
		return srv, nil
	}
	h := newPleziHandler(cfg, true)
	broker := h.broker
	if broker == nil {
		broker = &pubsub.Broker{} // commands only
	}
	local, _ := cl.Engines(broker, nil)
	broker.Engine = local
	s := pleziWSServer(h, false)
	subs := func() int64 { return int64(broker.Stats().Subscriptions) - 1 } // less the commands' own
	handle := func(verb string, args []string) string {
		if verb != "bcast" || len(args) != 3 {
			return ""
		}
		if cl.WorkerID() != 1 || h.broker == nil {
			return fmt.Sprintf("sent=0 errors=0 subs=%d", subs())
		}
		first, err1 := strconv.ParseUint(args[0], 10, 64)
		n, err2 := strconv.Atoi(args[1])
		size, err3 := strconv.Atoi(args[2])
		if err1 != nil || err2 != nil || err3 != nil {
			return ""
		}
		var errs int64
		for i := range n {
			if err := broker.Publish("bench", bcastPayload(first+uint64(i), size)); err != nil {
				errs++
			}
		}
		return fmt.Sprintf("sent=%d errors=%d subs=%d", int64(n)*subs(), errs*subs(), subs())
	}
	return nil, runWorker(cl, procs, broker, func(e *engine.Engine) error {
		_, err := s.ListenOn(e, ln)
		return err
	}, handle)
}

// clusterNote describes the cluster servers of a WebSocket table.
func clusterNote(workers int) string {
	return fmt.Sprintf("Cluster servers (plezi-cluster*): %d worker processes sharing the listening socket, and their master (package cluster; each process started by the master from the same binary).", workers)
}

// addSuffix appends sfx to a file path that is set.
func addSuffix(path, sfx string) string {
	if path == "" {
		return ""
	}
	return path + sfx
}

// childDone ends a worker or prefork child: it writes the allocation
// profile, if asked, and prints nothing.
func childDone(memprofile string) error {
	if memprofile != "" {
		return writeAllocProfile(memprofile)
	}
	return nil
}
