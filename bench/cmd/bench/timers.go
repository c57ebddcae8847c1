//go:build linux

package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/plezi-go/plezi/engine"
)

// timerImpl is one timer implementation under test: the engine's RunAfter
// or, for reference, the runtime's time.AfterFunc.
type timerImpl interface {
	name() string
	start() error
	prepare(n int)                                // allocate and touch the handle slice
	add(i int, d time.Duration, fn func())        // schedule #i, keep its handle
	stop(i int) bool                              // stop #i
	forget()                                      // drop all handles (slice kept)
	shutdown() (time.Duration, error)             // stop the engine, if any
	after(d time.Duration, fn func()) func() bool // schedule, return its Stop
}

type engineTimers struct {
	e     *engine.Engine
	errc  chan error
	hs    []*engine.Timer
	dummy engine.Timer
}

func (t *engineTimers) name() string { return "engine" }

func (t *engineTimers) start() error {
	t.e = &engine.Engine{IgnoreSignals: true}
	started := make(chan struct{})
	t.e.On(engine.Started, func() { close(started) })
	t.errc = make(chan error, 1)
	go func() { t.errc <- t.e.Start() }()
	select {
	case <-started:
		return nil
	case err := <-t.errc:
		return err
	case <-time.After(10 * time.Second):
		return errors.New("engine did not start")
	}
}

func (t *engineTimers) prepare(n int) {
	t.hs = make([]*engine.Timer, n)
	for i := range t.hs {
		t.hs[i] = &t.dummy // touch every page before the baseline
	}
}
func (t *engineTimers) add(i int, d time.Duration, fn func()) { t.hs[i] = t.e.RunAfter(d, fn) }
func (t *engineTimers) stop(i int) bool                       { return t.hs[i].Stop() }
func (t *engineTimers) forget() {
	for i := range t.hs {
		t.hs[i] = &t.dummy
	}
}
func (t *engineTimers) after(d time.Duration, fn func()) func() bool { return t.e.RunAfter(d, fn).Stop }

func (t *engineTimers) shutdown() (time.Duration, error) {
	t0 := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := t.e.Stop(ctx); err != nil {
		return time.Since(t0), err
	}
	select {
	case err := <-t.errc:
		return time.Since(t0), err
	case <-time.After(5 * time.Second):
		return time.Since(t0), errors.New("engine Start did not return after Stop")
	}
}

type runtimeTimers struct {
	hs    []*time.Timer
	dummy time.Timer
}

func (t *runtimeTimers) name() string { return "afterfunc" }
func (t *runtimeTimers) start() error { return nil }
func (t *runtimeTimers) prepare(n int) {
	t.hs = make([]*time.Timer, n)
	for i := range t.hs {
		t.hs[i] = &t.dummy
	}
}
func (t *runtimeTimers) add(i int, d time.Duration, fn func()) { t.hs[i] = time.AfterFunc(d, fn) }
func (t *runtimeTimers) stop(i int) bool                       { return t.hs[i].Stop() }
func (t *runtimeTimers) forget() {
	for i := range t.hs {
		t.hs[i] = &t.dummy
	}
}
func (t *runtimeTimers) after(d time.Duration, fn func()) func() bool {
	return time.AfterFunc(d, fn).Stop
}
func (t *runtimeTimers) shutdown() (time.Duration, error) { return 0, nil }

// timerRun holds one round's figures for one implementation.
type timerRun struct {
	AddNs, AddParNs, StopNs     float64
	HeapPer, RSSPer             float64
	RetainedHeap                int64
	FirstMs, LastMs, PerFiredNs float64
	ScheduleBatchMs, ShutdownMs float64
	ProbeMaxMs                  float64 // longest schedule+Stop call while the batch fires
	OtherCores                  float64 // CPU used by the rest of the machine meanwhile, cores
}

