//go:build linux

package main

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/httptrace"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// httpRun is one wrk run against one server.
type httpRun struct {
	requests int64   // responses wrk completed
	bytes    int64   // bytes wrk read
	wall     float64 // wrk's duration, seconds
	p50, p99 float64 // wrk's latency percentiles, µs
	sockErrs int64   // wrk's connect+read+write+timeout errors
	status   int64   // wrk's responses with status > 399
	srvCPU   float64 // server user+sys CPU over the wrk run, seconds
	wrkCPU   float64 // wrk's user+sys CPU, seconds
	other    float64 // CPU used by everything else on the machine, seconds
	stopped  string
	// Multi-process servers: each process's share of srvCPU (the one
	// the harness started first), and the sockets each held halfway
	// through the run less those it held before the warm-up (wrk's
	// connections, as the kernel spread them).
	shares  []procShare
	sockets []int
}

func (r httpRun) perCPU() float64 { return float64(r.requests) / r.srvCPU }
func (r httpRun) perSec() float64 { return float64(r.requests) / r.wall }

// httpLabels names the servers in the tables.
var httpLabels = map[string]string{
	"plezi-native":        "plezi httpd, Native (Threads 0)",
	"plezi-adapter":       "plezi httpd, net/http adapter (Threads 0)",
	"plezi-controller":    "plezi framework, controller Index (native Ctx, Threads 0)",
	"nethttp":             "net/http",
	"fasthttp":            "fasthttp v1.78.0",
	"nbio":                "nbio v1.6.8 nbhttp (IOModMixed)",
	"nbio-nonblocking":    "nbio v1.6.8 nbhttp (IOModNonBlocking, handler on its pool)",
	"nbio-inline":         "nbio v1.6.8 nbhttp (IOModNonBlocking, handler on the pollers)",
	"plezi-w1":            "plezi httpd, Native, cluster Workers 1 (one process)",
	"plezi-w2":            "plezi httpd, Native, cluster Workers 2 (master + 2 workers, GOMAXPROCS 2 each)",
	"plezi-w2-p1":         "plezi httpd, Native, cluster Workers 2 (master + 2 workers, GOMAXPROCS 1 each)",
	"plezi-w2-rp":         "plezi httpd, Native, cluster Workers 2, ReusePort (a socket per worker, GOMAXPROCS 2 each)",
	"fasthttp-prefork":    "fasthttp v1.78.0 prefork (parent + 2 children, GOMAXPROCS 1 each)",
	"fasthttp-prefork-p2": "fasthttp v1.78.0 prefork (parent + 2 children, GOMAXPROCS 2 each)",
}

// httpRatios are the ratios the issue sets targets for, per server CPU-s.
var httpRatios = []struct {
	num, den string
	target   float64
}{
	{"plezi-native", "fasthttp", 1.3},
	{"plezi-native", "nethttp", 1.8},
	{"plezi-adapter", "nethttp", 1.2},
	{"plezi-controller", "plezi-native", 0.8},
	// Issue 6 sets no target for these (0: none).
	{"plezi-w1", "plezi-native", 0},
	{"plezi-w2", "plezi-w1", 0},
	{"plezi-w2-p1", "plezi-w1", 0},
	{"plezi-w2-rp", "plezi-w1", 0},
	{"plezi-w2-rp", "fasthttp-prefork", 0},
	{"plezi-w2", "fasthttp-prefork", 0},
	{"plezi-w2-p1", "fasthttp-prefork", 0},
	{"plezi-w2", "fasthttp-prefork-p2", 0},
	{"plezi-w2-p1", "fasthttp-prefork-p2", 0},
	{"fasthttp-prefork", "fasthttp", 0},
}

