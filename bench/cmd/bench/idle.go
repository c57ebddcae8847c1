//go:build linux

package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// idleRun is one idle-memory measurement of one server.
type idleRun struct {
	base, loaded, after mem
	conns               int
	dial                time.Duration
	stopped             string
	// wsidle: the server's process tree, read by the harness right
	// after each mem answer (a cluster's master and workers).
	procs                      int
	anonBase, anonLoaded       int64  // RssAnon summed over the tree, bytes
	treeRSSBase, treeRSSLoaded int64  // VmRSS summed over the tree, bytes
	spread                     string // a cluster's connections per worker, "PID:N,..."
}

func (r idleRun) perConn(f func(mem) int64) float64 {
	return float64(f(r.loaded)-f(r.base)) / float64(r.conns)
}

// runIdle is the idle subcommand: for each server in turn (interleaved
// over rounds) it spawns the server, opens -conns connections to it from
// this process and reads the server's memory before, with and after them.
func runIdle(args []string) error {
	fs := flag.NewFlagSet("idle", flag.ExitOnError)
	conns := fs.Int("conns", 10000, "connections to hold open")
	rounds := fs.Int("rounds", 3, "rounds; each round measures every server once")
	servers := fs.String("servers", "engine,netconn", "servers to compare: engine, engine-t4, netconn")
	src := fs.Int("src", 8, "spread connections over source addresses 127.0.0.2 .. 127.0.0.(1+src)")
	bufSize := fs.Int("buf", 1024, "netconn: read buffer per connection, bytes")
	dialers := fs.Int("dialers", 32, "concurrent dials")
	settle := fs.Duration("settle", 500*time.Millisecond, "pause after the last connection opened, before measuring")
	fs.Parse(args)
	startStamp()
	names := splitList(*servers)
	if *src < 1 || *src > 250 {
		return fmt.Errorf("-src must be 1..250")
	}

	results := map[string][]idleRun{}
	for r := 0; r < *rounds; r++ {
		for i := range names {
			// Rotate the order each round so no server always goes first.
			name := names[(i+r)%len(names)]
			run, err := idleOnce(name, *conns, *src, *bufSize, *dialers, *settle)
			if err != nil {
				return fmt.Errorf("round %d, %s: %w", r+1, name, err)
			}
			results[name] = append(results[name], run)
			fmt.Printf("round %d %-9s conns=%d dial=%v RSS %s -> %s MiB: %s B/conn RSS, %s B/conn heap, %s B/conn stack; after close RSS %+d KiB heap %+d KiB vs before; %s\n",
				r+1, name, run.conns, run.dial, fmtMiB(run.base.RSS), fmtMiB(run.loaded.RSS),
				fmtF(run.perConn(func(m mem) int64 { return m.RSS }), 0),
				fmtF(run.perConn(func(m mem) int64 { return m.HeapInuse }), 0),
				fmtF(run.perConn(func(m mem) int64 { return m.Stack }), 0),
				(run.after.RSS-run.base.RSS)>>10, (run.after.HeapInuse-run.base.HeapInuse)>>10, run.stopped)
		}
	}

	fmt.Printf("\nMachine: %s. Loopback; %d connections from 127.0.0.2..127.0.0.%d; medians of %d interleaved rounds.\n",
		endStamp(), *conns, 1+*src, *rounds)
	fmt.Printf("Server memory after runtime.GC + debug.FreeOSMemory; net.Conn server reads into a %d-byte buffer per connection.\n\n", *bufSize)
	fmt.Println("| server | RSS before (MiB) | RSS with conns (MiB) | RSS Δ / conn (B) | heap in use Δ / conn (B) | goroutine stacks Δ / conn (B) | Go heap in use with conns (MiB) | RSS after all closed, Δ vs before (KiB) | RSS Δ / conn, every run (B) |")
	fmt.Println("|---|---:|---:|---:|---:|---:|---:|---:|---|")
	med := map[string]float64{}
	for _, name := range names {
		rs := results[name]
		col := func(f func(idleRun) float64) float64 {
			xs := make([]float64, len(rs))
			for i, r := range rs {
				xs[i] = f(r)
			}
			return median(xs)
		}
		var per []float64
		for _, r := range rs {
			per = append(per, r.perConn(func(m mem) int64 { return m.RSS }))
		}
		med[name] = median(per)
		fmt.Printf("| %s | %s | %s | **%s** | %s | %s | %s | %s | %s |\n",
			label(name),
			fmtF(col(func(r idleRun) float64 { return float64(r.base.RSS) / (1 << 20) }), 1),
			fmtF(col(func(r idleRun) float64 { return float64(r.loaded.RSS) / (1 << 20) }), 1),
			fmtF(med[name], 0),
			fmtF(col(func(r idleRun) float64 { return r.perConn(func(m mem) int64 { return m.HeapInuse }) }), 0),
			fmtF(col(func(r idleRun) float64 { return r.perConn(func(m mem) int64 { return m.Stack }) }), 0),
			fmtF(col(func(r idleRun) float64 { return float64(r.loaded.HeapInuse) / (1 << 20) }), 1),
			fmtF(col(func(r idleRun) float64 { return float64(r.after.RSS-r.base.RSS) / 1024 }), 0),
			list(per, func(x float64) string { return fmtF(x, 0) }))
	}
	if e, n := med["engine"], med["netconn"]; e > 0 && n > 0 {
		fmt.Printf("\nnet.Conn / engine RSS per connection: %.1f×\n", n/e)
	}
	return nil
}

