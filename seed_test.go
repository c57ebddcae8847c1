package plezi_test

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plezi-go/plezi"
)

// The seed's examples (seed/plezi-async-engine.md), HTTP half, each
// against a real server on loopback through net/http's client.

// Poked is the seed's Iodine.run example: Index queues a task and
// answers at once.
type Poked struct {
	plezi.Controller
}

var poked = make(chan string, 4)

func (c *Poked) Index() any {
	t := time.Now()
	c.Run(func() { poked <- fmt.Sprintf("Someone poked me at: %v", t) })
	return "Hello World"
}

func TestSeedRun(t *testing.T) {
	a := newApp()
	mustRoute(t, a, "/", &Poked{})
	base := serve(t, a)
	resp, body := do(t, client(t), "GET", base+"/", "", "")
	want(t, "run", resp, body, 200, "Hello World")
	select {
	case msg := <-poked:
		if len(msg) < len("Someone poked me at: ") {
			t.Fatalf("task wrote %q", msg)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the queued task never ran")
	}
}

// Every is the seed's run_every example: Index starts a timer that
// counts to 10 (every 5 ms here instead of every second).
type Every struct{ plezi.Controller }

var (
	everyMu    sync.Mutex
	everyCount []string
)

func (c *Every) Index() any {
	counter := 0
	c.App().RunEvery(5*time.Millisecond, 10, func() {
		counter++
		everyMu.Lock()
		everyCount = append(everyCount, fmt.Sprintf("Counting %d out of 10", counter))
		everyMu.Unlock()
	})
	return "Hello World"
}

func TestSeedRunEvery(t *testing.T) {
	everyMu.Lock()
	everyCount = nil // -count=N runs the test again
	everyMu.Unlock()
	a := newApp()
	mustRoute(t, a, "/", &Every{})
	base := serve(t, a)
	resp, body := do(t, client(t), "GET", base+"/", "", "")
	want(t, "run_every", resp, body, 200, "Hello World")
	waitFor(t, 5*time.Second, "10 counts", func() bool {
		everyMu.Lock()
		defer everyMu.Unlock()
		return len(everyCount) == 10
	})
	time.Sleep(30 * time.Millisecond) // no 11th run
	everyMu.Lock()
	defer everyMu.Unlock()
	if len(everyCount) != 10 || everyCount[9] != "Counting 10 out of 10" {
		t.Fatalf("counts: %q", everyCount)
	}
}

// After is the seed's run_after example: a task that re-schedules
// itself until it counted to 3.
type After struct{ plezi.Controller }

var afterCount atomic.Int32

func (c *After) Index() any {
	counter := 0
	var task func()
	task = func() {
		counter++
		afterCount.Store(int32(counter))
		if counter < 3 {
			c.App().RunAfter(5*time.Millisecond, task)
		}
	}
	c.App().RunAfter(5*time.Millisecond, task)
	return "Hello World"
}

func TestSeedRunAfter(t *testing.T) {
	afterCount.Store(0)
	a := newApp()
	mustRoute(t, a, "/", &After{})
	base := serve(t, a)
	resp, body := do(t, client(t), "GET", base+"/", "", "")
	want(t, "run_after", resp, body, 200, "Hello World")
	waitFor(t, 5*time.Second, "3 counts", func() bool { return afterCount.Load() == 3 })
	time.Sleep(30 * time.Millisecond)
	if n := afterCount.Load(); n != 3 {
		t.Fatalf("counted to %d", n)
	}
}