func runTimers(args []string) error {
	fs := flag.NewFlagSet("timers", flag.ExitOnError)
	n := fs.Int("n", 1000000, "pending timers")
	batch := fs.Int("batch", 100000, "timers fired at once (while -n are pending)")
	rounds := fs.Int("rounds", 5, "rounds; each measures every implementation once, each in a fresh process")
	impls := fs.String("impls", "engine,afterfunc", "implementations: engine (RunAfter), afterfunc (time.AfterFunc, reference)")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of every run to PREFIX-IMPL-rN.pprof")
	memprofile := fs.String("memprofile", "", "write a heap profile (every allocation sampled) of the first run of each implementation, with the timers pending, to PREFIX-IMPL.pprof")
	one := fs.String("one", "", "child mode: measure this implementation once and print the result as JSON")
	seed := fs.Uint64("seed", 0, "child mode: random seed")
	quiet := fs.Float64("quiet", 0.3, "before each run, wait until the machine uses less than this many cores (0: don't wait)")
	quietMax := fs.Duration("quiet-wait", 20*time.Second, "longest wait for -quiet")
	fs.Parse(args)

	if *one != "" {
		return timersChild(*one, *n, *batch, *seed, *cpuprofile, *memprofile)
	}

	startStamp()
	names := splitList(*impls)
	results := map[string][]timerRun{}
	for r := 0; r < *rounds; r++ {
		for i := range names {
			name := names[(i+r)%len(names)]
			cargs := []string{"timers", "-one", name, "-n", strconv.Itoa(*n), "-batch", strconv.Itoa(*batch), "-seed", strconv.Itoa(r)}
			if *cpuprofile != "" {
				cargs = append(cargs, "-cpuprofile", fmt.Sprintf("%s-%s-r%d.pprof", *cpuprofile, name, r+1))
			}
			if *memprofile != "" && r < len(names) && results[name] == nil {
				cargs = append(cargs, "-memprofile", fmt.Sprintf("%s-%s.pprof", *memprofile, name))
			}
			if *quiet > 0 {
				waitQuiet(*quiet, *quietMax)
			}
			ch, err := startChild("timers-"+name, cargs...)
			if err != nil {
				return err
			}
			out, err := ch.expect("result", 5*time.Minute)
			if err != nil {
				ch.kill()
				return fmt.Errorf("round %d, %s: %w", r+1, name, err)
			}
			if _, err := ch.stop(30 * time.Second); err != nil {
				return fmt.Errorf("round %d, %s: %w", r+1, name, err)
			}
			var run timerRun
			if err := json.Unmarshal([]byte(out), &run); err != nil {
				return fmt.Errorf("round %d, %s: bad result %q: %v", r+1, name, out, err)
			}
			results[name] = append(results[name], run)
			fmt.Printf("round %d %-9s add %.0f ns, add on %d goroutines %.0f ns/op, Stop %.0f ns; %.1f B heap, %.1f B RSS per timer; retained after all stopped %d KiB; batch of %d: scheduled in %.1f ms, first fired %.2f ms, last %.2f ms after due (%.0f ns/timer), longest schedule+Stop meanwhile %.2f ms; Stop of the engine with %d pending %.1f ms; rest of the machine %.2f cores\n",
				r+1, name, run.AddNs, runtime.GOMAXPROCS(0), run.AddParNs, run.StopNs, run.HeapPer, run.RSSPer, run.RetainedHeap>>10,
				*batch, run.ScheduleBatchMs, run.FirstMs, run.LastMs, run.PerFiredNs, run.ProbeMaxMs, *n/2, run.ShutdownMs, run.OtherCores)
		}
	}

	fmt.Printf("\nMachine: %s. Each run in a fresh process; %s pending timers with random delays in [1h, 2h); medians of %d interleaved rounds.\n",
		endStamp(), fmtInt(int64(*n)), *rounds)
	fmt.Println("Memory after runtime.GC + debug.FreeOSMemory; the harness's own slices (handles, delays, stop order) are allocated and touched before the baseline and kept alive, so they are not counted.")
	fmt.Println()
	fmt.Printf("| timers | schedule (ns/op) | schedule from %d goroutines (ns/op, wall) | Stop, random order (ns/op) | heap in use Δ / pending timer (B) | RSS Δ / pending timer (B) | heap kept after all were stopped (KiB) | rest of the machine (cores) |\n", runtime.GOMAXPROCS(0))
	fmt.Println("|---|---:|---:|---:|---:|---:|---:|---:|")
	cols := func(name string) (string, func(f func(timerRun) float64) float64) {
		rs := results[name]
		lbl := "plezi engine RunAfter"
		if name == "afterfunc" {
			lbl = "time.AfterFunc (reference)"
		}
		return lbl, func(f func(timerRun) float64) float64 {
			xs := make([]float64, len(rs))
			for i, r := range rs {
				xs[i] = f(r)
			}
			return median(xs)
		}
	}
	for _, name := range names {
		lbl, col := cols(name)
		fmt.Printf("| %s | %.0f | %.0f | %.0f | %.1f | %.1f | %s | %.2f |\n", lbl,
			col(func(r timerRun) float64 { return r.AddNs }),
			col(func(r timerRun) float64 { return r.AddParNs }),
			col(func(r timerRun) float64 { return r.StopNs }),
			col(func(r timerRun) float64 { return r.HeapPer }),
			col(func(r timerRun) float64 { return r.RSSPer }),
			fmtF(col(func(r timerRun) float64 { return float64(r.RetainedHeap) / 1024 }), 0),
			col(func(r timerRun) float64 { return r.OtherCores }))
	}
	fmt.Printf("\nBatch: %s timers all due at one instant, scheduled while the %s above are pending; times from the due instant.\n\n",
		fmtInt(int64(*batch)), fmtInt(int64(*n)))
	fmt.Println("| timers | scheduling the batch (ms) | first fired after due (ms) | last fired after due (ms) | ns / fired timer | longest schedule+Stop call meanwhile (ms) |")
	fmt.Println("|---|---:|---:|---:|---:|---:|")
	for _, name := range names {
		lbl, col := cols(name)
		fmt.Printf("| %s | %.1f | %.2f | %.2f | %.0f | %.2f |\n", lbl,
			col(func(r timerRun) float64 { return r.ScheduleBatchMs }),
			col(func(r timerRun) float64 { return r.FirstMs }),
			col(func(r timerRun) float64 { return r.LastMs }),
			col(func(r timerRun) float64 { return r.PerFiredNs }),
			col(func(r timerRun) float64 { return r.ProbeMaxMs }))
	}
	return nil
}

