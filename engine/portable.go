package engine

import (
	"errors"
	"io"
	"net"
)

// portableReadSize is the read buffer of a portable connection's reader.
const portableReadSize = 16 << 10

// portableState is the net.Conn transport of a connection: a reader
// goroutine that delivers input like a loop does, and a writer goroutine
// that flushes the outbound queue with net.Buffers (writev where the
// net.Conn supports it). Both end when the connection closes.
type portableState struct {
	wake   chan struct{} // writer: output queued (capacity 1)
	resume chan struct{} // reader: input backlog went down (capacity 1)
	quit   chan struct{} // closed by hardClose
}

// Attach drives nc with the engine (the portable transport) and serves it
// with p. It is how TLS connections and connections hijacked from net/http
// join the engine; protocols see the same Conn either way. The engine must
// be running.
func (e *Engine) Attach(nc net.Conn, p Protocol) (*Conn, error) {
	return e.attach(nc, func(*Conn) Protocol { return p })
}

func (e *Engine) attach(nc net.Conn, newProto func(*Conn) Protocol) (*Conn, error) {
	e.init()
	e.mu.Lock()
	st := e.state
	e.mu.Unlock()
	switch st {
	case stateNew:
		return nil, ErrNotRunning
	case stateStopping, stateStopped:
		return nil, ErrClosed
	}
	l := e.pickLoop()
	c := e.newConn(l, -1, nil, nc, newProto)
	l.post(job{op: opAdopt, c: c})
	e.wg.Add(2)
	go c.readLoop()
	go c.writeLoop()
	return c, nil
}

// readLoop is the reader goroutine of a portable connection.
func (c *Conn) readLoop() {
	defer c.e.wg.Done()
	buf := make([]byte, portableReadSize)
	ps := c.portable
	for {
		if !c.waitReadable(ps) {
			return
		}
		n, err := c.nc.Read(buf)
		if n > 0 {
			c.touch(nowSec())
			c.deliver(buf[:n])
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				c.event(taskEOF)
			} else {
				c.hardClose(err)
			}
			return
		}
	}
}

// waitReadable blocks while reading is paused; false means the connection
// closed meanwhile.
func (c *Conn) waitReadable(ps *portableState) bool {
	for {
		c.mu.Lock()
		ok := c.readingLocked()
		c.mu.Unlock()
		if ok {
			return true
		}
		select {
		case <-ps.resume:
		case <-ps.quit:
			return false
		}
	}
}

// writeLoop is the writer goroutine of a portable connection.
func (c *Conn) writeLoop() {
	defer c.e.wg.Done()
	ps := c.portable
	var batch net.Buffers
	var segs []seg
	for {
		select {
		case <-ps.wake:
		case <-ps.quit:
			return
		}
		for {
			c.mu.Lock()
			if c.state == stateClosed || c.out.empty() {
				c.mu.Unlock()
				break
			}
			// Take the queued segments; new writes queue behind them.
			segs = append(segs[:0], c.out.pending()...)
			c.out.segs, c.out.head = c.out.segs[:0], 0
			c.mu.Unlock()
			total, files, err := c.writeSegs(segs, &batch)
			for i := range segs {
				if segs[i].own != nil {
					putBuf(segs[i].own)
				}
				if segs[i].file != nil {
					segs[i].file.Close()
				}
				segs[i] = seg{}
			}
			c.mu.Lock()
			c.pending -= total
			c.files -= files
			if err != nil {
				c.hardCloseLocked(err)
				c.mu.Unlock()
				return
			}
			c.touch(nowSec())
			if c.pending == 0 {
				c.afterDrainLocked()
			}
			c.mu.Unlock()
		}
	}
}

// writeSegs writes segs to the net.Conn: runs of byte segments with one
// net.Buffers write (writev where supported), files with io.Copy (which
// uses sendfile for a plain TCP connection). It returns the bytes and the
// file bytes it accounted for.
func (c *Conn) writeSegs(segs []seg, batch *net.Buffers) (total, files int, err error) {
	*batch = (*batch)[:0]
	flush := func() error {
		if len(*batch) == 0 {
			return nil
		}
		_, err := batch.WriteTo(c.nc)
		*batch = (*batch)[:0]
		return err
	}
	for _, s := range segs {
		total += len(s.b)
		if s.file == nil {
			*batch = append(*batch, s.b)
			continue
		}
		total += int(s.n)
		files += int(s.n)
		if err == nil {
			err = flush()
		}
		if err == nil {
			_, err = io.Copy(c.nc, io.NewSectionReader(s.file, s.off, s.n))
		}
	}
	if err == nil {
		err = flush()
	}
	return total, files, err
}

// notifyWriterLocked wakes the writer goroutine. c.mu must be held.
func (c *Conn) notifyWriterLocked() {
	select {
	case c.portable.wake <- struct{}{}:
	default:
	}
}

// resumeReaderLocked lets a paused reader goroutine read again.
// c.mu must be held.
func (c *Conn) resumeReaderLocked() {
	select {
	case c.portable.resume <- struct{}{}:
	default:
	}
}

// closePortableLocked releases the net.Conn transport. c.mu must be held.
func (c *Conn) closePortableLocked() {
	close(c.portable.quit)
	c.nc.Close()
	c.l.post(job{op: opDetach, c: c})
}
