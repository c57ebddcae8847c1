package http1

import "bytes"

// parseBody reads a Content-Length body: each call reports the next piece.
func (p *Parser) parseBody(data []byte) (int, Event, error) {
	if len(data) == 0 {
		return 0, EventNeedMore, nil
	}
	n := len(data)
	if int64(n) > p.m.remaining {
		n = int(p.m.remaining)
	}
	p.body = data[:n]
	if p.m.remaining -= int64(n); p.m.remaining == 0 {
		p.state = stDone
	}
	return n, EventBody, nil
}

// parseChunked reads a chunked body (RFC 9112 §7.1). Framing bytes are
// consumed silently; the call returns at the first piece of chunk data, at
// the end of the message, or when data runs out.
func (p *Parser) parseChunked(data []byte) (int, Event, error) {
	pos := 0
	for {
		if pos == len(data) {
			return pos, EventNeedMore, nil
		}
		var e *Error
		switch p.state {
		case stChunkData:
			n := min(int64(len(data)-pos), p.m.remaining)
			p.body = data[pos : pos+int(n)]
			if p.m.remaining -= n; p.m.remaining == 0 {
				p.state = stChunkCR
			}
			return pos + int(n), EventBody, nil
		case stChunkCR, stChunkLF:
			e = p.chunkEnd(data[pos])
			pos++
		case stChunkSize:
			var line []byte
			line, pos, e = p.takeLine(data, pos, maxChunkLine, errChunkLineLen)
			if line != nil {
				e = p.chunkSize(line)
			}
		case stTrailer:
			var line []byte
			line, pos, e = p.takeLine(data, pos, p.lim.MaxHeaderBytes-p.m.trBytes, errTrailerTooLarge)
			if line != nil {
				var done bool
				if done, e = p.trailerLine(line); done {
					p.endMessage()
					return pos, EventDone, nil
				}
			}
		}
		if e != nil {
			return p.fail(e)
		}
	}
}

// chunkEnd checks one byte of the CRLF that follows chunk data.
func (p *Parser) chunkEnd(c byte) *Error {
	if p.state == stChunkCR && c == '\r' {
		p.state = stChunkLF
		return nil
	}
	if p.state == stChunkLF && c == '\n' {
		p.state = stChunkSize
		return nil
	}
	return errChunkCRLF
}

// takeLine returns the next complete line (LF included) starting at
// data[pos], and the position after it. A line split across calls is kept
// in lbuf; then the returned line aliases lbuf and is valid until the next
// takeLine. When no line is complete it returns a nil line and len(data).
// Lines longer than max bytes fail with tooLong.
func (p *Parser) takeLine(data []byte, pos, max int, tooLong *Error) ([]byte, int, *Error) {
	i := bytes.IndexByte(data[pos:], '\n')
	if i < 0 {
		if len(p.lbuf)+len(data)-pos >= max {
			return nil, pos, tooLong
		}
		p.lbuf = append(p.lbuf, data[pos:]...)
		return nil, len(data), nil
	}
	end := pos + i + 1
	if len(p.lbuf)+end-pos > max {
		return nil, pos, tooLong
	}
	if len(p.lbuf) == 0 {
		return data[pos:end], end, nil
	}
	line := append(p.lbuf, data[pos:end]...)
	p.lbuf = line[:0]
	return line, end, nil
}

// chunkSize parses chunk-size [ chunk-ext ] CRLF.
func (p *Parser) chunkSize(line []byte) *Error {
	if len(line) < 2 || line[len(line)-2] != '\r' {
		return errBareLF
	}
	line = line[:len(line)-2]
	var n uint64
	i := 0
	for ; i < len(line) && isHex(line[i]); i++ {
		if i == 16 {
			return errChunkOverflow
		}
		n = n<<4 | uint64(unhex(line[i]))
	}
	switch {
	case i == 0:
		return errChunkSize
	case n > 1<<63-1:
		return errChunkOverflow
	case !validChunkExt(line[i:]):
		return errChunkExt
	}
	if p.m.extBytes += len(line) - i; p.m.extBytes > p.lim.MaxHeaderBytes {
		return errChunkExtTooLarge
	}
	if n == 0 {
		p.state = stTrailer
		return nil
	}
	if int64(n) > p.lim.MaxBody-p.m.total {
		return errBodyTooLarge
	}
	p.m.total += int64(n)
	p.m.remaining = int64(n)
	p.state = stChunkData
	return nil
}

// validChunkExt checks
//
//	chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )
//
// where chunk-ext-val is a token or a quoted-string (RFC 9112 §7.1.1).
func validChunkExt(b []byte) bool {
	for len(b) > 0 {
		b = skipBWS(b)
		if len(b) == 0 || b[0] != ';' {
			return false // BWS only before ";", never at the end
		}
		b = skipBWS(b[1:])
		n := tokenLen(b)
		if n == 0 {
			return false
		}
		b = b[n:]
		if rest := skipBWS(b); len(rest) > 0 && rest[0] == '=' {
			b = skipBWS(rest[1:])
			if n = tokenLen(b); n == 0 {
				n = quotedLen(b)
			}
			if n == 0 {
				return false
			}
			b = b[n:]
		}
	}
	return true
}

func skipBWS(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	return b
}

func tokenLen(b []byte) int {
	n := 0
	for n < len(b) && tokenTab[b[n]] {
		n++
	}
	return n
}

// quotedLen returns the length of the quoted-string b starts with, or 0.
func quotedLen(b []byte) int {
	if len(b) == 0 || b[0] != '"' {
		return 0
	}
	for i := 1; i < len(b); i++ {
		switch c := b[i]; {
		case c == '"':
			return i + 1
		case c == '\\':
			if i++; i == len(b) || !valueTab[b[i]] {
				return 0
			}
		case !valueTab[c]:
			return 0
		}
	}
	return 0
}

// trailerLine validates one trailer line, then discards it. It reports
// whether the line was the empty line ending the message.
func (p *Parser) trailerLine(line []byte) (bool, *Error) {
	p.m.trBytes += len(line)
	if len(line) < 2 || line[len(line)-2] != '\r' {
		return false, errBareLF
	}
	line = line[:len(line)-2]
	if len(line) == 0 {
		return true, nil
	}
	if _, _, e := splitField(line); e != nil {
		return false, e
	}
	if p.m.trFields++; p.m.trFields > p.lim.MaxHeaders {
		return false, errTooManyTrailers
	}
	return false, nil
}

func unhex(c byte) byte {
	if isDigit(c) {
		return c - '0'
	}
	return lower(c) - 'a' + 10
}