// timersChild measures one implementation once in this process and
// prints "result JSON".
func timersChild(name string, n, batch int, seed uint64, cpuprofile, memprofile string) error {
	var impl timerImpl
	switch name {
	case "engine":
		impl = &engineTimers{}
	case "afterfunc":
		impl = &runtimeTimers{}
	default:
		return fmt.Errorf("unknown implementation %q", name)
	}
	if cpuprofile != "" {
		f, err := os.Create(cpuprofile)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer f.Close()
		defer pprof.StopCPUProfile()
	}
	heapProfile = memprofile
	busy0, err1 := machineBusyTicks()
	self0, err2 := cpuTicks(os.Getpid())
	t0 := time.Now()
	run, err := timersOnce(impl, n, batch, seed)
	if err != nil {
		return err
	}
	busy1, err3 := machineBusyTicks()
	self1, err4 := cpuTicks(os.Getpid())
	if err := errors.Join(err1, err2, err3, err4); err != nil {
		return err
	}
	run.OtherCores = max(0, ticksToSeconds((busy1-busy0)-(self1-self0))/time.Since(t0).Seconds())
	b, err := json.Marshal(run)
	if err != nil {
		return err
	}
	fmt.Printf("result %s\n", b)
	return nil
}

func nop() {}

// heapProfile is where the next heap profile goes ("" for none).
var heapProfile string

func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return pprof.Lookup("heap").WriteTo(f, 0)
}

