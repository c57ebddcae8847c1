package cluster

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
)

// Frame types on a master–worker link.
const (
	fReady   byte = 'R' // worker → master: serving
	fSub     byte = 'S' // worker → master: a channel got its first subscriber (a: name)
	fPSub    byte = 'P' // ... a pattern did
	fUnsub   byte = 'U' // ... a channel lost its last subscriber
	fPUnsub  byte = 'Q' // ... a pattern did
	fPublish byte = 'M' // worker → master: cluster scope (a: channel, b: data)
	fRemote  byte = 'X' // worker → master: remote scope, through the Upstream
	fAll     byte = 'D' // master → worker: deliver to every local subscriber
	fChannel byte = 'C' // master → worker: to the channel's subscribers only
	fPattern byte = 'T' // master → worker: to pattern c's subscribers only
)

// Bounds of a link.
const (
	// DefaultLinkBuffer bounds the bytes queued on a link and not yet
	// written. A publication that would pass it fails with ErrBusy (worker
	// side) or is dropped for that worker and counted (master side):
	// pub/sub between processes is at-most-once, as Redis pub/sub is.
	// Subscription frames are small and always queued.
	DefaultLinkBuffer = 64 << 20
	maxName           = 64 << 10 // channel and pattern names
	maxData           = 64 << 20 // one message
	headerLen         = 13       // type, then three big-endian uint32 lengths
)

var errFrame = errors.New("plezi/cluster: malformed frame")

// link is one end of a master–worker connection carrying frames both
// ways. Writes are queued without blocking and written by the link's own
// goroutine, in batches; a reader loop (read) is run by the link's owner.
type link struct {
	conn  net.Conn
	limit int

	mu      sync.Mutex
	out     []byte // queued frames; guarded by mu
	closed  bool   // guarded by mu
	wake    chan struct{}
	done    chan struct{} // closed by close
	writerQ chan struct{} // closed when the writer goroutine returned
}

func newLink(conn net.Conn, limit int) *link {
	if limit <= 0 {
		limit = DefaultLinkBuffer
	}
	l := &link{conn: conn, limit: limit, wake: make(chan struct{}, 1),
		done: make(chan struct{}), writerQ: make(chan struct{})}
	go l.writer()
	return l
}

// send queues a frame. force queues it past the bound (subscriptions).
func (l *link) send(typ byte, a string, b []byte, c string, force bool) error {
	if len(a) > maxName || len(c) > maxName || len(b) > maxData {
		return fmt.Errorf("%w: name or message too large", errFrame)
	}
	size := headerLen + len(a) + len(b) + len(c)
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return ErrClosed
	}
	if !force && len(l.out)+size > l.limit {
		l.mu.Unlock()
		return ErrBusy
	}
	var h [headerLen]byte
	h[0] = typ
	binary.BigEndian.PutUint32(h[1:], uint32(len(a)))
	binary.BigEndian.PutUint32(h[5:], uint32(len(b)))
	binary.BigEndian.PutUint32(h[9:], uint32(len(c)))
	l.out = append(l.out, h[:]...)
	l.out = append(l.out, a...)
	l.out = append(l.out, b...)
	l.out = append(l.out, c...)
	l.mu.Unlock()
	select {
	case l.wake <- struct{}{}:
	default:
	}
	return nil
}

// writer writes queued frames until the link closes or a write fails.
func (l *link) writer() {
	defer close(l.writerQ)
	var spare []byte
	for {
		select {
		case <-l.wake:
		case <-l.done:
			return
		}
		l.mu.Lock()
		if len(l.out) == 0 { // woken twice for one batch
			l.mu.Unlock()
			continue
		}
		// Swap buffers: senders fill spare (never the batch being
		// written) while this one goes out.
		batch := l.out
		l.out = spare[:0]
		l.mu.Unlock()
		if _, err := l.conn.Write(batch); err != nil {
			l.close()
			return
		}
		if cap(batch) > 1<<20 {
			batch = nil // let a burst's buffer go
		}
		spare = batch
	}
}

// read calls fn for every frame until the link fails or closes; it
// returns io.EOF when the peer closed it.
func (l *link) read(fn func(typ byte, a string, b []byte, c string)) error {
	return readFrames(l.conn, fn)
}

// readFrames decodes frames from r until it fails; a frame whose lengths
// pass the bounds is errFrame (the link is then dropped).
func readFrames(rd io.Reader, fn func(typ byte, a string, b []byte, c string)) error {
	r := bufio.NewReaderSize(rd, 64<<10)
	var h [headerLen]byte
	for {
		if _, err := io.ReadFull(r, h[:]); err != nil {
			return err
		}
		na := binary.BigEndian.Uint32(h[1:])
		nb := binary.BigEndian.Uint32(h[5:])
		nc := binary.BigEndian.Uint32(h[9:])
		if na > maxName || nc > maxName || nb > maxData {
			return errFrame
		}
		buf := make([]byte, na+nb+nc)
		if _, err := io.ReadFull(r, buf); err != nil {
			return err
		}
		fn(h[0], string(buf[:na]), buf[na:na+nb:na+nb], string(buf[na+nb:]))
	}
}

// close stops the link: queued frames not yet written are dropped.
func (l *link) close() {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return
	}
	l.closed = true
	l.out = nil
	l.mu.Unlock()
	close(l.done)
	l.conn.Close()
}

// wait returns once the writer goroutine has returned (after close).
func (l *link) wait() { <-l.writerQ }
