//go:build linux

package main

import (
	"flag"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Shared parts of the WebSocket benchmarks (wsidle, wsecho, wsbcast and
// ws, which runs all three): flags, child processes, the stamp, and the
// ratio-against-target table.

// wsCommon are the flags every WebSocket benchmark has.
type wsCommon struct {
	rounds   int
	servers  string
	procs    int
	quiet    float64
	quietMax time.Duration
	maxOther float64
	retries  int
	workers  int
}

func (c *wsCommon) register(fs *flag.FlagSet, rounds int, servers string) {
	fs.IntVar(&c.rounds, "rounds", rounds, "rounds; each round runs every server once, in a rotated order (ws: 0 for each benchmark's default)")
	fs.StringVar(&c.servers, "servers", servers, "servers, comma-separated (ws: empty for each benchmark's default): "+strings.Join(wsKindOrder, ", "))
	fs.IntVar(&c.procs, "gomaxprocs", 2, "GOMAXPROCS of the server processes")
	fs.Float64Var(&c.quiet, "quiet", 0.3, "before each measurement, wait until the machine uses less than this many cores (0: don't wait)")
	fs.DurationVar(&c.quietMax, "quiet-wait", 30*time.Second, "longest wait for -quiet")
	fs.Float64Var(&c.maxOther, "max-other", 0.2, "redo a measurement during which the rest of the machine used more than this many cores (0: never)")
	fs.IntVar(&c.retries, "retries", 2, "most redos of one measurement for -max-other; the last try counts whatever the noise")
	fs.IntVar(&c.workers, "workers", 2, "worker processes of the plezi-cluster servers")
}

// workerArgs is the wsserve flag that gives a cluster server its workers.
func (c *wsCommon) workerArgs() []string { return []string{"-workers", strconv.Itoa(c.workers)} }

// args returns the flags that give the same settings to a benchmark
// (-rounds only when set).
func (c *wsCommon) args() []string {
	a := []string{"-gomaxprocs", strconv.Itoa(c.procs),
		"-quiet", strconv.FormatFloat(c.quiet, 'g', -1, 64), "-quiet-wait", c.quietMax.String(),
		"-max-other", strconv.FormatFloat(c.maxOther, 'g', -1, 64), "-retries", strconv.Itoa(c.retries),
		"-workers", strconv.Itoa(c.workers)}
	if c.rounds > 0 {
		a = append(a, "-rounds", strconv.Itoa(c.rounds))
	}
	if c.servers != "" {
		a = append(a, "-servers", c.servers)
	}
	return a
}

// names checks and returns the -servers list.
func (c *wsCommon) names() ([]string, error) {
	names := splitList(c.servers)
	if len(names) == 0 {
		return nil, fmt.Errorf("-servers is empty")
	}
	return names, checkWSKinds(names)
}

// defaultWSServers is plezi's native server, then peers.
func defaultWSServers(peers string) string { return "plezi," + peers }

// The default peers: gorilla and nbio in the mode nbio recommends for
// many connections (IOModNonBlocking) for idle memory; for echo and
// broadcast (100 to 1,000 connections) also nbio's IOModMixed, the mode
// it recommends below 10,000 connections, which was its faster one here.
const (
	idlePeers = "gorilla,nbio"
	loadPeers = "gorilla,nbio,nbio-mixed"
)

// wsPeers are the servers plezi's targets compare against.
var wsPeers = []string{"gorilla", "gorilla-mutex", "nbio", "nbio-mixed"}

// startWSServer spawns a WebSocket server with GOMAXPROCS procs and
// returns it with its address.
func startWSServer(name, mode string, procs int, extra ...string) (*child, string, error) {
	args := append([]string{"wsserve", "-kind", name, "-mode", mode}, extra...)
	srv, err := startChildEnv(name, []string{"GOMAXPROCS=" + strconv.Itoa(procs)}, args...)
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

// startWSLoad spawns the WebSocket load client against srv and waits
// until its connections are up.
func startWSLoad(srv *child, addr, mode string, conns int, extra ...string) (*child, error) {
	args := append([]string{"wsload", "-mode", mode, "-addr", addr, "-pid", strconv.Itoa(srv.pid()),
		"-conns", strconv.Itoa(conns)}, extra...)
	load, err := startChild("wsload", args...)
	if err != nil {
		return nil, err
	}
	if _, err := load.expect("connected", 3*time.Minute); err != nil {
		load.kill()
		return nil, err
	}
	return load, nil
}

// stopServer ends a server child and returns how long its stop took.
func stopServer(srv *child) (string, error) {
	rest, err := srv.stop(30 * time.Second)
	if err != nil {
		return "", err
	}
	for _, line := range rest {
		if s, ok := strings.CutPrefix(line, "stopped "); ok {
			return "stop took " + s, nil
		}
	}
	return "", nil
}

// wsStamp is the machine note plus the version of the code the plezi
// servers run on.
func wsStamp() string {
	return machineNote() + "; " + srcVersion("httpd", "http1", "websocket")
}

// stampNote returns the stamp taken at the start, flagged when the code
// changed while the benchmark ran.
func stampNote(start string) string {
	if wsStamp() != start {
		return start + " [code changed while this ran; figures are for the code above, built at the start]"
	}
	return start
}

// medianOf returns the median of f over runs.
func medianOf[R any](runs []R, f func(R) float64) float64 {
	xs := make([]float64, len(runs))
	for i, r := range runs {
		xs[i] = f(r)
	}
	return median(xs)
}

// valuesOf returns f of every run.
func valuesOf[R any](runs []R, f func(R) float64) []float64 {
	xs := make([]float64, len(runs))
	for i, r := range runs {
		xs[i] = f(r)
	}
	return xs
}

// printTargetRatio prints plezi's figure against the best peer's (by
// median of perRun over the rounds; higher is better) with the target:
// the ratio of medians and the ratios of the runs of each round.
func printTargetRatio[R any](results map[string][]R, names []string, what string, perRun func(R) float64, target float64) {
	best, bestName := 0.0, ""
	for _, n := range names {
		if isPeer(n) && len(results[n]) > 0 {
			if m := medianOf(results[n], perRun); m > best {
				best, bestName = m, n
			}
		}
	}
	header := false
	for _, n := range []string{"plezi", "plezi-adapter", "plezi-pubsub"} {
		rs := results[n]
		if len(rs) == 0 || bestName == "" {
			continue
		}
		if !header {
			header = true
			fmt.Printf("\n| %s | best peer | ratio of medians | per round | target |\n", what)
			fmt.Println("|---|---|---:|---|---:|")
		}
		peer := results[bestName]
		var paired []float64
		for i := range min(len(rs), len(peer)) {
			paired = append(paired, perRun(rs[i])/perRun(peer[i]))
		}
		ratio := medianOf(rs, perRun) / best
		fmt.Printf("| %s | %s | **%.2f×** | %s | ≥ %.1f× (%s) |\n", wsLabel(n), wsLabel(bestName), ratio,
			list(paired, func(x float64) string { return fmt.Sprintf("%.2f×", x) }), target, verdict(ratio, target))
	}
	if !header {
		fmt.Printf("\n(no ratio: this run had no plezi server or no peer; plezi's target is ≥ %.1f× the best peer)\n", target)
	}
}

// printPairRatios prints num / den for each pair of pairs that ran (no
// target): the ratio of medians and the ratios of each round's runs.
func printPairRatios[R any](results map[string][]R, names []string, what string, perRun func(R) float64, pairs [][2]string) {
	header := false
	for _, p := range pairs {
		num, den := results[p[0]], results[p[1]]
		if len(num) == 0 || len(den) == 0 {
			continue
		}
		if !header {
			header = true
			fmt.Printf("\n| %s | ratio of medians | median of per-round ratios | per round |\n", what)
			fmt.Println("|---|---:|---:|---|")
		}
		var paired []float64
		for i := range min(len(num), len(den)) {
			paired = append(paired, perRun(num[i])/perRun(den[i]))
		}
		fmt.Printf("| %s / %s | **%.2f×** | %.2f× | %s |\n", wsLabel(p[0]), wsLabel(p[1]),
			medianOf(num, perRun)/medianOf(den, perRun), median(paired),
			list(paired, func(x float64) string { return fmt.Sprintf("%.2f×", x) }))
	}
}

func isPeer(name string) bool {
	for _, p := range wsPeers {
		if p == name {
			return true
		}
	}
	return false
}

// verdict says whether ratio meets target, with three decimals when
// rounding to two would hide the side.
func verdict(ratio, target float64) string {
	v := "met"
	if ratio < target {
		v = "not met"
	}
	if math.Round(ratio*100) == math.Round(target*100) {
		v += fmt.Sprintf(": %.3f×", ratio)
	}
	return v
}

// runWS is the ws subcommand: wsidle, wsecho and wsbcast one after the
// other with their defaults (the full section 5 of BENCHMARKS.md), or
// small and short with -quick (a smoke test of the harness).
func runWS(args []string) error {
	fs := flag.NewFlagSet("ws", flag.ExitOnError)
	var cm wsCommon
	cm.register(fs, 0, "")
	only := fs.String("only", "idle,echo,bcast", "benchmarks to run, comma-separated")
	quick := fs.Bool("quick", false, "small and short runs (smoke test; figures mean little)")
	fs.Parse(args)
	if cm.servers != "" {
		if _, err := cm.names(); err != nil {
			return err
		}
	}
	common := cm.args()
	runs := map[string]struct {
		run   func([]string) error
		quick []string
	}{
		"idle":  {runWSIdle, []string{"-conns", "2000", "-rounds", "1"}},
		"echo":  {runWSEcho, []string{"-conns", "100", "-dur", "1s", "-warmup", "500ms", "-rounds", "1"}},
		"bcast": {runWSBcast, []string{"-clients", "200", "-n", "200", "-rounds", "1"}},
	}
	for _, name := range splitList(*only) {
		r, ok := runs[name]
		if !ok {
			return fmt.Errorf("-only: unknown benchmark %q (have idle, echo, bcast)", name)
		}
		a := common
		if *quick {
			// Noisy runs are kept: a smoke test checks the harness.
			a = append(append(append([]string{}, r.quick...), common...), "-max-other", "0", "-quiet", "0")
		}
		fmt.Printf("\n=== bench ws%s %s\n\n", name, strings.Join(a, " "))
		if err := r.run(a); err != nil {
			return fmt.Errorf("ws%s: %w", name, err)
		}
	}
	return nil
}
