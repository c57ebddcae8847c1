//go:build linux

package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// runWSBcast is the wsbcast subcommand: broadcast deliveries per server
// CPU-second. Per run: a fresh server process; a load-client process
// opens -clients connections; a warm-up broadcast; then the client marks
// the window's start (its CPU clocks and the server's), the harness tells
// the server over its stdin to broadcast -n messages of -size bytes to
// every connection, and the window ends when every connection has
// received (and checked) all of them.
func runWSBcast(args []string) error {
	fs := flag.NewFlagSet("wsbcast", flag.ExitOnError)
	var cm wsCommon
	cm.register(fs, 3, defaultWSServers(loadPeers))
	clients := fs.Int("clients", 1000, "connections receiving the broadcast")
	n := fs.Int("n", 1000, "messages broadcast in the measured burst")
	size := fs.Int("size", 32, "message size, bytes (at least 16: a sequence number)")
	warmN := fs.Int("warmup-n", 20, "messages broadcast before the measured burst (0: none)")
	binary := fs.Bool("binary", false, "binary messages (default text)")
	par := fs.Int("par", 0, "goroutines writing the broadcast in the server (0: the server's GOMAXPROCS)")
	profile := fs.String("profile", "", "write each server's CPU profile into this directory")
	target := fs.Float64("target", 2, "plezi's target: deliveries per server CPU-s against the best peer")
	fs.Parse(args)
	names, err := cm.names()
	if err != nil {
		return err
	}
	if *size < seqDigits || *n < 1 || *clients < 1 || *warmN < 0 {
		return fmt.Errorf("want -size >= %d, -n >= 1, -clients >= 1, -warmup-n >= 0", seqDigits)
	}
	if *profile != "" {
		if err := os.MkdirAll(*profile, 0o755); err != nil {
			return err
		}
	}
	cfg := bcastConfig{clients: *clients, n: *n, size: *size, warmN: *warmN, binary: *binary, par: *par, procs: cm.procs, workers: cm.workers}
	stamp := wsStamp()
	results := map[string][]wsRun{}
	for r := 0; r < cm.rounds; r++ {
		for i := range names {
			name := names[(i+r)%len(names)]
			var extra []string
			if *profile != "" {
				extra = []string{"-cpuprofile", filepath.Join(*profile, fmt.Sprintf("wsbcast-%s-r%d.pprof", name, r+1))}
			}
			run, err := cfg.once(name, &cm, fmt.Sprintf("round %d %s", r+1, name), extra)
			if err != nil {
				return fmt.Errorf("round %d, %s: %w", r+1, name, err)
			}
			results[name] = append(results[name], run)
			procs := ""
			if len(run.shares) > 1 {
				procs = fmt.Sprintf(" [%d processes: CPU %s cores; connections per worker %s]", len(run.shares), sharesNote(run.shares, run.wall), run.spread)
			}
			fmt.Printf("round %d %-13s deliveries=%-8d wall=%.2fs server CPU=%.2fs client CPU=%.2fs other CPU=%.2fs broadcast call %s -> %s deliveries/server-CPU-s, %s/s; %s%s\n",
				r+1, name, run.msgs, run.wall, run.srvCPU, run.cliCPU, run.other, run.took,
				fmtF(run.perCPU(), 0), fmtF(run.perSec(), 0), run.stopped, procs)
		}
	}
	kind := "text"
	if *binary {
		kind = "binary"
	}
	fmt.Printf("\nMachine: %s.\n", stampNote(stamp))
	fmt.Printf("Loopback; %d WebSocket clients (one load-client process, compression off) × %d %s messages of %d bytes broadcast by the server (%d warm-up messages first); servers with GOMAXPROCS=%d, broadcasting from %s goroutines; medians of %d interleaved rounds.\n",
		*clients, *n, kind, *size, *warmN, cm.procs, parNote(*par), cm.rounds)
	if slices.ContainsFunc(names, isClusterWS) {
		fmt.Printf("%s Each connection subscribes on its worker's pubsub.Broker (cluster engine); worker 1 publishes: to its own subscribers, and through the master to the other workers'.\n", clusterNote(cm.workers))
	}
	fmt.Printf("Window: from just before the harness asks the server to broadcast until the last client has received every message. Server CPU = utime+stime of the server process from /proc/PID/stat (CLK_TCK %d) over the window, summed over its process tree (a cluster's master and workers); client CPU likewise.\n\n", clkTck)
	printWSTable(names, results, "deliveries")
	printTargetRatio(results, names, "deliveries / server CPU-s", wsRun.perCPU, *target)
	printPairRatios(results, names, "deliveries / server CPU-s", wsRun.perCPU, [][2]string{
		{"plezi-cluster", "plezi-pubsub"}, {"plezi-cluster-p1", "plezi-pubsub"}, {"plezi-cluster-p1", "plezi-cluster"}})
	return nil
}