// timersOnce measures one implementation: n timers scheduled (time and
// memory), a batch fired at once while they are pending, every timer
// stopped in random order (time and memory kept), n scheduled again from
// GOMAXPROCS goroutines.
func timersOnce(impl timerImpl, n, batch int, seed uint64) (run timerRun, err error) {
	if err := impl.start(); err != nil {
		return run, err
	}
	rng := rand.New(rand.NewPCG(seed, 42))
	delays := make([]time.Duration, n)
	for i := range delays {
		delays[i] = time.Hour + time.Duration(rng.Int64N(int64(time.Hour)))
	}
	perm := rng.Perm(n)
	impl.prepare(n)
	// The harness's own slices are in the baseline: keep them alive to
	// the end so that their release does not offset what is measured.
	defer runtime.KeepAlive(perm)
	defer runtime.KeepAlive(delays)

	// Schedule n timers: time per call and memory per pending timer.
	base, err := snapshot()
	if err != nil {
		return run, err
	}
	profiling := heapProfile != ""
	if profiling {
		// Sample every allocation, for this phase only (it slows
		// allocation down: AddNs of this round is not representative).
		runtime.MemProfileRate = 1
	}
	t0 := time.Now()
	for i := 0; i < n; i++ {
		impl.add(i, delays[i], nop)
	}
	run.AddNs = float64(time.Since(t0).Nanoseconds()) / float64(n)
	loaded, err := snapshot()
	if err != nil {
		return run, err
	}
	run.HeapPer = float64(loaded.HeapInuse-base.HeapInuse) / float64(n)
	if profiling {
		// Write before restoring the rate: the profile is scaled by it.
		err := writeHeapProfile(heapProfile)
		runtime.MemProfileRate = 512 * 1024 // the default
		heapProfile = ""
		if err != nil {
			return run, err
		}
	}
	run.RSSPer = float64(loaded.RSS-base.RSS) / float64(n)

	// Fire a batch all due at one instant while the n are pending.
	var (
		fired         atomic.Int64
		first, last   atomic.Int64
		done          = make(chan struct{})
		origin        = time.Now()
		target        = origin.Add(500 * time.Millisecond)
		targetOff     = target.Sub(origin)
		batchStoppers = make([]func() bool, 0, batch)
	)
	fire := func() {
		k := fired.Add(1)
		if k == 1 {
			first.Store(int64(time.Since(origin)))
		}
		if k == int64(batch) {
			last.Store(int64(time.Since(origin)))
			close(done)
		}
	}
	t0 = time.Now()
	for i := 0; i < batch; i++ {
		batchStoppers = append(batchStoppers, impl.after(time.Until(target), fire))
	}
	run.ScheduleBatchMs = float64(time.Since(t0).Microseconds()) / 1000
	if time.Now().After(target) {
		return run, fmt.Errorf("scheduling the batch took %v, past its due time", time.Since(t0))
	}
	// Meanwhile, schedule and stop one more timer now and then, and
	// keep the longest such call: how long the scheduler's lock is held.
	var probeMax atomic.Int64
	probeDone := make(chan struct{})
	go func() {
		defer close(probeDone)
		time.Sleep(time.Until(target.Add(-20 * time.Millisecond)))
		for {
			select {
			case <-done:
				return
			default:
			}
			t := time.Now()
			impl.after(time.Hour, nop)()
			if d := int64(time.Since(t)); d > probeMax.Load() {
				probeMax.Store(d)
			}
			time.Sleep(100 * time.Microsecond)
		}
	}()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		return run, fmt.Errorf("batch: %d of %d fired after 60s", fired.Load(), batch)
	}
	<-probeDone
	run.ProbeMaxMs = float64(probeMax.Load()) / 1e6
	run.FirstMs = float64(time.Duration(first.Load())-targetOff) / 1e6
	run.LastMs = float64(time.Duration(last.Load())-targetOff) / 1e6
	run.PerFiredNs = float64(time.Duration(last.Load())-targetOff) / float64(batch)
	for _, s := range batchStoppers {
		if s() {
			return run, errors.New("a fired batch timer was still scheduled")
		}
	}
	batchStoppers = nil

	// Stop all n in random order.
	t0 = time.Now()
	stopped := 0
	for _, i := range perm {
		if impl.stop(i) {
			stopped++
		}
	}
	run.StopNs = float64(time.Since(t0).Nanoseconds()) / float64(n)
	if stopped != n {
		return run, fmt.Errorf("timer Stop reported %d of %d timers still scheduled", stopped, n)
	}
	impl.forget()
	after, err := snapshot()
	if err != nil {
		return run, err
	}
	run.RetainedHeap = after.HeapInuse - base.HeapInuse

	// Schedule n again from GOMAXPROCS goroutines (contention on the
	// scheduler's lock), then stop them (not timed).
	par := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	t0 = time.Now()
	for g := 0; g < par; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := g; i < n; i += par {
				impl.add(i, delays[i], nop)
			}
		}()
	}
	wg.Wait()
	run.AddParNs = float64(time.Since(t0).Nanoseconds()) / float64(n)
	for i := 0; i < n/2; i++ {
		impl.stop(i) // leave half pending: shutdown discards them
	}

	d, err := impl.shutdown()
	run.ShutdownMs = float64(d.Microseconds()) / 1000
	if err != nil {
		return run, fmt.Errorf("shutdown: %w", err)
	}
	if _, ok := impl.(*runtimeTimers); ok {
		for i := n / 2; i < n; i++ {
			impl.stop(i)
		}
	}
	impl.forget()
	return run, nil
}
