//go:build linux

package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// echoRun is one load run against one server.
type echoRun struct {
	rts     int64   // round trips completed in the window
	wall    float64 // window, seconds
	srvCPU  float64 // server user+sys CPU in the window, seconds
	cliCPU  float64 // load client user+sys CPU in the window, seconds
	other   float64 // CPU used by everything else on the machine in the window, seconds
	stopped string
}

func (r echoRun) perCPU() float64 { return float64(r.rts) / r.srvCPU }
func (r echoRun) perSec() float64 { return float64(r.rts) / r.wall }

// runEcho is the echo subcommand: rounds of interleaved runs, each a fresh
// server process and a fresh load-client process.
func runEcho(args []string) error {
	fs := flag.NewFlagSet("echo", flag.ExitOnError)
	rounds := fs.Int("rounds", 5, "rounds; each round runs every server once per connection count")
	dur := fs.Duration("dur", 4*time.Second, "measured window per run")
	warmup := fs.Duration("warmup", time.Second, "load before the measured window")
	connsFlag := fs.String("conns", "100,1000", "connection counts (comma-separated)")
	size := fs.Int("size", 64, "message size, bytes")
	servers := fs.String("servers", "engine,engine-t4,netconn", "servers: engine, engine-t4, netconn")
	bufSize := fs.Int("buf", 1024, "netconn: read buffer per connection, bytes")
	profile := fs.String("profile", "", "write each server's CPU profile into this directory")
	quiet := fs.Float64("quiet", 0.3, "before each run, wait until the machine uses less than this many cores (0: don't wait)")
	quietMax := fs.Duration("quiet-wait", 20*time.Second, "longest wait for -quiet")
	fs.Parse(args)
	startStamp()
	names := splitList(*servers)
	connsList, err := splitInts(*connsFlag)
	if err != nil {
		return fmt.Errorf("-conns: %v", err)
	}
	if *profile != "" {
		if err := os.MkdirAll(*profile, 0o755); err != nil {
			return err
		}
	}

	type key struct {
		name  string
		conns int
	}
	results := map[key][]echoRun{}
	for r := 0; r < *rounds; r++ {
		for _, n := range connsList {
			for i := range names {
				name := names[(i+r)%len(names)]
				var extra []string
				if *profile != "" {
					extra = []string{"-cpuprofile", filepath.Join(*profile, fmt.Sprintf("%s-c%d-r%d.pprof", name, n, r+1))}
				}
				if *quiet > 0 {
					waitQuiet(*quiet, *quietMax)
				}
				run, err := echoOnce(name, n, *size, *bufSize, *warmup, *dur, extra)
				if err != nil {
					return fmt.Errorf("round %d, %s, %d conns: %w", r+1, name, n, err)
				}
				results[key{name, n}] = append(results[key{name, n}], run)
				fmt.Printf("round %d %-9s conns=%-5d rts=%-9d wall=%.2fs server CPU=%.2fs client CPU=%.2fs other CPU=%.2fs -> %s rt/server-CPU-s, %s rt/s; %s\n",
					r+1, name, n, run.rts, run.wall, run.srvCPU, run.cliCPU, run.other,
					fmtF(run.perCPU(), 0), fmtF(run.perSec(), 0), run.stopped)
			}
		}
	}

	fmt.Printf("\nMachine: %s. Loopback; %d-byte ping-pong per connection; %v warm-up, %v measured window; medians of %d interleaved rounds.\n",
		endStamp(), *size, *warmup, *dur, *rounds)
	fmt.Printf("Server CPU = utime+stime of the server process from /proc/PID/stat (CLK_TCK %d) over the window; net.Conn server reads into a %d-byte buffer.\n", clkTck, *bufSize)
	for _, n := range connsList {
		fmt.Printf("\n%d connections:\n\n", n)
		fmt.Println("| server | round trips / server CPU-s | vs net.Conn (ratio of medians) | vs net.Conn (median of per-round ratios) | round trips / s | server CPU (cores) | client CPU (cores) | rest of the machine (cores) | round trips / server CPU-s, every run |")
		fmt.Println("|---|---:|---:|---:|---:|---:|---:|---:|---|")
		base := results[key{"netconn", n}]
		for _, name := range names {
			rs := results[key{name, n}]
			var perCPU, perSec, srv, cli, oth, paired []float64
			for i, r := range rs {
				perCPU = append(perCPU, r.perCPU())
				perSec = append(perSec, r.perSec())
				srv = append(srv, r.srvCPU/r.wall)
				cli = append(cli, r.cliCPU/r.wall)
				oth = append(oth, r.other/r.wall)
				if i < len(base) {
					paired = append(paired, r.perCPU()/base[i].perCPU())
				}
			}
			ratio, pr := "–", "–"
			if len(base) > 0 {
				var b []float64
				for _, r := range base {
					b = append(b, r.perCPU())
				}
				ratio = fmt.Sprintf("%.2f×", median(perCPU)/median(b))
				pr = fmt.Sprintf("%.2f×", median(paired))
			}
			fmt.Printf("| %s | **%s** | %s | %s | %s | %.2f | %.2f | %.2f | %s |\n",
				label(name), fmtF(median(perCPU), 0), ratio, pr, fmtF(median(perSec), 0),
				median(srv), median(cli), median(oth), list(perCPU, func(x float64) string { return fmtF(x, 0) }))
		}
	}
	return nil
}

