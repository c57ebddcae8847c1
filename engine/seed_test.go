package engine_test

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plezi-go/plezi/engine"
)

// TestSeedRun is the seed's Iodine.run example: a handler queues a task
// that runs asynchronously after the handler answered.
func TestSeedRun(t *testing.T) {
	forModes(t, func(t *testing.T, m mode) {
		e := newEngine(m)
		poked := make(chan time.Time, 1)
		addr := listen(t, e, func(*engine.Conn) engine.Protocol {
			return engine.ProtocolFunc(func(c *engine.Conn, p []byte) {
				now := time.Now()
				if err := e.Run(func() { poked <- now }); err != nil {
					t.Error(err)
				}
				c.Write([]byte("Hello World"))
			})
		})
		start(t, e)
		c := dial(t, addr)
		c.Write([]byte("GET"))
		buf := make([]byte, 11)
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, err := io.ReadFull(c, buf); err != nil || string(buf) != "Hello World" {
			t.Fatalf("got %q, %v", buf, err)
		}
		recv(t, poked, 5*time.Second)
	})
}

// counter is the seed's defer example: four deferred tasks that each read
// the count, write, sleep, write and store count+1. The connection's lock
// (serialization) makes the count end at exactly 4.
type counter struct {
	count int
	done  chan int
}

func (k *counter) OnData(c *engine.Conn, _ []byte) {
	k.count = 0
	for i := 0; i < 4; i++ {
		err := c.Defer(func() {
			tmp := k.count
			fmt.Fprintf(c, "[%d] start\n", tmp)
			time.Sleep(20 * time.Millisecond)
			fmt.Fprintf(c, "[%d] finish\n", tmp)
			k.count = tmp + 1
			if k.count == 4 {
				k.done <- k.count
			}
		})
		if err != nil {
			panic(err)
		}
	}
}

func TestSeedDeferCounter(t *testing.T) {
	forModes(t, func(t *testing.T, m mode) {
		e := newEngine(m)
		done := make(chan int, 16)
		addr := listen(t, e, func(*engine.Conn) engine.Protocol { return &counter{done: done} })
		start(t, e)
		// Several connections at once, with foreign goroutines writing too.
		const conns = 8
		var wg sync.WaitGroup
		for i := 0; i < conns; i++ {
			c := dial(t, addr)
			wg.Add(1)
			go func() {
				defer wg.Done()
				c.Write([]byte("go"))
				c.SetReadDeadline(time.Now().Add(10 * time.Second))
				var want strings.Builder
				for n := 0; n < 4; n++ {
					fmt.Fprintf(&want, "[%d] start\n[%d] finish\n", n, n)
				}
				got := make([]byte, want.Len())
				if _, err := io.ReadFull(c, got); err != nil {
					t.Error(err)
					return
				}
				if string(got) != want.String() {
					t.Errorf("got %q\nwant %q", got, want.String())
				}
			}()
		}
		for i := 0; i < conns; i++ {
			if got := recv(t, done, 10*time.Second); got != 4 {
				t.Fatalf("count = %d, want 4", got)
			}
		}
		wg.Wait()
	})
}

// TestSeedRunEvery: run_every(interval, 10) counts 1..10 and then stops.
func TestSeedRunEvery(t *testing.T) {
	forModes(t, func(t *testing.T, m mode) {
		e := newEngine(m)
		start(t, e)
		var n atomic.Int32
		e.RunEvery(10*time.Millisecond, 10, func() { n.Add(1) })
		waitFor(t, 5*time.Second, "10 runs", func() bool { return n.Load() >= 10 })
		time.Sleep(100 * time.Millisecond) // ten more periods: no 11th run
		if got := n.Load(); got != 10 {
			t.Fatalf("ran %d times, want 10", got)
		}
	})
}

