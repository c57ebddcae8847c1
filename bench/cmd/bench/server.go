//go:build linux

package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/plezi-go/plezi/engine"
)

// Counters shared by the servers of the serve subcommand.
var (
	opened atomic.Int64 // connections accepted and opened (OnOpen ran)
	closed atomic.Int64 // connections closed (OnClose ran)
)

// idleProto is the engine's do-nothing protocol. It counts opens and
// closes so the harness knows when every connection is in. One value is
// shared by all connections: a zero-size struct costs no allocation.
type idleProto struct{}

func (idleProto) OnData(*engine.Conn, []byte) {}
func (idleProto) OnOpen(*engine.Conn)         { opened.Add(1) }
func (idleProto) OnClose(*engine.Conn, error) { closed.Add(1) }

// echoProto writes back what it reads (Write copies only what the socket
// does not take at once).
type echoProto struct{}

func (echoProto) OnData(c *engine.Conn, p []byte) { c.Write(p) }
func (echoProto) OnOpen(*engine.Conn)             { opened.Add(1) }
func (echoProto) OnClose(*engine.Conn, error)     { closed.Add(1) }

// runServe is the serve subcommand: one server in this process, driven by
// the harness over stdin/stdout.
//
// It prints "ready ADDR PID" once listening, then answers stdin commands:
//
//	mem            -> "mem rss=... heapinuse=... ..." (after GC + FreeOSMemory)
//	wait N SECS    -> "opened N" once N connections are open (or "error ...")
//	waitclosed N SECS -> "closed N" once N connections have closed
//
// End of stdin stops the server (gracefully for the engine: Stop) and it
// prints "stopped DURATION ok" (or "stopped DURATION error: ...") before
// exiting.
func runServe(args []string) error {
	fs := flag.NewFlagSet("serve", flag.ExitOnError)
	kind := fs.String("kind", "engine", "server: engine or netconn (echo and idle), or an HTTP server: "+strings.Join(httpKinds, ", "))
	mode := fs.String("mode", "echo", "protocol: echo or idle")
	threads := fs.Int("threads", 0, "engine: Threads")
	loops := fs.Int("loops", 0, "engine: Loops (0: GOMAXPROCS)")
	bufSize := fs.Int("buf", 1024, "netconn: read buffer per connection, bytes")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	memprofile := fs.String("memprofile", "", "write an allocation profile (allocs) to this file when the server stops")
	maxLife := fs.Duration("max", 10*time.Minute, "exit after this long whatever happens")
	fs.Parse(args)
	isHTTP := slices.Contains(httpKinds, *kind)
	if !isHTTP && *mode != "echo" && *mode != "idle" {
		return fmt.Errorf("unknown -mode %q", *mode)
	}

	// Never outlive a lost harness.
	time.AfterFunc(*maxLife, func() {
		fmt.Fprintf(os.Stderr, "serve: exceeded -max %v; exiting\n", *maxLife)
		os.Exit(3)
	})
	if sfx := childSuffix(*kind, 0); sfx != "" {
		*cpuprofile, *memprofile = addSuffix(*cpuprofile, sfx), addSuffix(*memprofile, sfx)
	}
	stopProfile, err := startCPUProfile(*cpuprofile)
	if err != nil {
		return err
	}
	defer stopProfile()

	var (
		addr string
		stop func() error
	)
	switch {
	case isHTTP:
		a, s, err := serveHTTPKind(*kind)
		if errors.Is(err, errChildDone) {
			return childDone(*memprofile)
		}
		if err != nil {
			return err
		}
		addr, stop = a, s
	case *kind == "engine":
		a, s, err := serveEngine(*mode, *threads, *loops)
		if err != nil {
			return err
		}
		addr, stop = a, s
	case *kind == "netconn":
		a, s, err := serveNetConn(*mode, *bufSize)
		if err != nil {
			return err
		}
		addr, stop = a, s
	default:
		return fmt.Errorf("unknown -kind %q", *kind)
	}
	fmt.Printf("ready %s %d\n", addr, os.Getpid())

	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) > 0 {
			serveCommand(f)
		}
	}
	t0 := time.Now()
	err = stop()
	status := "ok"
	if err != nil {
		status = "error: " + err.Error()
	}
	if *memprofile != "" {
		if err := writeAllocProfile(*memprofile); err != nil {
			status += "; memprofile: " + err.Error()
		}
	}
	fmt.Printf("stopped %v %s\n", since(t0), status)
	return nil
}