func parNote(par int) string {
	if par <= 0 {
		return "GOMAXPROCS"
	}
	return strconv.Itoa(par)
}

// bcastConfig is one broadcast benchmark's setup.
type bcastConfig struct {
	clients, n, size, warmN int
	binary                  bool
	par, procs, workers     int
}

// once measures one server: start it and the clients, warm up, then
// measure (and redo the burst on the same connections while the rest of
// the machine was busy, see wsCommon.measure).
func (b bcastConfig) once(name string, cm *wsCommon, what string, extra []string) (run wsRun, err error) {
	args := append([]string{"-binary=" + strconv.FormatBool(b.binary), "-par", strconv.Itoa(b.par), "-workers", strconv.Itoa(b.workers)}, extra...)
	srv, addr, err := startWSServer(name, "bcast", b.procs, args...)
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
	load, err = startWSLoad(srv, addr, "bcast", b.clients, "-size", strconv.Itoa(b.size), "-binary="+strconv.FormatBool(b.binary))
	if err != nil {
		return run, err
	}
	if err := srv.send("wait %d 60", b.clients); err != nil {
		return run, err
	}
	opened, err := srv.expect("opened", 70*time.Second)
	if err != nil {
		return run, err
	}
	_, spread, _ := strings.Cut(opened, "spread=") // a cluster's connections per worker
	var total int64
	if b.warmN > 0 {
		total += int64(b.warmN)
		if _, err := burst(srv, load, b.warmN, b.size, total); err != nil && !errors.Is(err, errNoCPU) {
			return run, fmt.Errorf("warm-up: %w", err)
		}
	}
	run, err = cm.measure(what, func() (wsRun, error) {
		total += int64(b.n)
		r, err := burst(srv, load, b.n, b.size, total)
		if err == nil && r.msgs != int64(b.n)*int64(b.clients) {
			err = fmt.Errorf("%d deliveries, want %d", r.msgs, b.n*b.clients)
		}
		return r, err
	})
	if err != nil {
		return run, err
	}
	if _, err := load.stop(30 * time.Second); err != nil {
		return run, err
	}
	run.spread = spread
	run.stopped, err = stopServer(srv)
	return run, err
}

// burst has the client mark the window, the server broadcast n messages,
// and returns the client's measurement once every connection received
// total messages in all.
func burst(srv, load *child, n, size int, total int64) (wsRun, error) {
	if err := load.send("expect %d 120", total); err != nil {
		return wsRun{}, err
	}
	if _, err := load.expect("marked", 10*time.Second); err != nil {
		return wsRun{}, err
	}
	if err := srv.send("bcast %d %d", n, size); err != nil {
		return wsRun{}, err
	}
	res, err := load.expect("result", 130*time.Second)
	if err != nil {
		return wsRun{}, err
	}
	sent, err := srv.expect("bcast", 30*time.Second)
	if err != nil {
		return wsRun{}, err
	}
	var nsent, nerrs int64
	var took string
	if _, err := fmt.Sscanf(sent, "sent=%d errors=%d took=%s", &nsent, &nerrs, &took); err != nil {
		return wsRun{}, fmt.Errorf("bad bcast answer %q: %v", sent, err)
	}
	if nerrs > 0 {
		return wsRun{}, fmt.Errorf("the server's broadcast had %d send errors", nerrs)
	}
	run, err := parseWSResult("deliveries", res)
	run.took = took
	return run, err
}
