package websocket

// keepBuffer is the capacity up to which the message buffer is kept
// between messages; a larger one (a big message) is released when its
// message has been delivered, so an idle connection holds little memory.
const keepBuffer = 64 << 10

// inflater decompresses a permessage-deflate message (internal/wsflate's
// Decompressor has this method).
type inflater interface {
	Decompress(dst, payload []byte, max int) ([]byte, error)
}

// sink receives what the reader parses. Its methods return an error to
// stop parsing (a *CloseError for a violation they found).
type frameSink interface {
	// message gets a complete message; data is valid only during the call.
	message(text bool, data []byte) error
	// control gets a complete control frame's payload (at most 125
	// bytes, valid only during the call).
	control(op byte, payload []byte) error
}

// reader is the incremental frame parser and message assembler: bytes in,
// messages and control frames out, with every check of RFC 6455. A stream
// split at any byte boundary parses the same. It unmasks payloads in place,
// in the caller's buffer, and hands a message that arrived whole in one
// buffer to the sink without copying it.
type reader struct {
	server  bool     // peers must mask (a server's reader)
	max     int      // largest message, after decompression
	deflate inflater // set when permessage-deflate was negotiated

	hdr     [maxHeader]byte
	hn      int // header bytes buffered in hdr
	h       frameHeader
	inFrame bool  // h is parsed; its payload is being read
	left    int64 // payload bytes of h still to read
	mpos    int   // masking key offset

	ctrl *[maxControlPayload]byte // a control payload split across reads; allocated on first need
	cn   int

	frag       bool // a data message started and is not finished
	text       bool // the message is text
	compressed bool // the message is compressed (RSV1 on its first frame)
	msg        []byte
	inflated   []byte
	utf8       utf8State
	stopped    bool // an error or a close frame ended parsing
}

// feed parses p. It returns the first error: a *CloseError for a protocol
// violation, or what the sink returned. After an error, or once the sink
// saw a close frame, input is ignored.
func (r *reader) feed(p []byte, s frameSink) error {
	for len(p) > 0 && !r.stopped {
		var err error
		if !r.inFrame {
			p, err = r.readHeader(p, s)
		} else {
			p, err = r.readPayload(p, s)
		}
		if err != nil {
			r.stopped = true
			return err
		}
	}
	return nil
}

// readHeader consumes header bytes; once the header is whole it checks it
// and starts the frame.
func (r *reader) readHeader(p []byte, s frameSink) ([]byte, error) {
	var raw []byte
	if r.hn == 0 && len(p) >= 2 && len(p) >= headerSize(p[1]) {
		n := headerSize(p[1])
		raw, p = p[:n], p[n:]
	} else {
		need := 2
		if r.hn >= 2 {
			need = headerSize(r.hdr[1])
		}
		c := copy(r.hdr[r.hn:need], p)
		r.hn += c
		p = p[c:]
		if r.hn < need {
			return p, nil
		}
		if need == 2 && headerSize(r.hdr[1]) > 2 {
			return p, nil // the loop comes back for the rest
		}
		raw = r.hdr[:r.hn]
		r.hn = 0
	}
	h, err := parseHeader(raw)
	if err != nil {
		return p, err
	}
	if err := r.begin(h); err != nil {
		return p, err
	}
	if h.length == 0 {
		return p, r.endFrame(s)
	}
	return p, nil
}

// begin checks a frame header against the connection's state (RFC 6455
// sections 5.1-5.5) and starts the frame.
func (r *reader) begin(h frameHeader) error {
	if err := r.checkBits(h); err != nil {
		return err
	}
	if isControl(h.op) {
		if h.length > maxControlPayload {
			return errControlLong
		}
		if !h.fin {
			return errControlFrag
		}
	} else if err := r.beginData(h); err != nil {
		return err
	}
	r.h, r.inFrame, r.left, r.mpos, r.cn = h, true, h.length, 0, 0
	return nil
}