// label names a server configuration in tables.
func label(name string) string {
	switch name {
	case "engine":
		return "plezi engine (Threads 0)"
	case "engine-t4":
		return "plezi engine (Threads 4)"
	case "engine-l1":
		return "plezi engine (Threads 0, Loops 1)"
	case "netconn":
		return "goroutine per net.Conn"
	}
	return name
}

// serverArgs returns the serve flags for a server configuration.
func serverArgs(name, mode string, bufSize int) ([]string, error) {
	args := []string{"serve", "-mode", mode}
	switch name {
	case "engine":
		args = append(args, "-kind", "engine", "-threads", "0")
	case "engine-t4":
		args = append(args, "-kind", "engine", "-threads", "4")
	case "engine-l1":
		args = append(args, "-kind", "engine", "-threads", "0", "-loops", "1")
	case "netconn":
		args = append(args, "-kind", "netconn", "-buf", strconv.Itoa(bufSize))
	default:
		return nil, fmt.Errorf("unknown server %q (want engine, engine-t4, engine-l1 or netconn)", name)
	}
	return args, nil
}

// startServer spawns a server and returns it with its address.
func startServer(name, mode string, bufSize int, extra ...string) (*child, string, error) {
	args, err := serverArgs(name, mode, bufSize)
	if err != nil {
		return nil, "", err
	}
	srv, err := startChild(name, append(args, extra...)...)
	if err != nil {
		return nil, "", err
	}
	ready, err := srv.expect("ready", 20*time.Second)
	if err != nil {
		srv.kill()
		return nil, "", err
	}
	addr, _, _ := strings.Cut(ready, " ")
	return srv, addr, nil
}

func askMem(srv *child) (mem, error) {
	if err := srv.send("mem"); err != nil {
		return mem{}, err
	}
	s, err := srv.expect("mem", 30*time.Second)
	if err != nil {
		return mem{}, err
	}
	return parseMem(s)
}

func idleOnce(name string, n, src, bufSize, dialers int, settle time.Duration) (run idleRun, err error) {
	srv, addr, err := startServer(name, "idle", bufSize)
	if err != nil {
		return run, err
	}
	defer func() {
		if err != nil {
			srv.kill()
		}
	}()
	// Let the freshly started server settle before the baseline.
	time.Sleep(settle)
	if run.base, err = askMem(srv); err != nil {
		return run, err
	}

	t0 := time.Now()
	cs, err := dialMany(addr, n, src, dialers)
	defer func() {
		for _, c := range cs {
			if c != nil {
				c.Close()
			}
		}
	}()
	if err != nil {
		return run, err
	}
	run.dial = since(t0)
	run.conns = n
	if err := srv.send("wait %d 60", n); err != nil {
		return run, err
	}
	if _, err := srv.expect("opened", 70*time.Second); err != nil {
		return run, err
	}
	time.Sleep(settle)
	if run.loaded, err = askMem(srv); err != nil {
		return run, err
	}

	// Close from the client side and check the server gives the memory
	// back (a leak shows here).
	for i, c := range cs {
		c.Close()
		cs[i] = nil
	}
	if err := srv.send("waitclosed %d 60", n); err != nil {
		return run, err
	}
	if _, err := srv.expect("closed", 70*time.Second); err != nil {
		return run, err
	}
	time.Sleep(settle)
	if run.after, err = askMem(srv); err != nil {
		return run, err
	}
	rest, err := srv.stop(30 * time.Second)
	if err != nil {
		return run, err
	}
	for _, line := range rest {
		if s, ok := strings.CutPrefix(line, "stopped "); ok {
			run.stopped = "stop took " + s
		}
	}
	return run, nil
}

// dialMany opens n TCP connections to addr, spread over src loopback source
// addresses, with at most par dials in flight.
func dialMany(addr string, n, src, par int) ([]net.Conn, error) {
	cs := make([]net.Conn, n)
	ds := make([]*net.Dialer, src)
	for i := range ds {
		ds[i] = &net.Dialer{
			Timeout:   10 * time.Second,
			LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, byte(2+i))},
			// Pick the source port at connect time (from the whole
			// 4-tuple), not at bind time: ports stay available across
			// servers and rounds.
			Control: func(_, _ string, rc syscall.RawConn) error {
				var serr error
				err := rc.Control(func(fd uintptr) {
					serr = unix.SetsockoptInt(int(fd), unix.IPPROTO_IP, unix.IP_BIND_ADDRESS_NO_PORT, 1)
				})
				if err != nil {
					return err
				}
				return serr
			},
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
		next  = make(chan int)
	)
	for w := 0; w < par; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				c, err := ds[i%src].DialContext(ctx, "tcp", addr)
				if err != nil {
					mu.Lock()
					if first == nil {
						first = fmt.Errorf("dial %d of %d: %w", i+1, n, err)
					}
					mu.Unlock()
					cancel()
					continue
				}
				cs[i] = c
			}
		}()
	}
	for i := 0; i < n && ctx.Err() == nil; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	if first == nil {
		for i, c := range cs {
			if c == nil {
				first = fmt.Errorf("dial %d of %d: not done: %v", i+1, n, ctx.Err())
				break
			}
		}
	}
	return cs, first
}
