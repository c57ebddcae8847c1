//go:build linux

package main

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// The WebSocket frame codec of the load client (RFC 6455 section 5): it
// writes masked client frames and parses the unmasked frames a server
// sends, in place, without allocating.

// WebSocket opcodes used by the harness.
const (
	opText   = 0x1
	opBinary = 0x2
	opClose  = 0x8
	opPing   = 0x9
	opPong   = 0xA
)

// Errors of the frame parser: a server sent something the harness does
// not expect from any of the measured servers.
var (
	errMaskedFrame   = errors.New("ws: server frame is masked")
	errReservedBits  = errors.New("ws: reserved bits set (compression was not negotiated)")
	errBadOpcode     = errors.New("ws: unknown opcode")
	errControlFrame  = errors.New("ws: control frame fragmented or longer than 125 bytes")
	errFrameTooLarge = errors.New("ws: frame larger than the read buffer")
	errFragmented    = errors.New("ws: fragmented data frame (the harness sends small messages)")
)

// frameHeader is a parsed frame header.
type frameHeader struct {
	fin    bool
	opcode byte
	hlen   int // header length, bytes
	plen   int // payload length, bytes
}

// parseHeader parses the server frame header at the start of p. It
// returns ok false (and no error) when p holds less than a whole header,
// and an error for a frame no server of the harness may send: masked,
// with reserved bits (no extension is negotiated), with an unknown
// opcode, a control frame that is fragmented or too long, or a length
// past limit.
func parseHeader(p []byte, limit int) (h frameHeader, ok bool, err error) {
	if len(p) < 2 {
		return h, false, nil
	}
	b0, b1 := p[0], p[1]
	h.fin = b0&0x80 != 0
	h.opcode = b0 & 0x0F
	if b0&0x70 != 0 {
		return h, false, errReservedBits
	}
	if b1&0x80 != 0 {
		return h, false, errMaskedFrame
	}
	switch h.opcode {
	case 0x0, opText, opBinary:
	case opClose, opPing, opPong:
		if !h.fin || b1&0x7F > 125 {
			return h, false, errControlFrame
		}
	default:
		return h, false, fmt.Errorf("%w %#x", errBadOpcode, h.opcode)
	}
	var n uint64
	switch l := b1 & 0x7F; l {
	case 126:
		if len(p) < 4 {
			return h, false, nil
		}
		h.hlen, n = 4, uint64(binary.BigEndian.Uint16(p[2:4]))
	case 127:
		if len(p) < 10 {
			return h, false, nil
		}
		h.hlen, n = 10, binary.BigEndian.Uint64(p[2:10])
	default:
		h.hlen, n = 2, uint64(l)
	}
	if n > uint64(limit) {
		return h, false, fmt.Errorf("%w: %d bytes", errFrameTooLarge, n)
	}
	h.plen = int(n)
	return h, true, nil
}

// maxClientHeader is the longest client frame header: 2 bytes, an 8-byte
// length and the 4-byte mask key.
const maxClientHeader = 14

// putClientFrame writes a final client frame with opcode op and payload
// masked with key into dst, which must hold len(payload)+maxClientHeader
// bytes, and returns the frame's length. payload and dst must not
// overlap.
func putClientFrame(dst []byte, op byte, payload []byte, key uint32) int {
	dst[0] = 0x80 | op
	n := len(payload)
	var i int
	switch {
	case n < 126:
		dst[1] = 0x80 | byte(n)
		i = 2
	case n <= 0xFFFF:
		dst[1] = 0x80 | 126
		binary.BigEndian.PutUint16(dst[2:], uint16(n))
		i = 4
	default:
		dst[1] = 0x80 | 127
		binary.BigEndian.PutUint64(dst[2:], uint64(n))
		i = 10
	}
	binary.BigEndian.PutUint32(dst[i:], key)
	k := dst[i : i+4]
	i += 4
	out := dst[i : i+n]
	for j, b := range payload {
		out[j] = b ^ k[j&3]
	}
	return i + n
}

// xorshift is the client's mask-key generator: cheap and allocation-free
// (RFC 6455 wants unpredictable keys against proxy cache poisoning, which
// does not apply on loopback).
type xorshift uint32

func (x *xorshift) next() uint32 {
	v := uint32(*x)
	v ^= v << 13
	v ^= v >> 17
	v ^= v << 5
	*x = xorshift(v)
	return v
}

// The broadcast payload: 16 lower-case hex digits of the message's
// sequence number, then filler up to the message size. It is ASCII, so
// valid as a text message, and lets each client check that it receives
// every message once and in order.
const seqDigits = 16

const hexDigits = "0123456789abcdef"

// putSeq writes the broadcast payload of sequence number seq into p
// (len(p) >= seqDigits).
func putSeq(p []byte, seq uint64) {
	putHex(p[:seqDigits], seq)
	for i := seqDigits; i < len(p); i++ {
		p[i] = 'a' + byte(i%26)
	}
}

// putHex writes the len(p) lowest hex digits of v into p.
func putHex(p []byte, v uint64) {
	for i := len(p) - 1; i >= 0; i-- {
		p[i] = hexDigits[v&0xF]
		v >>= 4
	}
}

// parseSeq reads the sequence number putSeq wrote; ok is false when p is
// not such a payload.
func parseSeq(p []byte) (seq uint64, ok bool) {
	if len(p) < seqDigits {
		return 0, false
	}
	for _, c := range p[:seqDigits] {
		var d byte
		switch {
		case c >= '0' && c <= '9':
			d = c - '0'
		case c >= 'a' && c <= 'f':
			d = c - 'a' + 10
		default:
			return 0, false
		}
		seq = seq<<4 | uint64(d)
	}
	return seq, true
}

// bcastPayload returns a new broadcast payload of size bytes.
func bcastPayload(seq uint64, size int) []byte {
	p := make([]byte, size)
	putSeq(p, seq)
	return p
}
