package engine

import "sync"

// pool is the handler pool of Threads > 0: N goroutines that run connection
// tasks (each connection queued at most once at a time, so the connection
// queue is bounded by the number of connections) and Run tasks (bounded by
// MaxTasks).
type pool struct {
	e       *Engine
	mu      sync.Mutex
	cond    sync.Cond
	conns   fifo[*Conn]
	fns     fifo[runItem]
	stopped bool
	wg      sync.WaitGroup
}

func newPool(e *Engine, n int) *pool {
	p := &pool{e: e}
	p.cond.L = &p.mu
	p.wg.Add(n)
	for i := 0; i < n; i++ {
		go p.worker()
	}
	return p
}

func (p *pool) pushConn(c *Conn) {
	p.mu.Lock()
	p.conns.push(c)
	p.mu.Unlock()
	p.cond.Signal()
}

func (p *pool) pushFunc(it runItem) {
	p.mu.Lock()
	p.fns.push(it)
	p.mu.Unlock()
	p.cond.Signal()
}

// worker alternates between connections and Run tasks so neither starves.
func (p *pool) worker() {
	defer p.wg.Done()
	preferConn := true
	for {
		p.mu.Lock()
		for p.conns.empty() && p.fns.empty() && !p.stopped {
			p.cond.Wait()
		}
		if p.stopped {
			p.mu.Unlock()
			return
		}
		var c *Conn
		var it runItem
		if !p.conns.empty() && (preferConn || p.fns.empty()) {
			c = p.conns.pop()
		} else {
			it = p.fns.pop()
		}
		p.mu.Unlock()
		preferConn = !preferConn
		if c != nil {
			c.drain()
		} else {
			p.e.runTask(it)
		}
	}
}

// stop ends the workers after the tasks they are running; queued Run tasks
// are discarded.
func (p *pool) stop() {
	p.mu.Lock()
	p.stopped = true
	p.mu.Unlock()
	p.cond.Broadcast()
	p.wg.Wait()
}

// fifo is a growable ring queue.
type fifo[T any] struct {
	buf        []T
	head, size int
}

func (f *fifo[T]) empty() bool { return f.size == 0 }

func (f *fifo[T]) push(v T) {
	if f.size == len(f.buf) {
		n := 2 * len(f.buf)
		if n == 0 {
			n = 16
		}
		nb := make([]T, n)
		for i := 0; i < f.size; i++ {
			nb[i] = f.buf[(f.head+i)%len(f.buf)]
		}
		f.buf, f.head = nb, 0
	}
	f.buf[(f.head+f.size)%len(f.buf)] = v
	f.size++
}

func (f *fifo[T]) pop() T {
	var zero T
	v := f.buf[f.head]
	f.buf[f.head] = zero
	f.head = (f.head + 1) % len(f.buf)
	f.size--
	return v
}
