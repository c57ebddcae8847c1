//go:build linux

package main

import (
	"flag"
	"fmt"
	"strconv"
	"time"
)

// runWSIdle is the wsidle subcommand: for each server in turn (rotated
// over rounds) it spawns the server and a load client that opens -conns
// WebSocket connections (handshakes done) and holds them idle, and reads
// the server's memory before, with and after them.
func runWSIdle(args []string) error {
	fs := flag.NewFlagSet("wsidle", flag.ExitOnError)
	var cm wsCommon
	cm.register(fs, 3, defaultWSServers(idlePeers))
	conns := fs.Int("conns", 10000, "WebSocket connections to hold open")
	src := fs.Int("src", 8, "spread connections over source addresses 127.0.0.2 .. 127.0.0.(1+src)")
	dialers := fs.Int("dialers", 32, "concurrent dials and handshakes")
	settle := fs.Duration("settle", 500*time.Millisecond, "pause after the last connection opened (and closed), before measuring")
	target := fs.Int("target", 1200, "plezi's target: RSS Δ per connection, bytes")
	fs.Parse(args)
	names, err := cm.names()
	if err != nil {
		return err
	}
	if *src < 1 || *src > 250 {
		return fmt.Errorf("-src must be 1..250")
	}
	stamp := wsStamp()
	results := map[string][]idleRun{}
	for r := 0; r < cm.rounds; r++ {
		for i := range names {
			name := names[(i+r)%len(names)]
			run, err := wsIdleOnce(name, cm.procs, *conns, *src, *dialers, *settle)
			if err != nil {
				return fmt.Errorf("round %d, %s: %w", r+1, name, err)
			}
			results[name] = append(results[name], run)
			fmt.Printf("round %d %-13s conns=%d dial+handshake=%v RSS %s -> %s MiB: %s B/conn RSS, %s B/conn heap, %s B/conn stack; after close RSS %+d KiB heap %+d KiB vs before; %s\n",
				r+1, name, run.conns, run.dial, fmtMiB(run.base.RSS), fmtMiB(run.loaded.RSS),
				fmtF(run.perConn(func(m mem) int64 { return m.RSS }), 0),
				fmtF(run.perConn(func(m mem) int64 { return m.HeapInuse }), 0),
				fmtF(run.perConn(func(m mem) int64 { return m.Stack }), 0),
				(run.after.RSS-run.base.RSS)>>10, (run.after.HeapInuse-run.base.HeapInuse)>>10, run.stopped)
		}
	}
	fmt.Printf("\nMachine: %s.\n", stampNote(stamp))
	fmt.Printf("Loopback; %d idle WebSocket connections (handshake done, compression off) from 127.0.0.2..127.0.0.%d, the client in its own process; servers with GOMAXPROCS=%d; medians of %d interleaved rounds.\n",
		*conns, 1+*src, cm.procs, cm.rounds)
	fmt.Printf("Server memory after runtime.GC + debug.FreeOSMemory.\n\n")
	printIdleTable(names, results, wsLabel)
	rss := func(r idleRun) float64 { return r.perConn(func(m mem) int64 { return m.RSS }) }
	for _, n := range []string{"plezi", "plezi-adapter"} {
		if rs := results[n]; len(rs) > 0 {
			m := medianOf(rs, rss)
			v := "met"
			if m > float64(*target) {
				v = "not met"
			}
			fmt.Printf("\n%s: RSS Δ per connection %s B, target ≤ %s B (%s).\n", wsLabel(n), fmtF(m, 0), fmtInt(int64(*target)), v)
		}
	}
	return nil
}

// printIdleTable prints the idle-memory table (medians and every run).
func printIdleTable(names []string, results map[string][]idleRun, label func(string) string) {
	fmt.Println("| server | RSS before (MiB) | RSS with conns (MiB) | RSS Δ / conn (B) | heap in use Δ / conn (B) | goroutine stacks Δ / conn (B) | Go heap in use with conns (MiB) | RSS after all closed, Δ vs before (KiB) | RSS Δ / conn, every run (B) |")
	fmt.Println("|---|---:|---:|---:|---:|---:|---:|---:|---|")
	for _, name := range names {
		rs := results[name]
		per := valuesOf(rs, func(r idleRun) float64 { return r.perConn(func(m mem) int64 { return m.RSS }) })
		fmt.Printf("| %s | %s | %s | **%s** | %s | %s | %s | %s | %s |\n",
			label(name),
			fmtF(medianOf(rs, func(r idleRun) float64 { return float64(r.base.RSS) / (1 << 20) }), 1),
			fmtF(medianOf(rs, func(r idleRun) float64 { return float64(r.loaded.RSS) / (1 << 20) }), 1),
			fmtF(median(per), 0),
			fmtF(medianOf(rs, func(r idleRun) float64 { return r.perConn(func(m mem) int64 { return m.HeapInuse }) }), 0),
			fmtF(medianOf(rs, func(r idleRun) float64 { return r.perConn(func(m mem) int64 { return m.Stack }) }), 0),
			fmtF(medianOf(rs, func(r idleRun) float64 { return float64(r.loaded.HeapInuse) / (1 << 20) }), 1),
			fmtF(medianOf(rs, func(r idleRun) float64 { return float64(r.after.RSS-r.base.RSS) / 1024 }), 0),
			list(per, func(x float64) string { return fmtF(x, 0) }))
	}
}

// wsIdleOnce measures one server: memory before, with the connections
// open and idle, and after the client closed them.
func wsIdleOnce(name string, procs, n, src, dialers int, settle time.Duration) (run idleRun, err error) {
	srv, addr, err := startWSServer(name, "idle", procs)
	if err != nil {
		return run, err
	}
	var load *child
	defer func() {
		if err != nil {
			srv.kill()
			if load != nil {
				load.kill()
			}
		}
	}()
	time.Sleep(settle)
	if run.base, err = askMem(srv); err != nil {
		return run, err
	}
	t0 := time.Now()
	load, err = startWSLoad(srv, addr, "idle", n, "-src", strconv.Itoa(src), "-dialers", strconv.Itoa(dialers))
	if err != nil {
		return run, err
	}
	run.dial, run.conns = since(t0), n
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
	// Close from the client side and check that the server gives the
	// memory back (a leak shows here).
	if err := load.send("close"); err != nil {
		return run, err
	}
	if _, err := load.expect("closed", 60*time.Second); err != nil {
		return run, err
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
	if _, err := load.stop(30 * time.Second); err != nil {
		return run, err
	}
	run.stopped, err = stopServer(srv)
	return run, err
}