// checkBits checks the opcode, the reserved bits and the mask bit.
func (r *reader) checkBits(h frameHeader) error {
	switch h.op {
	case opContinuation, opText, opBinary, opClose, opPing, opPong:
	default:
		return errOpcode
	}
	if h.rsv != 0 {
		switch {
		case h.rsv != 0x4 || r.deflate == nil:
			return errReserved
		case isControl(h.op):
			return errCompressedCtrl
		case h.op == opContinuation:
			return errReserved // RSV1 only on a message's first frame
		}
	}
	if h.masked != r.server {
		if r.server {
			return errUnmasked
		}
		return errMaskedServer
	}
	return nil
}

// beginData checks a data frame's place in the message sequence and the
// message size limit, and starts a message on its first frame.
func (r *reader) beginData(h frameHeader) error {
	if h.op == opContinuation {
		if !r.frag {
			return errContinuation
		}
	} else {
		if r.frag {
			return errInterleaved
		}
		r.frag, r.text, r.compressed = true, h.op == opText, h.rsv != 0
		r.msg = r.msg[:0]
		r.utf8.reset()
	}
	if h.length > int64(r.max-len(r.msg)) {
		return errTooBig
	}
	return nil
}

// readPayload consumes payload bytes of the current frame.
func (r *reader) readPayload(p []byte, s frameSink) ([]byte, error) {
	n := len(p)
	if int64(n) > r.left {
		n = int(r.left)
	}
	chunk, rest := p[:n], p[n:]
	if r.h.masked {
		r.mpos = maskBytes(r.h.mask, r.mpos, chunk)
	}
	whole := r.left == r.h.length && int64(n) == r.h.length
	r.left -= int64(n)
	if isControl(r.h.op) {
		if whole { // the usual case: no copy
			r.inFrame = false
			return rest, s.control(r.h.op, chunk)
		}
		if r.ctrl == nil {
			r.ctrl = new([maxControlPayload]byte)
		}
		r.cn += copy(r.ctrl[r.cn:], chunk)
	} else if done, err := r.dataChunk(chunk, whole, s); done || err != nil {
		return rest, err
	}
	if r.left > 0 {
		return rest, nil
	}
	return rest, r.endFrame(s)
}

// dataChunk validates and buffers a piece of a data frame. A message that
// is one frame, uncompressed and whole in chunk is delivered from chunk
// itself, without a copy.
func (r *reader) dataChunk(chunk []byte, whole bool, s frameSink) (delivered bool, err error) {
	if r.text && !r.compressed && !r.utf8.feed(chunk) {
		return false, errInvalidUTF8
	}
	if whole && r.h.fin && len(r.msg) == 0 && !r.compressed {
		r.inFrame = false
		return true, r.deliver(chunk, s)
	}
	r.msg = append(r.msg, chunk...)
	return false, nil
}

// endFrame finishes the current frame (its payload is fully read).
func (r *reader) endFrame(s frameSink) error {
	r.inFrame = false
	if isControl(r.h.op) {
		if r.ctrl == nil {
			return s.control(r.h.op, nil)
		}
		return s.control(r.h.op, r.ctrl[:r.cn])
	}
	if !r.h.fin {
		return nil
	}
	return r.deliver(r.msg, s)
}

// deliver finishes a message: decompression, the last UTF-8 check, then
// the sink.
func (r *reader) deliver(data []byte, s frameSink) error {
	r.frag = false
	if r.compressed {
		out, err := r.deflate.Decompress(r.inflated[:0], data, r.max)
		if err != nil {
			return inflateError(err)
		}
		r.inflated = out
		data = out
		if r.text && !r.utf8.feed(data) {
			return errInvalidUTF8
		}
	}
	if r.text && !r.utf8.done() {
		return errInvalidUTF8
	}
	err := s.message(r.text, data)
	r.release()
	return err
}

// release drops buffers grown past keepBuffer by a large message.
func (r *reader) release() {
	r.msg = r.msg[:0]
	if cap(r.msg) > keepBuffer {
		r.msg = nil
	}
	if cap(r.inflated) > keepBuffer {
		r.inflated = nil
	}
}
