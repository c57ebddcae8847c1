package websocket

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/plezi-go/plezi/internal/wsflate"
)

// FuzzReader feeds arbitrary bytes to a server's reader, whole and split
// at a point: it must never panic, must answer bad input with a
// *CloseError, and must parse both ways identically.
func FuzzReader(f *testing.F) {
	f.Add(rawFrame(true, 0, opText, []byte("hello"), true), 3)
	f.Add(join(rawFrame(false, 0, opText, []byte("h\xc3"), true), rawFrame(true, 0, opPing, []byte("x"), true), rawFrame(true, 0, opContinuation, []byte("\xa9"), true)), 9)
	f.Add(rawFrame(true, 0, opClose, []byte{3, 232, 'b'}, true), 1)
	f.Add([]byte{0x82, 0xFE, 0, 200, 1, 2, 3, 4}, 4)
	f.Fuzz(func(t *testing.T, data []byte, cut int) {
		if cut < 0 || cut > len(data) {
			cut = len(data) / 2
		}
		want, werr := parseAll(true, 1<<16, bytes.Clone(data))
		s := bytes.Clone(data)
		got, gerr := parseAll(true, 1<<16, s[:cut], s[cut:])
		if strings.Join(got, "|") != strings.Join(want, "|") || !sameErr(werr, gerr) {
			t.Fatalf("whole: %q %v; split at %d: %q %v", want, werr, cut, got, gerr)
		}
		var ce *CloseError
		if werr != nil && werr != errStopped && !errors.As(werr, &ce) {
			t.Fatalf("error %v is not a *CloseError", werr)
		}
	})
}

func sameErr(a, b error) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Error() == b.Error()
}

// FuzzCompressedReader feeds compressed frames (the fuzzer's bytes as a
// DEFLATE payload behind an RSV1 header, and a genuine compression of
// them) through a reader that negotiated permessage-deflate: no panic,
// corrupt input is 1007, the genuine one round-trips, and the limit holds.
func FuzzCompressedReader(f *testing.F) {
	f.Add([]byte("hello hello hello hello"), true)
	f.Add([]byte{0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}, false)
	f.Add(bytes.Repeat([]byte{0}, 5000), false)
	f.Fuzz(func(t *testing.T, data []byte, text bool) {
		op := byte(opBinary)
		if text {
			op = opText
		}
		const max = 4096
		for _, payload := range [][]byte{data, wsflate.CompressOnce(nil, data, 1)} {
			r := &reader{server: true, max: max, deflate: wsflate.NewDecompressor(wsflate.Params{}, true)}
			rec := &recorder{}
			err := r.feed(rawFrame(true, 4, op, payload, true), rec)
			var ce *CloseError
			if err != nil && !errors.As(err, &ce) {
				t.Fatalf("error %v is not a *CloseError", err)
			}
			if err == nil && len(rec.out) != 1 {
				t.Fatalf("no error and %d messages", len(rec.out))
			}
		}
		r := &reader{server: true, max: max, deflate: wsflate.NewDecompressor(wsflate.Params{}, true)}
		rec := &recorder{}
		err := r.feed(rawFrame(true, 4, opBinary, wsflate.CompressOnce(nil, data, 1), true), rec)
		if len(data) > max {
			if !errors.Is(err, errTooBig) {
				t.Fatalf("%d bytes inflated: %v, want 1009", len(data), err)
			}
		} else if err != nil || rec.out[0] != fmt.Sprintf("bin:%q", data) {
			t.Fatalf("round trip: %v", err)
		}
	})
}
