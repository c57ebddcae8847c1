package websocket

import (
	"sync"

	"github.com/plezi-go/plezi/internal/wsflate"
)

// Message is a message encoded once for many connections (a broadcast,
// a pub/sub fan-out): its frame is built by NewMessage and queued as the
// same bytes on every connection with WriteMessage, without a copy. Its
// compressed frame is built once too, on first need, for connections that
// negotiated permessage-deflate. A Message is immutable and safe for
// concurrent use.
type Message struct {
	text  bool
	data  []byte // the payload (the frame's tail)
	frame []byte // the whole server frame

	zonce sync.Once
	zfrm  []byte // the compressed server frame
}

// NewMessage encodes data as a text or binary message. data is copied.
func NewMessage(text bool, data []byte) *Message {
	op := byte(opBinary)
	if text {
		op = opText
	}
	f := appendHeader(make([]byte, 0, frameSize(len(data), false)), true, false, op, len(data), false, 0)
	h := len(f)
	f = append(f, data...)
	return &Message{text: text, data: f[h:], frame: f}
}

// compressed returns the compressed frame, built on the first call (with
// the level of the first connection that asks).
func (m *Message) compressed(level int) []byte {
	m.zonce.Do(func() {
		z := wsflate.CompressOnce(nil, m.data, level)
		op := byte(opBinary)
		if m.text {
			op = opText
		}
		f := appendHeader(make([]byte, 0, frameSize(len(z), false)), true, true, op, len(z), false, 0)
		m.zfrm = append(f, z...)
	})
	return m.zfrm
}

// WriteMessage queues m on the connection: the shared frame, or the
// shared compressed frame when the connection negotiated
// permessage-deflate and m is over its threshold. A client connection
// (whose frames must be masked) and a server keeping its compression
// context encode their own frame instead.
func (c *Conn) WriteMessage(m *Message) error {
	op := byte(opBinary)
	if m.text {
		op = opText
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if !c.server || (c.comp != nil && c.comp.ContextTakeover()) {
		return c.writeDataLocked(op, m.data)
	}
	if c.closeSent || c.wclosed {
		return ErrClosed
	}
	f := m.frame
	if c.comp != nil && c.comp.ShouldCompress(len(m.data)) {
		f = m.compressed(c.level)
	}
	_, err := c.eng().QueueShared(f)
	return writeErr(err)
}
