package websocket

import "unicode/utf8"

// utf8State validates UTF-8 that arrives in pieces (a text message split
// over frames and reads). It fails as soon as a prefix cannot start valid
// UTF-8, as Autobahn's 6.4.x cases expect: a bad byte is caught in the
// piece it arrives in, not when the message ends.
type utf8State struct {
	need   uint8 // continuation bytes still expected
	lo, hi byte  // the range of the next continuation byte
}

// seqStart returns, for a lead byte, the number of continuation bytes and
// the range of the first one; ok is false for bytes that never start a
// sequence (continuations, C0, C1, F5-FF).
func seqStart(b byte) (need uint8, lo, hi byte, ok bool) {
	switch {
	case b >= 0xC2 && b <= 0xDF:
		return 1, 0x80, 0xBF, true
	case b == 0xE0:
		return 2, 0xA0, 0xBF, true
	case b == 0xED:
		return 2, 0x80, 0x9F, true // no surrogates
	case b >= 0xE1 && b <= 0xEF:
		return 2, 0x80, 0xBF, true
	case b == 0xF0:
		return 3, 0x90, 0xBF, true
	case b >= 0xF1 && b <= 0xF3:
		return 3, 0x80, 0xBF, true
	case b == 0xF4:
		return 3, 0x80, 0x8F, true // nothing past U+10FFFF
	}
	return 0, 0, 0, false
}

// step feeds one byte to the state machine.
func (s *utf8State) step(b byte) bool {
	if s.need > 0 {
		if b < s.lo || b > s.hi {
			return false
		}
		s.need--
		s.lo, s.hi = 0x80, 0xBF
		return true
	}
	if b < utf8.RuneSelf {
		return true
	}
	need, lo, hi, ok := seqStart(b)
	s.need, s.lo, s.hi = need, lo, hi
	return ok
}

// feed validates the next piece and reports whether the text so far is a
// valid prefix. The bulk goes through utf8.Valid; only a sequence cut at
// either end of the piece goes byte by byte.
func (s *utf8State) feed(p []byte) bool {
	for s.need > 0 && len(p) > 0 {
		if !s.step(p[0]) {
			return false
		}
		p = p[1:]
	}
	cut := tailStart(p)
	if !utf8.Valid(p[:cut]) {
		return false
	}
	for _, b := range p[cut:] {
		if !s.step(b) {
			return false
		}
	}
	return true
}

// tailStart returns where a possibly incomplete last sequence of p starts
// (len(p) when p ends on a complete character).
func tailStart(p []byte) int {
	n := len(p)
	for i := n - 1; i >= 0 && i >= n-3; i-- {
		b := p[i]
		if b < utf8.RuneSelf {
			return n
		}
		if b >= 0xC0 { // a lead byte: is its sequence complete?
			need, _, _, _ := seqStart(b)
			if i+int(need)+1 <= n && need > 0 {
				return n
			}
			return i
		}
	}
	return n
}

// done reports whether the text ended on a character boundary.
func (s *utf8State) done() bool { return s.need == 0 }

func (s *utf8State) reset() { *s = utf8State{} }
