package engine

import (
	"os"
	"sync"
)

// taskKind says what a queued connection task does.
type taskKind uint8

const (
	taskData     taskKind = iota // OnData with a pooled copy of the input
	taskDefer                    // a Defer function
	taskOpen                     // OnOpen
	taskClose                    // OnClose: always the last task
	taskTimeout                  // OnTimeout, or close with ErrTimeout
	taskDrained                  // OnDrained
	taskShutdown                 // OnShutdown, or a graceful Close
	taskEOF                      // the peer closed its side: graceful Close
	taskSwap                     // SetProtocol: old OnClose, new OnOpen
)

// task is one entry of a connection's serial queue.
type task struct {
	kind  taskKind
	data  *[]byte  // taskData, taskSwap: pooled input copy
	fn    func()   // taskDefer
	proto Protocol // taskSwap: the protocol being replaced
}

// taskQueue is a FIFO of tasks. Its length is bounded by the engine: data
// tasks by MaxQueuedInput (reading pauses), other tasks by what callers
// queue with Defer (documented as the caller's responsibility, like a
// channel send) and by the handful of engine events per connection.
type taskQueue struct {
	q    []task
	head int
}

func (q *taskQueue) empty() bool { return q.head == len(q.q) }

func (q *taskQueue) push(t task) { q.q = append(q.q, t) }

// pushFront queues t ahead of everything else.
func (q *taskQueue) pushFront(t task) {
	if q.head > 0 {
		q.head--
		q.q[q.head] = t
		return
	}
	q.q = append(q.q, task{})
	copy(q.q[1:], q.q)
	q.q[0] = t
}

func (q *taskQueue) pop() task {
	t := q.q[q.head]
	q.q[q.head] = task{}
	q.head++
	if q.head == len(q.q) {
		q.q = q.q[:0]
		q.head = 0
		if cap(q.q) > 64 {
			q.q = nil // do not keep a burst's array on an idle connection
		}
	}
	return t
}

// chunkSize is the size of the pooled buffers that hold copies of small
// writes and of input queued for a handler pool.
const chunkSize = 16 << 10

var chunkPool = sync.Pool{New: func() any { b := make([]byte, chunkSize); return &b }}

// getBuf returns a pooled buffer holding a copy of p when p fits a chunk,
// and a fresh copy otherwise.
func getBuf(p []byte) *[]byte {
	if len(p) > chunkSize {
		b := make([]byte, len(p))
		copy(b, p)
		return &b
	}
	bp := chunkPool.Get().(*[]byte)
	*bp = (*bp)[:len(p)]
	copy(*bp, p)
	return bp
}

func putBuf(bp *[]byte) {
	if cap(*bp) == chunkSize {
		*bp = (*bp)[:chunkSize]
		chunkPool.Put(bp)
	}
}

// seg is one outbound segment: b is what remains to be written; own, when
// not nil, is the pooled chunk backing b (b then ends at len(*own)). A file
// segment (file not nil) has no bytes: n bytes of file from off are sent
// with sendfile, and the file is closed once sent or dropped.
type seg struct {
	b    []byte
	own  *[]byte
	file *os.File
	off  int64
	n    int64
}

// outQueue is a connection's outbound queue. Small copied writes coalesce in
// the pooled chunk at the tail; shared slices are queued as they are.
type outQueue struct {
	segs []seg
	head int
}

func (o *outQueue) empty() bool { return o.head == len(o.segs) }

func (o *outQueue) pending() []seg { return o.segs[o.head:] }

// pushCopy queues a copy of p: the only copy the engine ever makes of it.
func (o *outQueue) pushCopy(p []byte) {
	if n := len(o.segs); n > o.head {
		last := &o.segs[n-1]
		if last.own != nil && len(*last.own)+len(p) <= chunkSize {
			ch := *last.own
			off := len(ch)
			ch = ch[:off+len(p)]
			copy(ch[off:], p)
			*last.own = ch
			last.b = last.b[:len(last.b)+len(p)]
			return
		}
	}
	if len(p) > chunkSize/2 {
		b := make([]byte, len(p))
		copy(b, p)
		o.segs = append(o.segs, seg{b: b})
		return
	}
	bp := chunkPool.Get().(*[]byte)
	ch := (*bp)[:len(p)]
	copy(ch, p)
	*bp = ch
	o.segs = append(o.segs, seg{b: ch, own: bp})
}

// pushShared queues p itself; p must not change until written.
func (o *outQueue) pushShared(p []byte) { o.segs = append(o.segs, seg{b: p}) }

// pushFile queues n bytes of f from off.
func (o *outQueue) pushFile(f *os.File, off, n int64) {
	o.segs = append(o.segs, seg{file: f, off: off, n: n})
}

// consume drops n written bytes from the front.
func (o *outQueue) consume(n int) {
	for n > 0 && o.head < len(o.segs) {
		s := &o.segs[o.head]
		if s.file != nil {
			if int64(n) < s.n {
				s.off += int64(n)
				s.n -= int64(n)
				return
			}
			n -= int(s.n)
			o.release(s)
			o.head++
			continue
		}
		if n < len(s.b) {
			s.b = s.b[n:]
			return
		}
		n -= len(s.b)
		o.release(s)
		o.head++
	}
	for o.head < len(o.segs) && len(o.segs[o.head].b) == 0 && o.segs[o.head].file == nil {
		o.release(&o.segs[o.head])
		o.head++
	}
	if o.head == len(o.segs) {
		o.reset()
	}
}

func (o *outQueue) release(s *seg) {
	if s.own != nil {
		putBuf(s.own)
	}
	if s.file != nil {
		s.file.Close()
	}
	*s = seg{}
}

func (o *outQueue) reset() {
	o.segs = o.segs[:0]
	o.head = 0
	if cap(o.segs) > 64 {
		o.segs = nil
	}
}

// clear drops everything queued.
func (o *outQueue) clear() {
	for i := o.head; i < len(o.segs); i++ {
		o.release(&o.segs[i])
	}
	o.reset()
}