// runHTTP is the http subcommand: a hello-world HTTP/1.1 server loaded
// with wrk over keep-alive connections, every server in a fresh child
// process per run, servers interleaved across rounds.
func runHTTP(args []string) error {
	fs := flag.NewFlagSet("http", flag.ExitOnError)
	rounds := fs.Int("rounds", 3, "rounds; each round runs every server once per pipeline depth, in a rotated order")
	dur := fs.Duration("dur", 5*time.Second, "measured wrk run per server (whole seconds)")
	warmup := fs.Duration("warmup", time.Second, "wrk warm-up run before the measured one (whole seconds; 0: none)")
	conns := fs.Int("c", 100, "wrk connections")
	threads := fs.Int("t", 2, "wrk threads")
	depths := fs.String("depth", "1", "pipeline depths, comma-separated (1: no pipelining; N > 1: wrk sends N requests per write)")
	servers := fs.String("servers", "plezi-native,plezi-adapter,nethttp,fasthttp,nbio", "servers: "+strings.Join(httpKinds, ", "))
	procs := fs.Int("gomaxprocs", 2, "GOMAXPROCS of the server processes")
	envFlag := fs.String("env", "", "extra environment of the server processes, comma-separated K=V (e.g. GODEBUG=schedtrace=100000)")
	wrkPath := fs.String("wrk", "/usr/bin/wrk", "the wrk binary")
	profile := fs.String("profile", "", "write each server's CPU profile (.cpu.pprof) and allocation profile (.allocs.pprof) into this directory")
	quiet := fs.Float64("quiet", 0.3, "before each run, wait until the machine uses less than this many cores (0: don't wait)")
	quietMax := fs.Duration("quiet-wait", 60*time.Second, "longest wait for -quiet")
	maxOther := fs.Float64("max-other", 0.2, "redo a run during which the rest of the machine used more than this many cores (0: never)")
	retries := fs.Int("retries", 3, "most redos of one run for -max-other; the last try counts whatever the noise")
	fs.Parse(args)

	names := splitList(*servers)
	for _, n := range names {
		if !slices.Contains(httpKinds, n) {
			return fmt.Errorf("unknown server %q (have %s)", n, strings.Join(httpKinds, ", "))
		}
	}
	depthList, err := splitInts(*depths)
	if err != nil {
		return fmt.Errorf("-depth: %v", err)
	}
	for _, d := range []time.Duration{*dur, *warmup} {
		if d < 0 || d%time.Second != 0 {
			return fmt.Errorf("wrk durations must be whole seconds, not %v", d)
		}
	}
	if *dur == 0 {
		return errors.New("-dur must be at least 1s")
	}
	if _, err := os.Stat(*wrkPath); err != nil {
		return fmt.Errorf("wrk: %v", err)
	}
	if *profile != "" {
		if err := os.MkdirAll(*profile, 0o755); err != nil {
			return err
		}
	}
	tmp, err := os.MkdirTemp("", "bench-http-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	scripts := map[int]string{}
	for _, d := range depthList {
		p := filepath.Join(tmp, fmt.Sprintf("depth%d.lua", d))
		if err := os.WriteFile(p, []byte(wrkScript(d)), 0o644); err != nil {
			return err
		}
		scripts[d] = p
	}

	stampStart := httpStamp()
	type key struct {
		name  string
		depth int
	}
	results := map[key][]httpRun{}
	heads := map[string]string{} // the raw response each server sent first
	var failures []string
	redone, noisy := 0, 0 // runs redone for noise; runs kept although noisy
	for r := 0; r < *rounds; r++ {
		for _, d := range depthList {
			for i := range names {
				name := names[(i+r)%len(names)]
				var extra []string
				if *profile != "" {
					base := filepath.Join(*profile, fmt.Sprintf("%s-d%d-r%d", name, d, r+1))
					extra = []string{"-cpuprofile", base + ".cpu.pprof", "-memprofile", base + ".allocs.pprof"}
				}
				cfg := wrkConfig{path: *wrkPath, script: scripts[d], conns: *conns, threads: *threads}
				env := append([]string{"GOMAXPROCS=" + strconv.Itoa(*procs)}, splitList(*envFlag)...)
				var (
					run  httpRun
					head string
				)
				for try := 0; ; try++ {
					run, head, err = httpOnce(name, env, cfg, *warmup, *dur, *quiet, *quietMax, extra)
					if err != nil {
						break
					}
					noise := run.other / run.wall
					if *maxOther <= 0 || noise <= *maxOther {
						break
					}
					if try == *retries {
						noisy++
						fmt.Printf("round %d depth %d %s: the rest of the machine used %.2f cores; keeping this run after %d redos\n", r+1, d, name, noise, try)
						break
					}
					redone++
					fmt.Printf("round %d depth %d %s: the rest of the machine used %.2f cores (%s req/server-CPU-s); redoing the run\n",
						r+1, d, name, noise, fmtF(run.perCPU(), 0))
				}
				if err != nil {
					var bad badAnswer
					if errors.As(err, &bad) {
						return fmt.Errorf("round %d, %s, depth %d: %w", r+1, name, d, err)
					}
					// A server that fails under load is a result: note it
					// and go on with the others.
					failures = append(failures, fmt.Sprintf("round %d, %s, depth %d: %v", r+1, name, d, err))
					fmt.Printf("round %d depth %-2d %-16s FAILED: %v\n", r+1, d, name, err)
					continue
				}
				if _, ok := heads[name]; !ok {
					heads[name] = head
				}
				results[key{name, d}] = append(results[key{name, d}], run)
				mark := ""
				if run.sockErrs > 0 || run.status > 0 {
					mark = " ** ERRORS **"
					failures = append(failures, fmt.Sprintf("round %d, %s, depth %d: %d socket errors, %d responses with status >= 400",
						r+1, name, d, run.sockErrs, run.status))
				}
				procs := ""
				if len(run.shares) > 1 {
					procs = fmt.Sprintf(" [%d processes: CPU %s cores, wrk connections %s]", len(run.shares),
						sharesNote(run.shares, run.wall), socketsNote(run.sockets))
				}
				fmt.Printf("round %d depth %-2d %-16s reqs=%-9d wall=%.2fs server CPU=%.2fs wrk CPU=%.2fs other CPU=%.2fs -> %s req/server-CPU-s, %s req/s, p50 %s p99 %s, %d socket errors, %d status errors; %s%s%s\n",
					r+1, d, name, run.requests, run.wall, run.srvCPU, run.wrkCPU, run.other,
					fmtF(run.perCPU(), 0), fmtF(run.perSec(), 0), fmtUs(run.p50), fmtUs(run.p99),
					run.sockErrs, run.status, run.stopped, procs, mark)
			}
		}
	}

	stampEnd := httpStamp()
	note := stampStart
	if stampEnd != stampStart {
		note += " [code changed while this ran; figures are for the code above, built at the start]"
	}
	fmt.Printf("\nMachine: %s.\n", note)
	envNote := ""
	if *envFlag != "" {
		envNote = " and " + strings.Join(splitList(*envFlag), " ")
	}
	fmt.Printf("Loopback; wrk -t%d -c%d -d%v (keep-alive) after a %v wrk warm-up, every server in a fresh process with GOMAXPROCS=%d%s; medians of %d interleaved rounds (server order rotated each round).\n",
		*threads, *conns, *dur, *warmup, *procs, envNote, *rounds)
	if *maxOther > 0 {
		fmt.Printf("Runs during which the rest of the machine used more than %.2f cores were redone (up to %d times): %d redos; %d noisy runs kept.\n", *maxOther, *retries, redone, noisy)
	} else {
		fmt.Printf("Runs were not redone for noise (-max-other 0).\n")
	}
	fmt.Printf("Server CPU = utime+stime of the server process from /proc/PID/stat (CLK_TCK %d) over the wrk run, summed over its process tree (a cluster master and its workers, a prefork parent and its children; with cutime+cstime, so a process that exits in the run counts too); wrk CPU from its rusage. Latency percentiles are wrk's (per pipelined batch when depth > 1).\n", clkTck)

	fmt.Printf("\nResponses (the first each server sent to a plain GET / from the harness; Date value elided):\n\n")
	for _, name := range names {
		h := heads[name]
		fmt.Printf("- %s, %d bytes: `%s`\n", httpLabel(name), len(h), maskDate(strings.ReplaceAll(h, "\r\n", `\r\n`)))
	}

	for _, d := range depthList {
		if d == 1 {
			fmt.Printf("\nNo pipelining (one request in flight per connection):\n\n")
		} else {
			fmt.Printf("\nPipelined, %d requests per write per connection:\n\n", d)
		}
		multi := false
		for _, name := range names {
			for _, r := range results[key{name, d}] {
				multi = multi || len(r.shares) > 1
			}
		}
		procHead, procSep := "", ""
		if multi {
			procHead, procSep = " server CPU per process (cores; parent first) | wrk connections per process |", "---|---|"
		}
		fmt.Println("| server | requests / server CPU-s | requests / s | server CPU (cores) | wrk CPU (cores) | rest of the machine (cores) | latency p50 | latency p99 | socket errors | status ≥ 400 | bytes / response |" + procHead + " requests / server CPU-s, every run | requests / s, every run |")
		fmt.Println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|" + procSep + "---|---|")
		for _, name := range names {
			rs := results[key{name, d}]
			var perCPU, perSec, srv, wrkc, oth, p50, p99, bpr []float64
			var sockErrs, status int64
			for _, r := range rs {
				perCPU = append(perCPU, r.perCPU())
				perSec = append(perSec, r.perSec())
				srv = append(srv, r.srvCPU/r.wall)
				wrkc = append(wrkc, r.wrkCPU/r.wall)
				oth = append(oth, r.other/r.wall)
				p50 = append(p50, r.p50)
				p99 = append(p99, r.p99)
				bpr = append(bpr, float64(r.bytes)/float64(r.requests))
				sockErrs += r.sockErrs
				status += r.status
			}
			procCols := ""
			if multi {
				procCols = " " + medianShares(rs) + " |"
			}
			fmt.Printf("| %s | **%s** | %s | %.2f | %.2f | %.2f | %s | %s | %d | %d | %.0f |%s %s | %s |\n",
				httpLabel(name), fmtF(median(perCPU), 0), fmtF(median(perSec), 0),
				median(srv), median(wrkc), median(oth), fmtUs(median(p50)), fmtUs(median(p99)),
				sockErrs, status, median(bpr), procCols,
				list(perCPU, func(x float64) string { return fmtF(x, 0) }),
				list(perSec, func(x float64) string { return fmtF(x, 0) }))
		}

		header := false
		for _, q := range httpRatios {
			num, den := results[key{q.num, d}], results[key{q.den, d}]
			if len(num) == 0 || len(den) == 0 {
				continue
			}
			if !header {
				header = true
				fmt.Println()
				fmt.Println("| ratio | requests / server CPU-s: ratio of medians | median of per-round ratios | per round | target | requests / s: ratio of medians |")
				fmt.Println("|---|---:|---:|---|---:|---:|")
			}
			var nc, dc, ns, ds, paired []float64
			for i := range num {
				nc = append(nc, num[i].perCPU())
				ns = append(ns, num[i].perSec())
				if i < len(den) {
					paired = append(paired, num[i].perCPU()/den[i].perCPU())
				}
			}
			for i := range den {
				dc = append(dc, den[i].perCPU())
				ds = append(ds, den[i].perSec())
			}
			ratio := median(nc) / median(dc)
			target := "—"
			if q.target > 0 {
				verdict := "met"
				if ratio < q.target {
					verdict = "not met"
				}
				if math.Round(ratio*100) == math.Round(q.target*100) {
					verdict += fmt.Sprintf(": %.3f×", ratio) // rounding would hide the side
				}
				target = fmt.Sprintf("≥ %.1f× (%s)", q.target, verdict)
			}
			fmt.Printf("| %s / %s | **%.2f×** | %.2f× | %s | %s | %.2f× |\n",
				httpLabel(q.num), httpLabel(q.den), ratio, median(paired),
				list(paired, func(x float64) string { return fmt.Sprintf("%.2f×", x) }),
				target, median(ns)/median(ds))
		}
	}
	if len(failures) > 0 {
		fmt.Printf("\nWARNING: failed runs, or runs with errors (every count must be 0):\n")
		for _, f := range failures {
			fmt.Printf("  %s\n", f)
		}
		return errors.New("some runs had socket errors or error statuses")
	}
	return nil
}

// httpOnce runs one server: start it, check its answer, wait for a quiet
// machine, warm it up with wrk, then measure one wrk run.
func httpOnce(name string, env []string, cfg wrkConfig, warmup, dur time.Duration, quiet float64, quietMax time.Duration, extra []string) (run httpRun, head string, err error) {
	args := append([]string{"serve", "-kind", name}, extra...)
	srv, err := startChildEnv(name, env, args...)
	if err != nil {
		return run, "", err
	}
	defer func() {
		if err != nil {
			srv.kill()
		}
	}()
	ready, err := srv.expect("ready", 20*time.Second)
	if err != nil {
		return run, "", err
	}
	addr, _, _ := strings.Cut(ready, " ")
	if head, err = verifyHello(addr); err != nil {
		return run, "", badAnswer{fmt.Errorf("%s answers wrongly: %w", name, err)}
	}
	if quiet > 0 {
		waitQuiet(quiet, quietMax)
	}
	// The sockets each server process holds before any load: halfway
	// through the run the difference is wrk's connections.
	base, err := sampleTree(srv.pid())
	if err != nil {
		return run, "", err
	}
	sock0 := map[int]int{}
	for pid := range base.procs {
		sock0[pid] = socketCount(pid)
	}
	if warmup > 0 {
		if _, err := cfg.run(addr, warmup); err != nil {
			return run, "", fmt.Errorf("warm-up: %w", err)
		}
	}
	s0, err := sampleTree(srv.pid())
	if err != nil {
		return run, "", err
	}
	b0, err := machineBusyTicks()
	if err != nil {
		return run, "", err
	}
	mid := make(chan []int, 1)
	midTimer := time.AfterFunc(dur/2, func() {
		var n []int
		for _, pid := range s0.pids() {
			n = append(n, socketCount(pid)-sock0[pid])
		}
		mid <- n
	})
	res, err := cfg.run(addr, dur)
	if !midTimer.Stop() {
		run.sockets = <-mid
	}
	if err != nil {
		return run, "", err
	}
	s1, err := sampleTree(srv.pid())
	if err != nil {
		return run, "", err
	}
	b1, err := machineBusyTicks()
	if err != nil {
		return run, "", err
	}
	ticks, shares := s1.since(s0)
	if ticks <= 0 {
		return run, "", fmt.Errorf("server used no measurable CPU (%d ticks)", ticks)
	}
	if res.requests == 0 {
		return run, "", errors.New("wrk completed no requests")
	}
	rest, err := srv.stop(30 * time.Second)
	if err != nil {
		return run, "", err
	}
	for _, line := range rest {
		if s, ok := strings.CutPrefix(line, "stopped "); ok {
			run.stopped = "stop took " + s
		} else {
			fmt.Fprintf(os.Stderr, "[%s] %s\n", name, line)
		}
	}
	run.requests, run.bytes, run.wall = res.requests, res.bytes, res.wall
	run.p50, run.p99 = res.p50, res.p99
	run.sockErrs, run.status = res.sockErrs, res.status
	run.srvCPU = ticksToSeconds(ticks)
	run.shares = shares
	run.wrkCPU = res.cpu
	run.other = max(0, ticksToSeconds(b1-b0)-run.srvCPU-run.wrkCPU)
	return run, head, nil
}

// badAnswer is a server's wrong answer to the check before loading it: it
// ends the benchmark.
type badAnswer struct{ error }

func (b badAnswer) Unwrap() error { return b.error }

// wrkConfig is how wrk is run.
type wrkConfig struct {
	path, script   string
	conns, threads int
}

// wrkResult is what the script's done() reports.
type wrkResult struct {
	requests, bytes  int64
	wall             float64 // seconds
	p50, p99         float64 // µs
	sockErrs, status int64
	cpu              float64 // wrk's user+sys CPU, seconds
}

// run runs wrk for d against addr and parses the line its script prints.
func (cfg wrkConfig) run(addr string, d time.Duration) (wrkResult, error) {
	var res wrkResult
	ctx, cancel := context.WithTimeout(context.Background(), d+30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, cfg.path,
		"-t"+strconv.Itoa(cfg.threads), "-c"+strconv.Itoa(cfg.conns),
		"-d"+strconv.Itoa(int(d/time.Second))+"s", "--latency", "-s", cfg.script,
		"http://"+addr+"/")
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	if err := cmd.Run(); err != nil {
		return res, fmt.Errorf("wrk: %v\n%s", err, out.String())
	}
	if st := cmd.ProcessState; st != nil {
		res.cpu = (st.UserTime() + st.SystemTime()).Seconds()
	}
	var line string
	for _, l := range strings.Split(out.String(), "\n") {
		if s, ok := strings.CutPrefix(l, "benchresult "); ok {
			line = s
		}
	}
	if line == "" {
		return res, fmt.Errorf("no result line in wrk's output:\n%s", out.String())
	}
	var durUs, connect, read, write, timeout float64
	var reqs, byts, status float64
	if _, err := fmt.Sscanf(line, "requests=%g bytes=%g duration_us=%g connect=%g read=%g write=%g status=%g timeout=%g p50_us=%g p99_us=%g",
		&reqs, &byts, &durUs, &connect, &read, &write, &status, &timeout, &res.p50, &res.p99); err != nil {
		return res, fmt.Errorf("bad wrk result %q: %v", line, err)
	}
	res.requests, res.bytes, res.status = int64(reqs), int64(byts), int64(status)
	res.sockErrs = int64(connect + read + write + timeout)
	res.wall = durUs / 1e6
	return res, nil
}

// wrkScript is the Lua script given to wrk: it prints the exact summary
// (wrk's own text rounds) and, for depth > 1, pipelines depth requests per
// write (wrk's pipeline example).
func wrkScript(depth int) string {
	s := `-- generated by bench http
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("benchresult requests=%.0f bytes=%.0f duration_us=%.0f connect=%.0f read=%.0f write=%.0f status=%.0f timeout=%.0f p50_us=%.1f p99_us=%.1f\n",
    summary.requests, summary.bytes, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
`
	if depth > 1 {
		s += fmt.Sprintf(`
local depth = %d
local batch
init = function(args)
  local r = {}
  for i = 1, depth do
    r[i] = wrk.format(nil, "/")
  end
  batch = table.concat(r)
end
request = function()
  return batch
end
`, depth)
	}
	return s
}

// verifyHello checks the server's answer with net/http's client (status,
// headers, body, and that a second request reuses the connection), then
// fetches the raw response to a request like wrk's and returns it.
func verifyHello(addr string) (string, error) {
	tr := &http.Transport{DisableCompression: true}
	defer tr.CloseIdleConnections()
	cl := &http.Client{Transport: tr, Timeout: 5 * time.Second}
	for i := 0; i < 2; i++ {
		reused := false
		trace := &httptrace.ClientTrace{GotConn: func(info httptrace.GotConnInfo) { reused = info.Reused }}
		req, err := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace), "GET", "http://"+addr+"/", nil)
		if err != nil {
			return "", err
		}
		resp, err := cl.Do(req)
		if err != nil {
			return "", err
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return "", err
		}
		var problems []string
		if resp.StatusCode != 200 || resp.Proto != "HTTP/1.1" {
			problems = append(problems, fmt.Sprintf("status %q %s", resp.Status, resp.Proto))
		}
		// text/html: a plezi controller's string result.
		if ct := resp.Header.Values("Content-Type"); len(ct) != 1 || ct[0] != "text/plain" && ct[0] != "text/html; charset=utf-8" {
			problems = append(problems, fmt.Sprintf("Content-Type %q", ct))
		}
		if string(body) != "Hello World" {
			problems = append(problems, fmt.Sprintf("body %q", body))
		}
		if resp.ContentLength != int64(len(hello)) || len(resp.TransferEncoding) > 0 {
			problems = append(problems, fmt.Sprintf("Content-Length %d, Transfer-Encoding %q", resp.ContentLength, resp.TransferEncoding))
		}
		if d, err := http.ParseTime(resp.Header.Get("Date")); err != nil || time.Since(d).Abs() > time.Minute {
			problems = append(problems, fmt.Sprintf("Date %q", resp.Header.Get("Date")))
		}
		if resp.Close {
			problems = append(problems, "the server closes the connection")
		}
		if i == 1 && !reused {
			problems = append(problems, "the keep-alive connection was not reused")
		}
		if len(problems) > 0 {
			return "", errors.New(strings.Join(problems, "; "))
		}
	}
	return rawGet(addr)
}

