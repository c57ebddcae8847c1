package wsflate

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzDecompress feeds arbitrary payloads to decompressors with and
// without context: they must never panic, never return more than max
// bytes, fail only with ErrTooLarge or ErrCorrupt, and leave dst alone on
// failure. Seeds: testdata/fuzz/FuzzDecompress.
func FuzzDecompress(f *testing.F) {
	f.Add([]byte{0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}, []byte{0xf2, 0x00, 0x11, 0x00, 0x00}, uint16(10))
	f.Add(CompressOnce(nil, textMsg(300, 1), 0), CompressOnce(nil, textMsg(300, 2), 0), uint16(299))
	f.Fuzz(func(t *testing.T, first, second []byte, max16 uint16) {
		maxLen := int(max16)
		for _, p := range []Params{{}, {ServerNoContextTakeover: true}, {ServerMaxWindowBits: 9}} {
			d := NewDecompressor(p, false)
			for _, payload := range [][]byte{first, second} {
				dst := []byte("dst")
				out, err := d.Decompress(dst, payload, maxLen)
				if err != nil {
					if !errors.Is(err, ErrTooLarge) && !errors.Is(err, ErrCorrupt) {
						t.Fatalf("unexpected error %v", err)
					}
					if string(out) != "dst" {
						t.Fatalf("dst changed on error")
					}
					break // the connection would be closed
				}
				if len(out)-3 > maxLen || string(out[:3]) != "dst" {
					t.Fatalf("%d bytes out, max %d", len(out)-3, maxLen)
				}
			}
			d.Release()
		}
	})
}

// FuzzRoundTrip compresses arbitrary messages in every mode and checks
// that they come back unchanged.
func FuzzRoundTrip(f *testing.F) {
	f.Add([]byte("Hello"), []byte("Hello"), int8(0))
	f.Add([]byte{}, textMsg(1000, 3), int8(9))
	f.Fuzz(func(t *testing.T, a, b []byte, level int8) {
		cfg := Config{Level: int(level % 12), ServerContextTakeover: true}
		for _, p := range []Params{{}, {ServerNoContextTakeover: true}} {
			pr := newPair(p, cfg, true)
			for _, msg := range [][]byte{a, b, a} {
				payload := pr.c.Compress(nil, msg)
				out, err := pr.d.Decompress(nil, payload, len(msg))
				if err != nil || !bytes.Equal(out, msg) {
					t.Fatalf("round trip of %d bytes: %d bytes, %v", len(msg), len(out), err)
				}
			}
			pr.release()
		}
	})
}

// FuzzNegotiate feeds arbitrary headers to the server side: it must never
// panic, and an accepted offer must give an answer that our client accepts
// with the same parameters and that the server honours (no window below
// 15 for itself). Seeds: testdata/fuzz/FuzzNegotiate.
func FuzzNegotiate(f *testing.F) {
	f.Add("permessage-deflate; client_max_window_bits", "", false)
	f.Add("permessage-deflate; server_max_window_bits=10, permessage-deflate", "foo", true)
	f.Add(`x; a="b,c", permessage-deflate; client_max_window_bits="1\0"`, "permessage-deflate;;", false)
	f.Fuzz(func(t *testing.T, h1, h2 string, serverCtx bool) {
		cfg := Config{ServerContextTakeover: serverCtx}
		p, resp, ok := Negotiate([]string{h1, h2}, cfg)
		if !ok {
			if resp != "" || p != (Params{}) {
				t.Fatalf("declined with %q, %+v", resp, p)
			}
			return
		}
		if p.ServerMaxWindowBits != 0 && p.ServerMaxWindowBits != 15 {
			t.Fatalf("accepted server_max_window_bits=%d", p.ServerMaxWindowBits)
		}
		if !serverCtx && !p.ServerNoContextTakeover {
			t.Fatal("answer without server_no_context_takeover")
		}
		// Our response parses back to p (the client check of
		// client_max_window_bits aside: our client never offers it).
		var e element
		sc := scanner{s: resp}
		if !sc.next(&e) || e.bad || !isDeflate(&e) {
			t.Fatalf("response %q does not parse", resp)
		}
		back, err := parseParams(&e)
		if err != nil || back.Params != p || sc.next(&e) {
			t.Fatalf("response %q parses to %+v, %v; want %+v", resp, back.Params, err, p)
		}
	})
}

// FuzzAccept feeds arbitrary server answers to the client side: it must
// never panic, and every outcome is one of accepted, declined or an error
// wrapping ErrBadResponse.
func FuzzAccept(f *testing.F) {
	f.Add("permessage-deflate; server_no_context_takeover; client_no_context_takeover")
	f.Add("permessage-deflate; server_max_window_bits=\"10\"")
	f.Add("permessage-deflate, permessage-deflate")
	f.Fuzz(func(t *testing.T, h string) {
		p, ok, err := Accept([]string{h}, Config{})
		switch {
		case err != nil:
			if !errors.Is(err, ErrBadResponse) || ok || p != (Params{}) {
				t.Fatalf("Accept(%q) = %+v, %v, %v", h, p, ok, err)
			}
		case !ok:
			if p != (Params{}) {
				t.Fatalf("declined with %+v", p)
			}
		default:
			if p.ClientMaxWindowBits != 0 || (p.ServerMaxWindowBits != 0 && (p.ServerMaxWindowBits < 8 || p.ServerMaxWindowBits > 15)) {
				t.Fatalf("accepted %+v", p)
			}
		}
	})
}
