package wsflate

import (
	"bufio"
	"bytes"
	"compress/flate"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The peers below use compress/flate the way gorilla/websocket and
// coder/websocket do, independently of this package's code: a writer that
// is flushed and whose last four bytes are cut, and a reader over
// io.MultiReader(payload, tail), with a dictionary of the last 32 KiB when
// the sender keeps context.

// peerWriter is the sending half of a peer.
type peerWriter struct {
	takeover bool
	buf      bytes.Buffer
	fw       *flate.Writer
}

func (w *peerWriter) compress(t *testing.T, msg []byte) []byte {
	t.Helper()
	if w.fw == nil || !w.takeover {
		w.fw, _ = flate.NewWriter(&w.buf, flate.BestSpeed)
	}
	w.buf.Reset()
	if _, err := w.fw.Write(msg); err != nil {
		t.Fatal(err)
	}
	if err := w.fw.Flush(); err != nil {
		t.Fatal(err)
	}
	b := w.buf.Bytes()
	if !bytes.HasSuffix(b, []byte{0, 0, 0xff, 0xff}) {
		t.Fatalf("flush did not end with 00 00 ff ff: %x", b[max(0, len(b)-8):])
	}
	return bytes.Clone(b[:len(b)-4])
}

// peerReader is the receiving half of a peer.
type peerReader struct {
	takeover bool
	dict     []byte
}

func (r *peerReader) decompress(t *testing.T, payload []byte) []byte {
	t.Helper()
	src := io.MultiReader(bytes.NewReader(payload), strings.NewReader("\x00\x00\xff\xff\x01\x00\x00\xff\xff"))
	fr := flate.NewReaderDict(src, r.dict)
	out, err := io.ReadAll(fr)
	if err != nil {
		t.Fatalf("peer cannot read our %d-byte payload: %v", len(payload), err)
	}
	if r.takeover {
		r.dict = append(r.dict, out...)
		r.dict = r.dict[max(0, len(r.dict)-32768):]
	}
	return out
}

func TestInteropGoPeers(t *testing.T) {
	sizes := []int{0, 1, 40, 125, 126, 1000, 5000, 40000, 70000, 300}
	for _, m := range modes {
		for _, fromServer := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/ours-server=%v", m.name, fromServer), func(t *testing.T) {
				t.Parallel()
				// We send with our Compressor; the peer receives.
				c := NewCompressor(m.p, m.cfg, fromServer)
				defer c.Release()
				pr := &peerReader{takeover: c.ContextTakeover()}
				// The peer sends with context exactly when our decompressor
				// expects it may.
				d := NewDecompressor(m.p, !fromServer)
				defer d.Release()
				pw := &peerWriter{takeover: d.ContextTakeover()}
				for i := range 3 {
					for j, n := range sizes {
						msg := textMsg(n, uint64(i*100+j))
						if got := pr.decompress(t, c.Compress(nil, msg)); !bytes.Equal(got, msg) {
							t.Fatalf("peer read %d bytes of our %d-byte message %d", len(got), n, j)
						}
						got, err := d.Decompress(nil, pw.compress(t, msg), n)
						if err != nil || !bytes.Equal(got, msg) {
							t.Fatalf("we read %d bytes of the peer's %d-byte message %d: %v", len(got), n, j, err)
						}
					}
				}
			})
		}
	}
}