func echoOnce(name string, conns, size, bufSize int, warmup, dur time.Duration, extra []string) (run echoRun, err error) {
	srv, addr, err := startServer(name, "echo", bufSize, extra...)
	if err != nil {
		return run, err
	}
	defer func() {
		if err != nil {
			srv.kill()
		}
	}()
	load, err := startChild("load", "load", "-addr", addr, "-pid", strconv.Itoa(srv.pid()),
		"-conns", strconv.Itoa(conns), "-size", strconv.Itoa(size),
		"-warmup", warmup.String(), "-dur", dur.String())
	if err != nil {
		return run, err
	}
	res, err := load.expect("result", warmup+dur+90*time.Second)
	if err != nil {
		load.kill()
		return run, err
	}
	if _, err := load.stop(30 * time.Second); err != nil {
		return run, err
	}
	var rts, ticks, cticks, busy, errs int64
	var wall float64
	if _, err := fmt.Sscanf(res, "rts=%d wall=%g ticks=%d cticks=%d busy=%d errors=%d", &rts, &wall, &ticks, &cticks, &busy, &errs); err != nil {
		return run, fmt.Errorf("bad load result %q: %v", res, err)
	}
	if errs > 0 {
		return run, fmt.Errorf("load client saw %d connection errors", errs)
	}
	if ticks <= 0 {
		return run, fmt.Errorf("server used no measurable CPU (%d ticks)", ticks)
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
	run.rts, run.wall = rts, wall
	run.srvCPU, run.cliCPU = ticksToSeconds(ticks), ticksToSeconds(cticks)
	run.other = max(0, ticksToSeconds(busy-ticks-cticks))
	return run, nil
}

// counter is a per-connection round-trip counter on its own cache line.
type counter struct {
	n atomic.Int64
	_ [56]byte
}

// runLoad is the load subcommand: -conns connections doing ping-pong round
// trips (write -size bytes, read them back, check them) against -addr. The
// measured window starts after -warmup and lasts -dur; at both ends it
// reads the round-trip counters and the server's CPU ticks, so connection
// setup and teardown stay out of the figures. It prints
// "result rts=N wall=SECS ticks=SERVER_TICKS cticks=CLIENT_TICKS
// busy=MACHINE_BUSY_TICKS errors=N".
func runLoad(args []string) error {
	fs := flag.NewFlagSet("load", flag.ExitOnError)
	addr := fs.String("addr", "", "server address")
	pid := fs.Int("pid", 0, "server process ID (for its CPU time)")
	conns := fs.Int("conns", 100, "connections")
	size := fs.Int("size", 64, "message size, bytes")
	warmup := fs.Duration("warmup", time.Second, "load before the window")
	dur := fs.Duration("dur", 5*time.Second, "measured window")
	src := fs.Int("src", 8, "source addresses 127.0.0.2 .. 127.0.0.(1+src)")
	fs.Parse(args)
	if *addr == "" || *pid == 0 {
		return fmt.Errorf("-addr and -pid are required")
	}
	// Never outlive a lost harness.
	time.AfterFunc(*warmup+*dur+2*time.Minute, func() {
		fmt.Fprintln(os.Stderr, "load: ran too long; exiting")
		os.Exit(3)
	})

	cs, err := dialMany(*addr, *conns, *src, 32)
	defer func() {
		for _, c := range cs {
			if c != nil {
				c.Close()
			}
		}
	}()
	if err != nil {
		return err
	}
	var (
		stop    atomic.Bool
		errs    atomic.Int64
		wg      sync.WaitGroup
		counts  = make([]counter, len(cs))
		horizon = time.Now().Add(*warmup + *dur + time.Minute)
	)
	for i, c := range cs {
		c.SetDeadline(horizon)
		wg.Add(1)
		go func() {
			defer wg.Done()
			out := bytes.Repeat([]byte{byte('a' + i%26)}, *size)
			in := make([]byte, *size)
			for !stop.Load() {
				if _, err := c.Write(out); err != nil {
					errs.Add(1)
					fmt.Fprintf(os.Stderr, "load: conn %d: write: %v\n", i, err)
					return
				}
				if _, err := io.ReadFull(c, in); err != nil {
					errs.Add(1)
					fmt.Fprintf(os.Stderr, "load: conn %d: read: %v\n", i, err)
					return
				}
				if !bytes.Equal(in, out) {
					errs.Add(1)
					fmt.Fprintf(os.Stderr, "load: conn %d: echo differs\n", i)
					return
				}
				counts[i].n.Add(1)
			}
		}()
	}
	sum := func() int64 {
		var s int64
		for i := range counts {
			s += counts[i].n.Load()
		}
		return s
	}
	type mark struct {
		t                  time.Time
		rts, sv, cli, busy int64
	}
	take := func() (mark, error) {
		m := mark{t: time.Now(), rts: sum()}
		var err error
		if m.sv, err = cpuTicks(*pid); err != nil {
			return m, err
		}
		if m.cli, err = cpuTicks(os.Getpid()); err != nil {
			return m, err
		}
		m.busy, err = machineBusyTicks()
		return m, err
	}
	time.Sleep(*warmup)
	m0, err := take()
	if err != nil {
		return err
	}
	time.Sleep(*dur)
	m1, err := take()
	if err != nil {
		return err
	}
	stop.Store(true)
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		fmt.Fprintln(os.Stderr, "load: round trips still in flight 10s after the window")
		errs.Add(1)
	}
	fmt.Printf("result rts=%d wall=%g ticks=%d cticks=%d busy=%d errors=%d\n",
		m1.rts-m0.rts, m1.t.Sub(m0.t).Seconds(), m1.sv-m0.sv, m1.cli-m0.cli, m1.busy-m0.busy, errs.Load())
	return nil
}
