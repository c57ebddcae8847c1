//go:build linux

package main

import (
	"cmp"
	"flag"
	"fmt"
	"slices"
	"strconv"
	"strings"
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
	clients := fs.Int("clients", 1, "load-client processes sharing the connections (each process may hold at most 20,000 descriptors here)")
	fs.Parse(args)
	names, err := cm.names()
	if err != nil {
		return err
	}
	if *src < 1 || *src > 250 {
		return fmt.Errorf("-src must be 1..250")
	}
	if *clients < 1 || *clients > *conns {
		return fmt.Errorf("-clients must be 1..-conns")
	}
	stamp := wsStamp()
	results := map[string][]idleRun{}
	for r := 0; r < cm.rounds; r++ {
		for i := range names {
			name := names[(i+r)%len(names)]
			run, err := wsIdleOnce(name, cm.procs, *conns, *clients, *src, *dialers, *settle, cm.workerArgs())
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
			if run.procs > 1 {
				fmt.Printf("        %d processes: RSS summed %s -> %s MiB, RssAnon summed %s -> %s MiB (%s B/conn); connections per worker (pid:count) %s\n",
					run.procs, fmtMiB(run.treeRSSBase), fmtMiB(run.treeRSSLoaded), fmtMiB(run.anonBase), fmtMiB(run.anonLoaded),
					fmtF(float64(run.anonLoaded-run.anonBase)/float64(run.conns), 0), run.spread)
			}
		}
	}
	fmt.Printf("\nMachine: %s.\n", stampNote(stamp))
	clientNote := "the client in its own process"
	if *clients > 1 {
		clientNote = fmt.Sprintf("%d load-client processes", *clients)
	}
	fmt.Printf("Loopback; %d idle WebSocket connections (handshake done, compression off) from 127.0.0.2..127.0.0.%d, %s; servers with GOMAXPROCS=%d; medians of %d interleaved rounds.\n",
		*conns, 1+*src, clientNote, cm.procs, cm.rounds)
	if slices.ContainsFunc(names, isClusterWS) {
		fmt.Println(clusterNote(cm.workers))
	}
	fmt.Printf("Server memory after runtime.GC + debug.FreeOSMemory (in every process of a cluster: master and workers, summed).\n\n")
	printIdleTable(names, results, wsLabel)
	printTreeIdleTable(names, results)
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
// open and idle (from clients load-client processes), and after the
// clients closed them.
func wsIdleOnce(name string, procs, n, clients, src, dialers int, settle time.Duration, extra []string) (run idleRun, err error) {
	srv, addr, err := startWSServer(name, "idle", procs, extra...)
	if err != nil {
		return run, err
	}
	var loads []*child
	defer func() {
		if err != nil {
			srv.kill()
			for _, l := range loads {
				l.kill()
			}
		}
	}()
	time.Sleep(settle)
	if run.base, err = askMem(srv); err != nil {
		return run, err
	}
	if run.treeRSSBase, run.anonBase, run.procs, err = treeMemory(srv.pid()); err != nil {
		return run, err
	}
	t0 := time.Now()
	for i := range clients {
		share := n/clients + btoi(i < n%clients)
		load, err := startWSLoad(srv, addr, "idle", share, "-src", strconv.Itoa(src), "-dialers", strconv.Itoa(dialers))
		if err != nil {
			return run, fmt.Errorf("load client %d: %w", i+1, err)
		}
		loads = append(loads, load)
	}
	run.dial, run.conns = since(t0), n
	if err := srv.send("wait %d 60", n); err != nil {
		return run, err
	}
	opened, err := srv.expect("opened", 70*time.Second)
	if err != nil {
		return run, err
	}
	_, run.spread, _ = strings.Cut(opened, "spread=")
	time.Sleep(settle)
	if run.loaded, err = askMem(srv); err != nil {
		return run, err
	}
	if run.treeRSSLoaded, run.anonLoaded, _, err = treeMemory(srv.pid()); err != nil {
		return run, err
	}
	// Close from the client side and check that the server gives the
	// memory back (a leak shows here).
	for _, load := range loads {
		if err := load.send("close"); err != nil {
			return run, err
		}
	}
	for _, load := range loads {
		if _, err := load.expect("closed", 60*time.Second); err != nil {
			return run, err
		}
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
	for _, load := range loads {
		if _, err := load.stop(30 * time.Second); err != nil {
			return run, err
		}
	}
	run.stopped, err = stopServer(srv)
	return run, err
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// printTreeIdleTable prints, when a server ran as several processes, the
// whole tree's memory read by the harness (VmRSS and RssAnon of every
// process, summed) and its connections per worker.
func printTreeIdleTable(names []string, results map[string][]idleRun) {
	multi := false
	for _, name := range names {
		for _, r := range results[name] {
			multi = multi || r.procs > 1
		}
	}
	if !multi {
		return
	}
	fmt.Println("\nThe server's whole process tree, read by the harness from /proc/PID/status right after the table's measurements: VmRSS, and RssAnon (resident anonymous memory: without the binary's file pages, which every process maps and counts in its RSS, so that a tree of 4 processes counts them 4 times):")
	fmt.Println()
	fmt.Println("| server | processes | RSS summed before (MiB) | RSS summed with conns (MiB) | RSS Δ / conn (B) | RssAnon summed before (MiB) | RssAnon summed with conns (MiB) | RssAnon Δ / conn (B) | connections per worker (pid:count), median run |")
	fmt.Println("|---|---:|---:|---:|---:|---:|---:|---:|---|")
	for _, name := range names {
		rs := results[name]
		if len(rs) == 0 {
			continue
		}
		anon := func(r idleRun) float64 { return float64(r.anonLoaded-r.anonBase) / float64(r.conns) }
		byAnon := slices.Clone(rs)
		slices.SortFunc(byAnon, func(a, b idleRun) int { return cmp.Compare(anon(a), anon(b)) })
		fmt.Printf("| %s | %d | %s | %s | %s | %s | %s | **%s** | %s |\n", wsLabel(name), rs[0].procs,
			fmtF(medianOf(rs, func(r idleRun) float64 { return float64(r.treeRSSBase) / (1 << 20) }), 1),
			fmtF(medianOf(rs, func(r idleRun) float64 { return float64(r.treeRSSLoaded) / (1 << 20) }), 1),
			fmtF(medianOf(rs, func(r idleRun) float64 { return float64(r.treeRSSLoaded-r.treeRSSBase) / float64(r.conns) }), 0),
			fmtF(medianOf(rs, func(r idleRun) float64 { return float64(r.anonBase) / (1 << 20) }), 1),
			fmtF(medianOf(rs, func(r idleRun) float64 { return float64(r.anonLoaded) / (1 << 20) }), 1),
			fmtF(medianOf(rs, anon), 0), byAnon[len(byAnon)/2].spread)
	}
}
