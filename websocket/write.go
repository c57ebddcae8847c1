package websocket

import (
	"errors"
	"math/rand/v2"
	"sync"

	"github.com/plezi-go/plezi/engine"
)

// maxPooledFrame is the largest frame encoded in a pooled buffer: the
// engine's Write copies only what the socket did not take at once, so a
// pooled buffer can be reused as soon as Write returns.
const maxPooledFrame = 16 << 10

var framePool = sync.Pool{New: func() any { b := make([]byte, 0, maxPooledFrame); return &b }}

// WriteText sends data as one text message. data must be valid UTF-8 (it
// is not checked). It is copied: the caller may reuse it at once.
func (c *Conn) WriteText(data []byte) error { return c.writeData(opText, data) }

// WriteBinary sends data as one binary message; data is copied.
func (c *Conn) WriteBinary(data []byte) error { return c.writeData(opBinary, data) }

// Ping sends a ping with up to 125 bytes of payload; the peer answers with
// a pong (which resets the ping clock, like any input).
func (c *Conn) Ping(data []byte) error {
	if len(data) > maxControlPayload {
		return ErrControlTooLong
	}
	return c.writeControl(opPing, data)
}

func (c *Conn) writeControl(op byte, payload []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if c.closeSent || c.wclosed {
		return ErrClosed
	}
	return c.writeFrameLocked(op, false, payload)
}

// writeData compresses (when negotiated and the message is large enough)
// and queues one data message.
func (c *Conn) writeData(op byte, data []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.writeDataLocked(op, data)
}

// writeDataLocked is writeData with c.wmu held.
func (c *Conn) writeDataLocked(op byte, data []byte) error {
	if c.closeSent || c.wclosed {
		return ErrClosed
	}
	if c.comp == nil || !c.comp.ShouldCompress(len(data)) {
		return c.writeFrameLocked(op, false, data)
	}
	bp := framePool.Get().(*[]byte)
	z := c.comp.Compress((*bp)[:0], data)
	err := c.writeFrameLocked(op, true, z)
	putFrame(bp, z)
	return err
}

// writeFrameLocked encodes one final frame (masked on a client) and queues
// it. c.wmu must be held: it keeps frames whole and in the order the
// compressor produced them.
func (c *Conn) writeFrameLocked(op byte, rsv1 bool, payload []byte) error {
	size := frameSize(len(payload), !c.server)
	if size > maxPooledFrame {
		buf := c.appendFrame(make([]byte, 0, size), op, rsv1, payload)
		_, err := c.eng().WriteShared(buf)
		return writeErr(err)
	}
	bp := framePool.Get().(*[]byte)
	buf := c.appendFrame((*bp)[:0], op, rsv1, payload)
	_, err := c.eng().Write(buf)
	putFrame(bp, buf)
	return writeErr(err)
}

func putFrame(bp *[]byte, b []byte) {
	if cap(b) <= maxPooledFrame {
		*bp = b[:0]
		framePool.Put(bp)
	}
}

// appendFrame appends a whole frame; a client masks it with a fresh key.
func (c *Conn) appendFrame(dst []byte, op byte, rsv1 bool, payload []byte) []byte {
	if c.server {
		dst = appendHeader(dst, true, rsv1, op, len(payload), false, 0)
		return append(dst, payload...)
	}
	key := rand.Uint32()
	dst = appendHeader(dst, true, rsv1, op, len(payload), true, key)
	start := len(dst)
	dst = append(dst, payload...)
	maskBytes(key, 0, dst[start:])
	return dst
}

func writeErr(err error) error {
	if errors.Is(err, engine.ErrClosed) {
		return ErrClosed
	}
	return err
}