// TestSeedRunAfterChain: a run_after task reschedules itself until it
// counted to 3.
func TestSeedRunAfterChain(t *testing.T) {
	forModes(t, func(t *testing.T, m mode) {
		e := newEngine(m)
		start(t, e)
		var mu sync.Mutex
		counter := 0
		var lines []string
		done := make(chan struct{})
		var task func()
		task = func() {
			mu.Lock()
			counter++
			lines = append(lines, fmt.Sprintf("Counting %d/3", counter))
			c := counter
			mu.Unlock()
			if c < 3 {
				e.RunAfter(10*time.Millisecond, task)
			} else {
				close(done)
			}
		}
		e.RunAfter(10*time.Millisecond, task)
		recv(t, done, 5*time.Second)
		time.Sleep(50 * time.Millisecond)
		mu.Lock()
		defer mu.Unlock()
		if want := "Counting 1/3,Counting 2/3,Counting 3/3"; strings.Join(lines, ",") != want {
			t.Fatalf("got %v", lines)
		}
	})
}

func TestTimerStop(t *testing.T) {
	e := newEngine(modes[0])
	start(t, e)
	var fired atomic.Int32
	t1 := e.RunAfter(50*time.Millisecond, func() { fired.Add(1) })
	t2 := e.RunEvery(10*time.Millisecond, 0, func() { fired.Add(100) })
	if !t1.Stop() || !t2.Stop() {
		t.Fatal("Stop of a pending timer returned false")
	}
	if t1.Stop() {
		t.Fatal("second Stop returned true")
	}
	// A repeating timer can be stopped between runs.
	var runs atomic.Int32
	var t3 atomic.Pointer[engine.Timer]
	t3.Store(e.RunEvery(20*time.Millisecond, 0, func() {
		if runs.Add(1) == 3 {
			for t3.Load() == nil {
				time.Sleep(time.Millisecond)
			}
			t3.Load().Stop()
		}
	}))
	waitFor(t, 5*time.Second, "3 runs", func() bool { return runs.Load() >= 3 })
	time.Sleep(100 * time.Millisecond)
	if fired.Load() != 0 {
		t.Fatalf("stopped timers fired: %d", fired.Load())
	}
	if r := runs.Load(); r != 3 {
		t.Fatalf("stopped RunEvery ran %d times, want 3", r)
	}
}

// TestTimersDiscardedAtShutdown: pending timers never fire after Stop.
func TestTimersDiscardedAtShutdown(t *testing.T) {
	e := newEngine(modes[1])
	start(t, e)
	var fired atomic.Int32
	for i := 0; i < 100; i++ {
		e.RunAfter(200*time.Millisecond, func() { fired.Add(1) })
	}
	e.RunEvery(100*time.Millisecond, 0, func() { fired.Add(1) })
	stopNow(t, e)
	time.Sleep(400 * time.Millisecond)
	if n := fired.Load(); n != 0 {
		t.Fatalf("%d timers fired after shutdown", n)
	}
	// Timers and tasks scheduled after shutdown are refused.
	e.RunAfter(time.Millisecond, func() { fired.Add(1) })
	if err := e.Run(func() {}); err != engine.ErrClosed {
		t.Fatalf("Run after Stop = %v, want ErrClosed", err)
	}
	time.Sleep(20 * time.Millisecond)
	if n := fired.Load(); n != 0 {
		t.Fatalf("timer scheduled after shutdown fired")
	}
}

// TestRunBeforeStart: tasks queued before Start run once it starts.
func TestRunBeforeStart(t *testing.T) {
	forModes(t, func(t *testing.T, m mode) {
		e := newEngine(m)
		ran := make(chan struct{}, 3)
		var started atomic.Bool
		e.On(engine.Started, func() { started.Store(true) })
		for i := 0; i < 3; i++ {
			e.Run(func() { ran <- struct{}{} })
		}
		time.Sleep(20 * time.Millisecond)
		if len(ran) != 0 {
			t.Fatal("task ran before Start")
		}
		start(t, e)
		for i := 0; i < 3; i++ {
			recv(t, ran, 5*time.Second)
		}
	})
}
