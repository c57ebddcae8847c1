package websocket

import (
	"encoding/binary"
	"math/bits"
)

// Opcodes (RFC 6455 section 5.2).
const (
	opContinuation = 0x0
	opText         = 0x1
	opBinary       = 0x2
	opClose        = 0x8
	opPing         = 0x9
	opPong         = 0xA
)

// maxControlPayload is the largest payload of a control frame (section 5.5).
const maxControlPayload = 125

// maxHeader is the largest frame header: 2 bytes, an 8-byte length and a
// 4-byte masking key.
const maxHeader = 14

// frameHeader is a decoded frame header.
type frameHeader struct {
	fin    bool
	rsv    byte // the three reserved bits, RSV1 as 0x4, RSV2 0x2, RSV3 0x1
	op     byte
	masked bool
	length int64
	mask   uint32 // the masking key, little-endian as read from the wire
}

func isControl(op byte) bool { return op&0x8 != 0 }

// headerSize returns the size of the header that starts with the bytes b0
// and b1 (the first two bytes of a frame).
func headerSize(b1 byte) int {
	n := 2
	switch b1 & 0x7F {
	case 126:
		n += 2
	case 127:
		n += 8
	}
	if b1&0x80 != 0 {
		n += 4
	}
	return n
}

// parseHeader decodes a complete header (len(b) == headerSize(b[1])).
// It returns an error only for a length that is not minimally encoded
// or has its most significant bit set.
func parseHeader(b []byte) (frameHeader, error) {
	h := frameHeader{
		fin:    b[0]&0x80 != 0,
		rsv:    (b[0] >> 4) & 0x7,
		op:     b[0] & 0xF,
		masked: b[1]&0x80 != 0,
	}
	i := 2
	switch l := b[1] & 0x7F; l {
	case 126:
		h.length = int64(binary.BigEndian.Uint16(b[2:]))
		i += 2
	case 127:
		u := binary.BigEndian.Uint64(b[2:])
		if u>>63 != 0 {
			return h, errLength
		}
		h.length = int64(u)
		i += 8
	default:
		h.length = int64(l)
	}
	if h.masked {
		h.mask = binary.LittleEndian.Uint32(b[i:])
	}
	return h, nil
}

// appendHeader appends a frame header. rsv1 marks a compressed message's
// first frame. A masked header carries key.
func appendHeader(dst []byte, fin, rsv1 bool, op byte, length int, masked bool, key uint32) []byte {
	b0 := op
	if fin {
		b0 |= 0x80
	}
	if rsv1 {
		b0 |= 0x40
	}
	var m byte
	if masked {
		m = 0x80
	}
	switch {
	case length <= 125:
		dst = append(dst, b0, m|byte(length))
	case length <= 0xFFFF:
		dst = append(dst, b0, m|126, byte(length>>8), byte(length))
	default:
		dst = append(dst, b0, m|127)
		dst = binary.BigEndian.AppendUint64(dst, uint64(length))
	}
	if masked {
		dst = binary.LittleEndian.AppendUint32(dst, key)
	}
	return dst
}

// frameSize returns the size of a frame with an n-byte payload.
func frameSize(n int, masked bool) int {
	h := 2
	switch {
	case n > 0xFFFF:
		h += 8
	case n > 125:
		h += 2
	}
	if masked {
		h += 4
	}
	return h + n
}

// maskBytes XORs b with the masking key, starting at key offset pos (0-3),
// and returns the offset for the bytes that follow. It works 8 bytes at a
// time: key is little-endian, as read from the wire.
func maskBytes(key uint32, pos int, b []byte) int {
	if len(b) == 0 {
		return pos
	}
	k := bits.RotateLeft32(key, -8*pos)
	i := 0
	if len(b) >= 8 {
		k64 := uint64(k) | uint64(k)<<32
		for ; i+32 <= len(b); i += 32 {
			v := b[i : i+32 : i+32]
			binary.LittleEndian.PutUint64(v, binary.LittleEndian.Uint64(v)^k64)
			binary.LittleEndian.PutUint64(v[8:], binary.LittleEndian.Uint64(v[8:])^k64)
			binary.LittleEndian.PutUint64(v[16:], binary.LittleEndian.Uint64(v[16:])^k64)
			binary.LittleEndian.PutUint64(v[24:], binary.LittleEndian.Uint64(v[24:])^k64)
		}
		for ; i+8 <= len(b); i += 8 {
			v := b[i : i+8 : i+8]
			binary.LittleEndian.PutUint64(v, binary.LittleEndian.Uint64(v)^k64)
		}
	}
	for ; i < len(b); i++ {
		b[i] ^= byte(k)
		k = bits.RotateLeft32(k, -8)
	}
	return (pos + len(b)) & 3
}
