package wsflate

import (
	"io"
	"math"
)

// minGrow is the least Decompress grows its output by: small messages
// into an empty dst allocate once, larger ones double what they produced.
const minGrow = 512

// Decompressor decompresses the messages one endpoint receives on one
// connection. It is not safe for concurrent use: the WebSocket layer calls
// it for one message at a time, in arrival order.
//
// The flate reader is borrowed from a process-wide pool for each call.
// With context takeover the Decompressor keeps the last 32 KiB (or the
// peer's smaller agreed window) of decompressed output as the dictionary
// of the next message, allocated at the first compressed message and
// returned to a pool by Release.
type Decompressor struct {
	takeover bool
	win      window
}

// NewDecompressor returns the decompressor for messages this endpoint
// receives under the agreed parameters p. server says which side we are:
// a server keeps the client's context unless p.ClientNoContextTakeover, a
// client keeps the server's unless p.ServerNoContextTakeover. The
// dictionary is the peer's agreed window (client_max_window_bits or
// server_max_window_bits), 32 KiB when absent.
func NewDecompressor(p Params, server bool) *Decompressor {
	takeover, bits := !p.ServerNoContextTakeover, p.ServerMaxWindowBits
	if server {
		takeover, bits = !p.ClientNoContextTakeover, p.ClientMaxWindowBits
	}
	return &Decompressor{takeover: takeover, win: window{size: windowSize(bits)}}
}

// ContextTakeover reports whether d keeps the peer's window across
// messages.
func (d *Decompressor) ContextTakeover() bool { return d.takeover }

// Decompress appends the decompressed message to dst and returns the
// extended slice. payload is the concatenated payload of the frames of one
// message that had RSV1 set; the 00 00 ff ff of RFC 7692 §7.2.2 is added
// internally. An empty payload is an empty message.
//
// If the message would exceed max bytes Decompress stops as soon as it
// has produced max+1 bytes and returns dst unchanged and ErrTooLarge: a
// deflate bomb is never inflated further. The output buffer never exceeds
// max bytes; growing it to there allocates less than 2*max in all, and
// nothing when dst has room for max more bytes. A payload that is not
// valid DEFLATE returns dst unchanged and a *CorruptError (wrapping
// ErrCorrupt). After an error the connection must be closed: with context
// takeover the dictionary no longer matches the peer's.
func (d *Decompressor) Decompress(dst, payload []byte, max int) ([]byte, error) {
	if len(payload) == 0 {
		return dst, nil
	}
	f := getInflater()
	out, err := d.decompress(f, dst, payload, max)
	putInflater(f)
	return out, err
}

// decompress is Decompress with the flate reader given.
func (d *Decompressor) decompress(f *inflater, dst, payload []byte, maxLen int) ([]byte, error) {
	f.reset(payload, d.win.bytes())
	out, err := readBounded(f, dst, max(maxLen, 0))
	if err != nil {
		return dst, err
	}
	if d.takeover {
		d.win.add(out[len(dst):])
	}
	return out, nil
}

// Release returns the dictionary to its pool. Call it when the connection
// closes. It is safe to call twice; a later compressed message that
// refers to earlier ones then fails with ErrCorrupt.
func (d *Decompressor) Release() { d.win.release() }

// readBounded appends what f produces to dst, at most maxLen bytes. It
// never produces more than maxLen+1 bytes: a longer stream is detected
// without inflating it. dst grows geometrically up to len(dst)+maxLen, and
// the one byte that would exceed that is read into f.probe, so a dst with
// room for maxLen more bytes never grows.
func readBounded(f *inflater, dst []byte, maxLen int) ([]byte, error) {
	start := len(dst)
	limit := start + min(maxLen, math.MaxInt-start) // the most output allowed
	for {
		var n int
		var err error
		switch {
		case len(dst) == limit:
			n, err = f.fr.Read(f.probe[:])
			if n > 0 {
				return dst, ErrTooLarge
			}
		default:
			if len(dst) == cap(dst) {
				dst = grow(dst, start, limit)
			}
			n, err = f.fr.Read(dst[len(dst):min(cap(dst), limit)])
			dst = dst[:len(dst)+n]
		}
		if err == io.EOF {
			return dst, nil
		}
		if err != nil {
			return dst, &CorruptError{Err: err}
		}
	}
}

// grow returns dst with more capacity: double what the message produced so
// far (at least minGrow), or straight up to limit when the doubled size
// would leave less than half of it to go (so that a message of exactly max
// bytes does not end with a second copy of max bytes). The buffers made
// for one message add up to less than twice its output limit.
func grow(dst []byte, start, limit int) []byte {
	c := len(dst) + max(len(dst)-start, minGrow)
	if c+(c-start)/2 >= limit {
		c = limit
	}
	out := make([]byte, len(dst), c)
	copy(out, dst)
	return out
}