// rawGet sends the request wrk sends and returns the response bytes.
func rawGet(addr string) (string, error) {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return "", err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := fmt.Fprintf(c, "GET / HTTP/1.1\r\nHost: %s\r\n\r\n", addr); err != nil {
		return "", err
	}
	var buf bytes.Buffer
	br := bufio.NewReader(io.TeeReader(c, &buf))
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		return "", err
	}
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return "", err
	}
	resp.Body.Close()
	// buf holds what bufio read: the response (nothing follows it).
	return buf.String(), nil
}

var dateRE = regexp.MustCompile(`(?i)(\\r\\nDate: )[^\\]*`)

func maskDate(s string) string { return dateRE.ReplaceAllString(s, "${1}…") }

func fmtUs(us float64) string {
	if us <= 0 {
		return "n/a" // beyond wrk's histogram (its -timeout, 2 s by default)
	}
	if us >= 1000 {
		return fmt.Sprintf("%.2f ms", us/1000)
	}
	return fmt.Sprintf("%.0f µs", us)
}

func httpLabel(name string) string {
	if l, ok := httpLabels[name]; ok {
		return l
	}
	return name
}

// httpStamp is the machine note plus the version of the HTTP code
// measured (httpd/ and http1/, which engineVersion does not cover).
func httpStamp() string {
	return machineNote() + "; " + srcVersion("httpd", "http1")
}

