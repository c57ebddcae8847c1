package wsflate

import "sync"

// window is the decompressor's copy of the peer's LZ77 sliding window: the
// last size bytes of the decompressed output of compressed messages. It
// becomes the dictionary of the next message (flate.Resetter.Reset).
type window struct {
	size int     // bytes kept: the peer's agreed window, at most 32 KiB
	buf  *[]byte // nil until the first compressed message; cap size
}

// dictPool recycles the 32 KiB dictionaries of closed connections.
var dictPool = sync.Pool{New: func() any {
	b := make([]byte, 0, 1<<maxWindowBits)
	return &b
}}

// bytes returns the current dictionary (nil when empty).
func (w *window) bytes() []byte {
	if w.buf == nil {
		return nil
	}
	return *w.buf
}

// add appends out to the window and keeps its last size bytes. It never
// allocates beyond the window's fixed capacity.
func (w *window) add(out []byte) {
	if len(out) == 0 {
		return
	}
	if w.buf == nil {
		w.buf = newDict(w.size)
	}
	b := *w.buf
	if len(out) >= w.size {
		b = append(b[:0], out[len(out)-w.size:]...)
	} else {
		keep := min(len(b), w.size-len(out))
		n := copy(b, b[len(b)-keep:])
		b = append(b[:n], out...)
	}
	*w.buf = b
}

// newDict returns an empty dictionary of capacity size: pooled at the
// usual 32 KiB, allocated to measure for a smaller agreed window.
func newDict(size int) *[]byte {
	if size < 1<<maxWindowBits {
		b := make([]byte, 0, size)
		return &b
	}
	b := dictPool.Get().(*[]byte)
	*b = (*b)[:0]
	return b
}

// release returns a 32 KiB dictionary to the pool and drops a smaller one.
func (w *window) release() {
	if w.buf != nil && cap(*w.buf) == 1<<maxWindowBits {
		dictPool.Put(w.buf)
	}
	w.buf = nil
}
