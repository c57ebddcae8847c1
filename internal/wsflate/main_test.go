package wsflate

import (
	"math/rand/v2"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// words is the vocabulary of textMsg: chat-like JSON compresses about as
// real WebSocket traffic does.
var words = []string{"event", "chat", "user", "message", "hello", "world", "room",
	"id", "time", "typing", "true", "false", "null", "plezi", "go", "ok"}

// textMsg returns n bytes of compressible, deterministic pseudo-JSON.
func textMsg(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 42))
	b := make([]byte, 0, n+32)
	for len(b) < n {
		b = append(b, `{"`...)
		b = append(b, words[r.IntN(len(words))]...)
		b = append(b, `":"`...)
		b = append(b, words[r.IntN(len(words))]...)
		b = append(b, `","n":`...)
		b = appendUint(b, r.Uint32N(100000))
		b = append(b, "}\n"...)
	}
	return b[:n]
}

// randomMsg returns n incompressible bytes.
func randomMsg(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 7))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func appendUint(b []byte, v uint32) []byte {
	var tmp [10]byte
	i := len(tmp)
	for {
		i--
		tmp[i] = byte('0' + v%10)
		v /= 10
		if v == 0 {
			return append(b, tmp[i:]...)
		}
	}
}

// pair is the two ends of one direction of a connection.
type pair struct {
	c *Compressor
	d *Decompressor
}

// newPair returns the sender's compressor and the receiver's decompressor
// for messages sent by the server (fromServer) or the client.
func newPair(p Params, cfg Config, fromServer bool) pair {
	return pair{NewCompressor(p, cfg, fromServer), NewDecompressor(p, !fromServer)}
}

func (pr pair) release() {
	pr.c.Release()
	pr.d.Release()
}
