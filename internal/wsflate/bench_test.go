package wsflate

import (
	"compress/flate"
	"fmt"
	"testing"
)

var benchSizes = []int{32, 1 << 10, 16 << 10}

func sizeName(n int) string {
	if n >= 1<<10 {
		return fmt.Sprintf("%dKiB", n>>10)
	}
	return fmt.Sprintf("%dB", n)
}

// BenchmarkCompress measures one message through the pooled writer (the
// server default and broadcasts), a context-takeover writer, and the
// pooled writer at flate's default level.
func BenchmarkCompress(b *testing.B) {
	modes := []struct {
		name string
		c    *Compressor
	}{
		{"pooled", NewCompressor(Params{ServerNoContextTakeover: true}, Config{}, true)},
		{"takeover", NewCompressor(Params{}, Config{}, false)},
		{"pooled-level6", NewCompressor(Params{ServerNoContextTakeover: true}, Config{Level: flate.DefaultCompression}, true)},
	}
	for _, m := range modes {
		for _, n := range benchSizes {
			b.Run(m.name+"/"+sizeName(n), func(b *testing.B) {
				// Eight different messages in turn, so that context
				// takeover gains what it would on a chat stream, not on
				// one message repeated.
				var msgs [8][]byte
				for i := range msgs {
					msgs[i] = textMsg(n, uint64(i))
				}
				dst := make([]byte, 0, 2*n+64)
				b.SetBytes(int64(n))
				b.ReportAllocs()
				i, out := 0, 0
				for b.Loop() {
					out += len(m.c.Compress(dst, msgs[i%8]))
					i++
				}
				b.ReportMetric(float64(out)/float64(i*n), "ratio")
			})
		}
		m.c.Release()
	}
}

// BenchmarkDecompress measures one message with the pooled reader, without
// and with the context dictionary.
func BenchmarkDecompress(b *testing.B) {
	for _, takeover := range []bool{false, true} {
		name := "no-context"
		if takeover {
			name = "takeover"
		}
		for _, n := range benchSizes {
			b.Run(name+"/"+sizeName(n), func(b *testing.B) {
				msg := textMsg(n, 1)
				payload := CompressOnce(nil, msg, 0)
				d := NewDecompressor(Params{ClientNoContextTakeover: !takeover}, true)
				defer d.Release()
				dst := make([]byte, 0, n)
				b.SetBytes(int64(n))
				b.ReportAllocs()
				for b.Loop() {
					if _, err := d.Decompress(dst, payload, n); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

func BenchmarkNegotiate(b *testing.B) {
	h := []string{"permessage-deflate; client_max_window_bits"}
	b.ReportAllocs()
	for b.Loop() {
		Negotiate(h, Config{})
	}
}