// TestZlibStreams decodes messages compressed by zlib (the DEFLATE of
// browsers and most servers) with windows of 2^9..2^15 bytes, each file
// one connection, with and without context takeover (testdata/zlib,
// made by gen.py). The decompressor's dictionary is the agreed window.
func TestZlibStreams(t *testing.T) {
	files, err := filepath.Glob("testdata/zlib/bits*.txt")
	if err != nil || len(files) != 14 {
		t.Fatalf("golden files: %v, %v", files, err)
	}
	for _, name := range files {
		var bits int
		var mode string
		if _, err := fmt.Sscanf(filepath.Base(name), "bits%d-%s", &bits, &mode); err != nil {
			t.Fatal(err)
		}
		p := Params{ServerNoContextTakeover: strings.HasPrefix(mode, "nocontext"), ServerMaxWindowBits: bits}
		t.Run(filepath.Base(name), func(t *testing.T) {
			d := NewDecompressor(p, false)
			defer d.Release()
			for i, pair := range readGolden(t, name) {
				got, err := d.Decompress(nil, pair[1], len(pair[0]))
				if err != nil || !bytes.Equal(got, pair[0]) {
					t.Fatalf("message %d: got %q, %v; want %q", i, got, err, pair[0])
				}
			}
			if p.ServerNoContextTakeover {
				return
			}
			if d.win.buf == nil || len(*d.win.buf) > 1<<bits {
				t.Fatalf("dictionary of window %d: %v", 1<<bits, d.win.buf)
			}
			// The stream does refer across messages: without the
			// dictionary some message fails.
			fresh := 0
			for _, pair := range readGolden(t, name) {
				nd := NewDecompressor(Params{ServerNoContextTakeover: true}, false)
				if _, err := nd.Decompress(nil, pair[1], len(pair[0])); errors.Is(err, ErrCorrupt) {
					fresh++
				}
			}
			if fresh == 0 {
				t.Fatal("no message needs the previous ones: the file tests nothing")
			}
		})
	}
}

// readGolden returns the (message, payload) pairs of a golden file.
func readGolden(t *testing.T, name string) [][2][]byte {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out [][2][]byte
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) != 2 {
			t.Fatalf("bad line %q", sc.Text())
		}
		msg, err1 := hex.DecodeString(fields[0])
		payload, err2 := hex.DecodeString(fields[1])
		if err1 != nil || err2 != nil {
			t.Fatalf("bad hex: %v %v", err1, err2)
		}
		out = append(out, [2][]byte{msg, payload})
	}
	if err := sc.Err(); err != nil || len(out) == 0 {
		t.Fatalf("%s: %d lines, %v", name, len(out), err)
	}
	return out
}

// TestRFCExamples decodes the payloads of RFC 7692 §7.2.3.
func TestRFCExamples(t *testing.T) {
	hello := []byte("Hello")
	tests := []struct {
		name     string
		payloads [][]byte
	}{
		{"7.2.3.1 one message", [][]byte{{0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}}},
		{"7.2.3.2 shared window", [][]byte{
			{0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00},
			{0xf2, 0x00, 0x11, 0x00, 0x00},
		}},
		{"7.2.3.3 stored block", [][]byte{{0x00, 0x05, 0x00, 0xfa, 0xff, 0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x00}}},
		{"7.2.3.4 BFINAL set", [][]byte{{0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x00}}},
		{"7.2.3.5 two blocks", [][]byte{{0xf2, 0x48, 0x05, 0x00, 0x00, 0x00, 0xff, 0xff, 0xca, 0xc9, 0xc9, 0x07, 0x00}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := NewDecompressor(Params{}, false)
			defer d.Release()
			for i, p := range tt.payloads {
				got, err := d.Decompress(nil, p, 5)
				if err != nil || !bytes.Equal(got, hello) {
					t.Fatalf("payload %d (%x) = %q, %v; want Hello", i, p, got, err)
				}
			}
		})
	}
	// 7.2.3.6: the empty message is the single byte 00, and an empty
	// payload is accepted as an empty message too.
	d := NewDecompressor(Params{}, false)
	for _, p := range [][]byte{{0x00}, nil} {
		if got, err := d.Decompress(nil, p, 0); err != nil || len(got) != 0 {
			t.Fatalf("empty message %x = %q, %v", p, got, err)
		}
	}
	// Our own "Hello" is what the RFC shows: compress/flate stores inputs
	// of up to 16 bytes at BestSpeed (§7.2.3.3) and Huffman-codes them at
	// the default level (§7.2.3.1).
	if got := CompressOnce(nil, hello, 0); !bytes.Equal(got, tests[2].payloads[0]) {
		t.Errorf("CompressOnce(Hello, BestSpeed) = %x, want %x", got, tests[2].payloads[0])
	}
	if got := CompressOnce(nil, hello, flate.DefaultCompression); !bytes.Equal(got, tests[0].payloads[0]) {
		t.Errorf("CompressOnce(Hello, DefaultCompression) = %x, want %x", got, tests[0].payloads[0])
	}
}
