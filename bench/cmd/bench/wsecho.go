//go:build linux

package main

import (
	"cmp"
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

// wsRun is one measured window against one server: echo round trips or
// broadcast deliveries.
type wsRun struct {
	msgs    int64   // round trips (echo) or deliveries (broadcast) in the window
	wall    float64 // window, seconds
	srvCPU  float64 // server user+sys CPU in the window, seconds
	cliCPU  float64 // load client user+sys CPU in the window, seconds
	other   float64 // CPU used by everything else on the machine, seconds
	took    string  // broadcast: how long the server's broadcast call took
	stopped string
	shares  []procShare // the server's processes' parts of srvCPU (cluster servers)
	spread  string      // cluster servers: connections per worker, "PID:N,..."
}

func (r wsRun) perCPU() float64 { return float64(r.msgs) / r.srvCPU }

// errNoCPU: the server's CPU clocks did not move in the window (10 ms
// ticks): no figure, though the messages all arrived. A warm-up burst
// (a few ms) may end so; a measured one must not.
var errNoCPU = errors.New("server used no measurable CPU")

func (r wsRun) perSec() float64 { return float64(r.msgs) / r.wall }

// parseWSResult reads a load client's result line: "LABEL=N wall=SECS
// ticks=T cticks=T busy=T errors=N".
func parseWSResult(label, line string) (wsRun, error) {
	var (
		run                       wsRun
		ticks, cticks, busy, errs int64
	)
	if _, err := fmt.Sscanf(line, label+"=%d wall=%g ticks=%d cticks=%d busy=%d errors=%d",
		&run.msgs, &run.wall, &ticks, &cticks, &busy, &errs); err != nil {
		return run, fmt.Errorf("bad load result %q: %v", line, err)
	}
	if errs > 0 {
		return run, fmt.Errorf("load client saw %d connection errors", errs)
	}
	if ticks <= 0 {
		return run, fmt.Errorf("%w (%d ticks)", errNoCPU, ticks)
	}
	if run.msgs <= 0 {
		return run, fmt.Errorf("no messages in the window")
	}
	if _, split, ok := strings.Cut(line, " split="); ok {
		if f := strings.Fields(split); len(f) > 0 {
			var err error
			if run.shares, err = parseShares(f[0]); err != nil {
				return run, err
			}
		}
	}
	run.srvCPU, run.cliCPU = ticksToSeconds(ticks), ticksToSeconds(cticks)
	run.other = max(0, ticksToSeconds(busy-ticks-cticks))
	return run, nil
}

// measure runs once until the rest of the machine stayed under maxOther
// cores in the window (at most retries redos), and says how it went.
func (c *wsCommon) measure(what string, once func() (wsRun, error)) (wsRun, error) {
	for try := 0; ; try++ {
		if c.quiet > 0 {
			waitQuiet(c.quiet, c.quietMax)
		}
		run, err := once()
		if err != nil {
			return run, err
		}
		noise := run.other / run.wall
		if c.maxOther <= 0 || noise <= c.maxOther {
			return run, nil
		}
		if try == c.retries {
			fmt.Printf("%s: the rest of the machine used %.2f cores; keeping this run after %d redos\n", what, noise, try)
			return run, nil
		}
		fmt.Printf("%s: the rest of the machine used %.2f cores (%s per server CPU-s); redoing the run\n", what, noise, fmtF(run.perCPU(), 0))
	}
}

// runWSEcho is the wsecho subcommand: WebSocket echo round trips per
// server CPU-second, each run a fresh server process and a fresh
// load-client process, servers rotated over rounds.
func runWSEcho(args []string) error {
	fs := flag.NewFlagSet("wsecho", flag.ExitOnError)
	var cm wsCommon
	cm.register(fs, 3, defaultWSServers(loadPeers))
	dur := fs.Duration("dur", 4*time.Second, "measured window per run")
	warmup := fs.Duration("warmup", time.Second, "load before the measured window")
	connsFlag := fs.String("conns", "100,1000", "connection counts (comma-separated)")
	size := fs.Int("size", 64, "message size, bytes")
	binary := fs.Bool("binary", false, "binary messages (default text)")
	profile := fs.String("profile", "", "write each server's CPU profile into this directory")
	target := fs.Float64("target", 1.5, "plezi's target: echo round trips per server CPU-s against the best peer")
	fs.Parse(args)
	names, err := cm.names()
	if err != nil {
		return err
	}
	connsList, err := splitInts(*connsFlag)
	if err != nil {
		return fmt.Errorf("-conns: %v", err)
	}
	if *profile != "" {
		if err := os.MkdirAll(*profile, 0o755); err != nil {
			return err
		}
	}
	stamp := wsStamp()
	results := map[int]map[string][]wsRun{}
	for r := 0; r < cm.rounds; r++ {
		for _, n := range connsList {
			if results[n] == nil {
				results[n] = map[string][]wsRun{}
			}
			for i := range names {
				name := names[(i+r)%len(names)]
				var extra []string
				if *profile != "" {
					extra = []string{"-cpuprofile", filepath.Join(*profile, fmt.Sprintf("ws-%s-c%d-r%d.pprof", name, n, r+1))}
				}
				what := fmt.Sprintf("round %d %s conns=%d", r+1, name, n)
				run, err := cm.measure(what, func() (wsRun, error) {
					return wsEchoOnce(name, cm.procs, n, *size, *binary, *warmup, *dur, append(extra, cm.workerArgs()...))
				})
				if err != nil {
					return fmt.Errorf("round %d, %s, %d conns: %w", r+1, name, n, err)
				}
				results[n][name] = append(results[n][name], run)
				fmt.Printf("round %d %-13s conns=%-5d rts=%-9d wall=%.2fs server CPU=%.2fs client CPU=%.2fs other CPU=%.2fs -> %s rt/server-CPU-s, %s rt/s; %s\n",
					r+1, name, n, run.msgs, run.wall, run.srvCPU, run.cliCPU, run.other,
					fmtF(run.perCPU(), 0), fmtF(run.perSec(), 0), run.stopped)
			}
		}
	}
	kind := "text"
	if *binary {
		kind = "binary"
	}
	fmt.Printf("\nMachine: %s.\n", stampNote(stamp))
	fmt.Printf("Loopback; WebSocket ping-pong of one %d-byte %s message per connection (masked client frames, compression off), client in its own process; servers with GOMAXPROCS=%d; %v warm-up, %v measured window; medians of %d interleaved rounds.\n",
		*size, kind, cm.procs, *warmup, *dur, cm.rounds)
	if slices.ContainsFunc(names, isClusterWS) {
		fmt.Println(clusterNote(cm.workers))
	}
	fmt.Printf("Server CPU = utime+stime of the server process from /proc/PID/stat (CLK_TCK %d) over the window, summed over its process tree (a cluster's master and workers); client CPU likewise for the load client.\n", clkTck)
	for _, n := range connsList {
		fmt.Printf("\n%d connections:\n\n", n)
		printWSTable(names, results[n], "round trips")
		printTargetRatio(results[n], names, "round trips / server CPU-s", wsRun.perCPU, *target)
	}
	return nil
}

// printWSTable prints per-server medians and every run of a wsRun table.
//
// With a multi-process server among them, two more columns show the
// median run's split of server CPU over the processes (the one the
// harness started first) and its connections per worker.
func printWSTable(names []string, results map[string][]wsRun, unit string) {
	multi := false
	for _, name := range names {
		for _, r := range results[name] {
			multi = multi || len(r.shares) > 1
		}
	}
	procHead, procSep := "", ""
	if multi {
		procHead, procSep = " server CPU per process (cores; master first) | connections per worker (pid:count) |", "---|---|"
	}
	fmt.Printf("| server | %s / server CPU-s | %s / s | server CPU (cores) | client CPU (cores) | rest of the machine (cores) |%s %s / server CPU-s, every run |\n", unit, unit, procHead, unit)
	fmt.Println("|---|---:|---:|---:|---:|---:|" + procSep + "---|")
	for _, name := range names {
		rs := results[name]
		procCols := ""
		if multi {
			procCols = " — | — |"
			if len(rs) > 0 && len(rs[0].shares) > 1 {
				byCPU := slices.Clone(rs)
				slices.SortFunc(byCPU, func(a, b wsRun) int { return cmp.Compare(a.perCPU(), b.perCPU()) })
				m := byCPU[len(byCPU)/2]
				spread := m.spread
				if spread == "" {
					spread = "—" // not counted (echo)
				}
				procCols = fmt.Sprintf(" %s | %s |", sharesNote(m.shares, m.wall), spread)
			}
		}
		fmt.Printf("| %s | **%s** | %s | %.2f | %.2f | %.2f |%s %s |\n",
			wsLabel(name), fmtF(medianOf(rs, wsRun.perCPU), 0), fmtF(medianOf(rs, wsRun.perSec), 0),
			medianOf(rs, func(r wsRun) float64 { return r.srvCPU / r.wall }),
			medianOf(rs, func(r wsRun) float64 { return r.cliCPU / r.wall }),
			medianOf(rs, func(r wsRun) float64 { return r.other / r.wall }),
			procCols,
			list(valuesOf(rs, wsRun.perCPU), func(x float64) string { return fmtF(x, 0) }))
	}
}

// wsEchoOnce runs one server under the echo load for warmup+dur.
func wsEchoOnce(name string, procs, conns, size int, binary bool, warmup, dur time.Duration, extra []string) (run wsRun, err error) {
	srv, addr, err := startWSServer(name, "echo", procs, extra...)
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
	load, err = startWSLoad(srv, addr, "echo", conns, "-size", strconv.Itoa(size),
		"-binary="+strconv.FormatBool(binary), "-warmup", warmup.String(), "-dur", dur.String())
	if err != nil {
		return run, err
	}
	res, err := load.expect("result", warmup+dur+90*time.Second)
	if err != nil {
		return run, err
	}
	if _, err := load.stop(30 * time.Second); err != nil {
		return run, err
	}
	if run, err = parseWSResult("rts", res); err != nil {
		return run, err
	}
	run.stopped, err = stopServer(srv)
	return run, err
}