// srcVersion describes the non-test Go sources of dirs (relative to the
// repository root): uncommitted files and a hash of their contents.
func srcVersion(dirs ...string) string {
	top, err := exec.Command("git", "rev-parse", "--show-toplevel").Output()
	if err != nil {
		return strings.Join(dirs, ", ") + " version unknown (no git)"
	}
	root := strings.TrimSpace(string(top))
	h := sha256.New()
	var notes []string
	for _, dir := range dirs {
		// Only Go sources count (the hash covers them): not fuzz corpora.
		st, err := exec.Command("git", "-C", root, "status", "--porcelain", "--", dir+"/*.go").Output()
		if err == nil && len(strings.TrimSpace(string(st))) > 0 {
			n := len(strings.Split(strings.TrimSpace(string(st)), "\n"))
			notes = append(notes, fmt.Sprintf("%d uncommitted Go file(s) in %s/", n, dir))
		}
		files, _ := filepath.Glob(filepath.Join(root, dir, "*.go"))
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			b, err := os.ReadFile(f)
			if err != nil {
				continue
			}
			fmt.Fprintf(h, "%s/%s %d\n", dir, filepath.Base(f), len(b))
			h.Write(b)
		}
	}
	v := strings.Join(dirs, "/*.go, ") + fmt.Sprintf("/*.go sha256 %x", h.Sum(nil)[:6])
	if len(notes) > 0 {
		v += " (" + strings.Join(notes, ", ") + ")"
	}
	return v
}

// socketsNote formats each process's count of wrk connections ("0 / 52 /
// 48"); "" when there is one process.
func socketsNote(n []int) string {
	if len(n) < 2 {
		return ""
	}
	parts := make([]string, len(n))
	for i, x := range n {
		parts[i] = strconv.Itoa(x)
	}
	return strings.Join(parts, " / ")
}

// medianShares describes the median run's (by requests per server
// CPU-second) split of server CPU and connections over its processes, for
// a table cell ("—" for a single process).
func medianShares(rs []httpRun) string {
	if len(rs) == 0 || len(rs[0].shares) < 2 {
		return "— | —"
	}
	byCPU := slices.Clone(rs)
	slices.SortFunc(byCPU, func(a, b httpRun) int { return cmp.Compare(a.perCPU(), b.perCPU()) })
	m := byCPU[len(byCPU)/2]
	return sharesNote(m.shares, m.wall) + " | " + socketsNote(m.sockets)
}
