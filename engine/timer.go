package engine

import (
	"container/heap"
	"sync"
	"time"
)

// Timer is a task scheduled with RunAfter or RunEvery. Unlike Iodine's
// timers, it can be stopped. Successive runs of one timer never overlap:
// the next run is scheduled when the previous one returns.
type Timer struct {
	q      *timerQueue
	fn     func()
	when   int64 // unix nanoseconds of the next run
	period int64 // nanoseconds between runs (RunEvery)
	idx    int   // heap index; -1 when not in the heap

	// Guarded by q.mu.
	left    int  // runs left, the dispatched one included; -1: forever
	pending bool // dispatched, not started
	running bool
	stopped bool
}

// Stop cancels the timer: once Stop returns, fn does not start again (a
// run in progress finishes). It reports whether this prevented a run.
func (t *Timer) Stop() bool {
	if t == nil || t.q == nil {
		return false
	}
	q := t.q
	q.mu.Lock()
	defer q.mu.Unlock()
	if t.stopped {
		return false
	}
	t.stopped = true
	prevented := t.idx >= 0 || t.pending || (t.running && t.left != 0)
	if t.idx >= 0 {
		heap.Remove(&q.h, t.idx)
		q.shrinkLocked()
	}
	return prevented
}

// RunAfter runs fn once, after d (as a Run task). At shutdown pending
// timers are discarded and never fire.
func (e *Engine) RunAfter(d time.Duration, fn func()) *Timer {
	return e.addTimer(d, 1, fn)
}

// RunEvery runs fn every d, n times (n = 0: until stopped or shutdown). Runs
// are d apart from the first (a run that took longer than d delays the next
// one: runs never overlap and missed ones are skipped). At shutdown pending
// timers are discarded and never fire.
func (e *Engine) RunEvery(d time.Duration, n int, fn func()) *Timer {
	if n <= 0 {
		n = -1
	}
	return e.addTimer(d, n, fn)
}

func (e *Engine) addTimer(d time.Duration, n int, fn func()) *Timer {
	e.init()
	if d < 0 {
		d = 0
	}
	t := &Timer{q: &e.timers, fn: fn, period: int64(d), left: n, idx: -1}
	t.when = time.Now().UnixNano() + int64(d)
	e.timers.add(t)
	return t
}

// fire is a dispatched run: it runs fn unless the timer was stopped
// meanwhile, then schedules the next run.
func (t *Timer) fire() {
	q := t.q
	q.mu.Lock()
	t.pending = false
	if t.stopped {
		q.mu.Unlock()
		return
	}
	t.running = true
	q.mu.Unlock()
	defer q.rearm(t)
	t.fn()
}

// rearm schedules a periodic timer's next run after one finished (or could
// not be dispatched).
func (q *timerQueue) rearm(t *Timer) {
	q.mu.Lock()
	t.running = false
	if t.stopped || t.left == 0 || q.stopped {
		q.mu.Unlock()
		return
	}
	now := time.Now().UnixNano()
	t.when += t.period
	if t.when < now {
		t.when = now + t.period - (now-t.when)%max(t.period, 1) // skip missed runs
	}
	heap.Push(&q.h, t)
	first := t.idx == 0
	q.mu.Unlock()
	if first {
		q.poke()
	}
}

// timerQueue is the engine's timer scheduler: a min-heap of timers under a
// mutex and one goroutine sleeping on one runtime timer until the earliest
// deadline. Memory per pending timer is the Timer itself plus a heap slot.
type timerQueue struct {
	e       *Engine
	mu      sync.Mutex
	h       timerHeap
	stopped bool
	wake    chan struct{}
	quit    chan struct{}
	exited  chan struct{}
	started bool
}

func (q *timerQueue) init(e *Engine) {
	q.e = e
	q.wake = make(chan struct{}, 1)
	q.quit = make(chan struct{})
	q.exited = make(chan struct{})
}

func (q *timerQueue) add(t *Timer) {
	q.mu.Lock()
	if q.stopped {
		q.mu.Unlock()
		return
	}
	heap.Push(&q.h, t)
	first := t.idx == 0
	q.mu.Unlock()
	if first {
		q.poke()
	}
}

func (q *timerQueue) poke() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

func (q *timerQueue) start() {
	q.mu.Lock()
	q.started = true
	q.mu.Unlock()
	go q.run()
}

// stop discards every pending timer; they never fire.
func (q *timerQueue) stop() {
	q.mu.Lock()
	if q.stopped {
		q.mu.Unlock()
		return
	}
	q.stopped = true
	for _, t := range q.h {
		t.idx = -1
	}
	q.h = nil
	started := q.started
	q.mu.Unlock()
	close(q.quit)
	if !started {
		close(q.exited)
	}
}

func (q *timerQueue) wait() { <-q.exited }

func (q *timerQueue) run() {
	defer close(q.exited)
	tm := time.NewTimer(time.Hour)
	defer tm.Stop()
	var due []*Timer
	for {
		q.mu.Lock()
		if q.stopped {
			q.mu.Unlock()
			return
		}
		now := time.Now().UnixNano()
		due = due[:0]
		// Pop at most timerBatch timers per lock hold, so that RunAfter
		// and Stop elsewhere never wait for a huge due batch.
		for len(due) < timerBatch && len(q.h) > 0 && q.h[0].when <= now {
			t := heap.Pop(&q.h).(*Timer)
			if t.left > 0 {
				t.left--
			}
			t.pending = true
			due = append(due, t)
		}
		q.shrinkLocked()
		next := time.Hour
		if len(q.h) > 0 {
			next = time.Duration(q.h[0].when - now)
		}
		q.mu.Unlock()
		for i, t := range due {
			if err := q.e.dispatch(runItem{t: t}); err != nil {
				q.e.logError("timer run dropped", err)
				q.mu.Lock()
				t.pending = false
				q.mu.Unlock()
				q.rearm(t)
			}
			due[i] = nil
		}
		if next <= 0 {
			continue // more are due already
		}
		tm.Reset(next)
		select {
		case <-tm.C:
		case <-q.wake:
		case <-q.quit:
			return
		}
	}
}

// timerBatch bounds the timers popped under one hold of the queue's lock.
const timerBatch = 256

// shrinkLocked gives back the heap's array when it is mostly empty, so a
// burst of timers does not pin memory. q.mu must be held.
func (q *timerQueue) shrinkLocked() {
	if c := cap(q.h); c > 1024 && len(q.h) < c/4 {
		h := make(timerHeap, len(q.h), c/2)
		copy(h, q.h)
		q.h = h
	}
}

// timerHeap orders timers by deadline for container/heap.
type timerHeap []*Timer

func (h timerHeap) Len() int           { return len(h) }
func (h timerHeap) Less(i, j int) bool { return h[i].when < h[j].when }
func (h timerHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].idx = i
	h[j].idx = j
}
func (h *timerHeap) Push(x any) {
	t := x.(*Timer)
	t.idx = len(*h)
	*h = append(*h, t)
}
func (h *timerHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	t.idx = -1
	return t
}
