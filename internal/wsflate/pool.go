package wsflate

import (
	"compress/flate"
	"io"
	"sync"
)

// The pools below are shared by every connection of the process: a pooled
// flate writer costs about 1.2 MiB and a reader about 44 KiB, so keeping
// one per connection would be the dominant memory cost of a server with
// many idle WebSockets. sync.Pool drops idle entries at garbage
// collection, so the pools hold about as many objects as there are
// concurrent compress or decompress calls (one per core when callbacks run
// on the engine's loops).

// deflater is a flate writer that appends to a byte slice.
type deflater struct {
	fw   *flate.Writer
	sink appender
}

// appender is an io.Writer that appends to buf; it never fails.
type appender struct{ buf []byte }

func (a *appender) Write(p []byte) (int, error) {
	a.buf = append(a.buf, p...)
	return len(p), nil
}

// writerPools holds one pool per flate level, indexed by level+2.
var writerPools [flate.BestCompression + 3]sync.Pool

// getDeflater returns a reset writer for level (a valid flate level).
func getDeflater(level int) *deflater {
	if d, ok := writerPools[level+2].Get().(*deflater); ok {
		return d
	}
	d := &deflater{}
	d.fw, _ = flate.NewWriter(&d.sink, level) // level is valid: no error
	return d
}

// putDeflater resets d and returns it to the pool of level.
func putDeflater(d *deflater, level int) {
	d.reset()
	writerPools[level+2].Put(d)
}

// reset forgets the window: the next message refers to nothing before it.
func (d *deflater) reset() {
	d.sink.buf = nil
	d.fw.Reset(&d.sink)
}

// compress appends the RFC 7692 §7.2.1 payload of msg to dst: the DEFLATE
// output up to a sync flush, without the flush's trailing 00 00 ff ff.
// The writer keeps its window, so callers wanting no context takeover
// reset it between messages.
func (d *deflater) compress(dst, msg []byte) []byte {
	start := len(dst)
	d.sink.buf = dst
	d.fw.Write(msg) // appender never fails, so neither does the writer
	d.fw.Flush()
	out := d.sink.buf
	d.sink.buf = nil
	// A sync flush always ends with the empty stored block 00 00 ff ff.
	if len(out)-start >= 4 {
		out = out[:len(out)-4]
	}
	return out
}

// inflater is a pooled flate reader with the source it reads from.
type inflater struct {
	fr    io.ReadCloser // implements flate.Resetter
	src   tailReader
	probe [1]byte // detects output past the caller's max without growing dst
}

var readerPool sync.Pool

func getInflater() *inflater {
	if f, ok := readerPool.Get().(*inflater); ok {
		return f
	}
	f := &inflater{}
	f.fr = flate.NewReader(&f.src)
	return f
}

func putInflater(f *inflater) {
	f.src = tailReader{}
	readerPool.Put(f)
}

// reset starts a message: payload then finalTail, with dict as the
// window that precedes it.
func (f *inflater) reset(payload, dict []byte) {
	f.src = tailReader{p: payload}
	f.fr.(flate.Resetter).Reset(&f.src, dict) // never fails
}

// finalTail follows every payload: the 00 00 ff ff that the sender removed
// (RFC 7692 §7.2.2), then an empty final stored block so that the flate
// reader ends with io.EOF instead of asking for more input.
const finalTail = "\x00\x00\xff\xff\x01\x00\x00\xff\xff"

// tailReader reads p then finalTail. It implements io.ByteReader, so the
// flate reader reads from it directly instead of wrapping it in a
// bufio.Reader.
type tailReader struct {
	p []byte
	t int // bytes of finalTail read
}

func (r *tailReader) Read(b []byte) (int, error) {
	if len(r.p) > 0 {
		n := copy(b, r.p)
		r.p = r.p[n:]
		return n, nil
	}
	if r.t == len(finalTail) {
		return 0, io.EOF
	}
	n := copy(b, finalTail[r.t:])
	r.t += n
	return n, nil
}

func (r *tailReader) ReadByte() (byte, error) {
	if len(r.p) > 0 {
		c := r.p[0]
		r.p = r.p[1:]
		return c, nil
	}
	if r.t == len(finalTail) {
		return 0, io.EOF
	}
	r.t++
	return finalTail[r.t-1], nil
}
