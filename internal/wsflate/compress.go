package wsflate

import "compress/flate"

// Compressor compresses the messages one endpoint sends on one connection.
// It is not safe for concurrent use: the WebSocket layer calls it from one
// writer at a time, in the order the messages go out.
//
// Without context takeover (the server's default) each message is
// compressed on its own by a writer borrowed from a process-wide pool for
// the duration of the call, so an idle connection holds nothing. With
// context takeover the Compressor keeps one writer (about 1.2 MiB) from
// its first message until Release.
type Compressor struct {
	level     int
	threshold int
	takeover  bool
	w         *deflater // held while takeover; nil otherwise and after Release
	released  bool
}

// NewCompressor returns the compressor for messages this endpoint sends
// under the agreed parameters p. server says which side we are. A server
// keeps context only when cfg.ServerContextTakeover is set and p allows it;
// a client keeps context unless p or cfg.ClientNoContextTakeover says no.
// Dropping context is always valid for the peer, so the choice never
// depends on the peer's good will.
//
// Negotiate and Accept never agree on a window below 15 bits for our own
// side. Should p carry one anyway, the Compressor uses flate.HuffmanOnly,
// which makes no back-references and so fits any window.
func NewCompressor(p Params, cfg Config, server bool) *Compressor {
	takeover := cfg.ServerContextTakeover && !p.ServerNoContextTakeover
	bits := p.ServerMaxWindowBits
	if !server {
		takeover = !p.ClientNoContextTakeover && !cfg.ClientNoContextTakeover
		bits = p.ClientMaxWindowBits
	}
	level := cfg.level()
	if bits != 0 && bits < maxWindowBits {
		level = flate.HuffmanOnly
	}
	return &Compressor{level: level, threshold: cfg.threshold(), takeover: takeover}
}

// ContextTakeover reports whether c keeps its window across messages. When
// it does, every compressed message of the connection must come from c:
// bytes from CompressOnce (a broadcast) would leave c's window out of step
// with the peer's, so the WebSocket layer compresses a broadcast again
// through c or sends it uncompressed.
func (c *Compressor) ContextTakeover() bool { return c.takeover && !c.released }

// ShouldCompress reports whether a message of n bytes is worth compressing
// (n >= Config.Threshold). Compress itself always compresses: the caller
// asks first, because it sets RSV1 only on compressed messages.
func (c *Compressor) ShouldCompress(n int) bool { return n >= c.threshold }

// Compress appends the payload of one compressed message to dst and
// returns the extended slice: msg compressed with DEFLATE up to a sync
// flush, the final 00 00 ff ff removed (RFC 7692 §7.2.1). An empty msg
// gives the single byte 0x00. Compress cannot fail. After Release it still
// works, without context (valid for any peer).
func (c *Compressor) Compress(dst, msg []byte) []byte {
	if !c.takeover || c.released {
		return CompressOnce(dst, msg, c.level)
	}
	if c.w == nil {
		c.w = getDeflater(c.level)
	}
	return c.w.compress(dst, msg)
}

// Release returns the pooled writer a context-takeover compressor holds.
// Call it when the connection closes. It is safe to call twice.
func (c *Compressor) Release() {
	c.released = true
	if c.w != nil {
		putDeflater(c.w, c.level)
		c.w = nil
	}
}

// CompressOnce appends to dst the payload of msg compressed on its own
// (no reference to earlier messages) with a pooled writer of the given
// flate level (0 or an invalid level means DefaultLevel). The bytes are
// valid for every connection whose sending side has no context takeover,
// so a broadcast is compressed once and the same frame is queued on every
// such connection. It allocates nothing when dst has room.
func CompressOnce(dst, msg []byte, level int) []byte {
	level = normLevel(level)
	d := getDeflater(level)
	dst = d.compress(dst, msg)
	putDeflater(d, level) // resets d
	return dst
}
