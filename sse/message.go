package sse

import "sync"

// Message is an event encoded once, to be written to many streams with
// SendPrepared without encoding or copying it again (a pub/sub
// broadcast). It is immutable and safe for concurrent use.
type Message struct {
	b []byte
}

// Prepare encodes ev for SendPrepared. It fails like AppendEvent.
func Prepare(ev *Event) (*Message, error) {
	// Room for the fields and one data line; many lines grow it.
	b, err := AppendEvent(make([]byte, 0, len(ev.ID)+len(ev.Event)+len(ev.Data)+48), ev)
	if err != nil {
		return nil, err
	}
	return &Message{b: b}, nil
}

// Bytes returns the encoded event. The slice is shared: it must not be
// modified.
func (m *Message) Bytes() []byte { return m.b }

// Encoding buffers for Send and Comment: the engine copies what the
// socket does not take at once, so a buffer is free again as soon as the
// write returns. Buffers that grew past maxPooled are left to the
// collector, which bounds what the pool holds.
const maxPooled = 64 << 10

var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

func getBuf() *[]byte { return bufPool.Get().(*[]byte) }

func putBuf(bp *[]byte, b []byte) {
	if cap(b) > maxPooled {
		return
	}
	*bp = b[:0]
	bufPool.Put(bp)
}