// serveCommand answers one of the serve subcommand's stdin commands (mem,
// wait, waitclosed) on stdout.
func serveCommand(f []string) {
	switch f[0] {
	case "mem":
		m, err := snapshot()
		if err != nil {
			fmt.Printf("error %v\n", err)
			return
		}
		fmt.Printf("mem %s opened=%d closed=%d\n", m, opened.Load(), closed.Load())
	case "wait", "waitclosed":
		ctr, label := &opened, "opened"
		if f[0] == "waitclosed" {
			ctr, label = &closed, "closed"
		}
		n, secs, err := twoInts(f[1:])
		if err != nil {
			fmt.Printf("error %s: %v\n", f[0], err)
			return
		}
		deadline := time.Now().Add(time.Duration(secs) * time.Second)
		for ctr.Load() < n && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		if got := ctr.Load(); got < n {
			fmt.Printf("error %s: %d of %d after %ds\n", label, got, n, secs)
			return
		}
		fmt.Printf("%s %d\n", label, ctr.Load())
	default:
		fmt.Printf("error unknown command %q\n", f[0])
	}
}

// startCPUProfile starts a CPU profile into path (none when path is
// empty) and returns the function that ends it.
func startCPUProfile(path string) (func(), error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}

// writeAllocProfile writes the allocs profile (every sampled allocation
// since the process started) to path.
func writeAllocProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func twoInts(f []string) (int64, int, error) {
	if len(f) != 2 {
		return 0, 0, errors.New("want 2 arguments")
	}
	n, err1 := strconv.ParseInt(f[0], 10, 64)
	s, err2 := strconv.Atoi(f[1])
	if err1 != nil || err2 != nil {
		return 0, 0, errors.New("bad arguments")
	}
	return n, s, nil
}

// serveEngine starts the plezi engine on a loopback port.
func serveEngine(mode string, threads, loops int) (string, func() error, error) {
	e := &engine.Engine{Loops: loops, Threads: threads, IgnoreSignals: true}
	var p engine.Protocol = echoProto{}
	if mode == "idle" {
		p = idleProto{}
	}
	ln, err := e.Listen("tcp", "127.0.0.1:0", func(*engine.Conn) engine.Protocol { return p })
	if err != nil {
		return "", nil, err
	}
	stop, err := startEngine(e)
	if err != nil {
		return "", nil, err
	}
	return ln.Addr().String(), stop, nil
}

// startEngine runs e.Start on a goroutine, waits for the Started event and
// returns the function that stops e gracefully.
func startEngine(e *engine.Engine) (func() error, error) {
	started := make(chan struct{})
	e.On(engine.Started, func() { close(started) })
	errc := make(chan error, 1)
	go func() { errc <- e.Start() }()
	select {
	case <-started:
	case err := <-errc:
		return nil, fmt.Errorf("engine Start: %v", err)
	case <-time.After(10 * time.Second):
		return nil, errors.New("engine did not start within 10s")
	}
	stop := func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := e.Stop(ctx); err != nil {
			return fmt.Errorf("engine Stop: %w", err)
		}
		select {
		case err := <-errc:
			return err
		case <-time.After(5 * time.Second):
			return errors.New("engine Start did not return after Stop")
		}
	}
	return stop, nil
}

// serveNetConn starts the goroutine-per-connection baseline: one goroutine
// per connection blocked in Read into its own bufSize-byte buffer.
func serveNetConn(mode string, bufSize int) (string, func() error, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	echo := mode == "echo"
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				if errors.Is(err, net.ErrClosed) {
					return
				}
				time.Sleep(10 * time.Millisecond) // EMFILE and the like
				continue
			}
			go serveConn(c, bufSize, echo)
		}
	}()
	stop := func() error {
		// The process exits next, which closes the connections.
		return ln.Close()
	}
	return ln.Addr().String(), stop, nil
}

func serveConn(c net.Conn, bufSize int, echo bool) {
	defer closed.Add(1)
	defer c.Close()
	buf := make([]byte, bufSize)
	opened.Add(1)
	for {
		n, err := c.Read(buf)
		if n > 0 && echo {
			if _, err := c.Write(buf[:n]); err != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

func numCPU() int { return runtime.NumCPU() }

func goVersion() string { return runtime.Version() }
