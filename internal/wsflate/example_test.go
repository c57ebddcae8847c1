package wsflate_test

import (
	"fmt"

	"github.com/plezi-go/plezi/internal/wsflate"
)

// A server and a client agree on permessage-deflate and exchange a
// message in each direction.
func Example() {
	var cfg wsflate.Config // zero value: the documented defaults

	// The client offers; the server answers; the client checks the answer.
	offer := wsflate.Offer(cfg)
	serverParams, answer, ok := wsflate.Negotiate([]string{offer}, cfg)
	clientParams, accepted, err := wsflate.Accept([]string{answer}, cfg)
	fmt.Println(offer)
	fmt.Println(answer, ok, accepted, err, clientParams == serverParams)

	// Each side holds a compressor for what it sends and a decompressor
	// for what it receives.
	serverOut := wsflate.NewCompressor(serverParams, cfg, true)
	clientIn := wsflate.NewDecompressor(clientParams, false)
	defer serverOut.Release()
	defer clientIn.Release()

	msg := []byte(`{"event":"chat","text":"hello hello hello hello hello hello"}`)
	payload := serverOut.Compress(nil, msg) // sent with RSV1 set
	got, err := clientIn.Decompress(nil, payload, 1<<20)
	fmt.Println(string(got) == string(msg), err, len(payload) < len(msg))
	// Output:
	// permessage-deflate; server_no_context_takeover
	// permessage-deflate; server_no_context_takeover true true <nil> true
	// true <nil> true
}

// Chrome's offer, answered with the server defaults.
func ExampleNegotiate() {
	p, resp, ok := wsflate.Negotiate([]string{
		"permessage-deflate; client_max_window_bits",
	}, wsflate.Config{})
	fmt.Printf("%q %v %v\n", resp, ok, p.ServerNoContextTakeover)

	// An offer asking the server for a 1 KiB window is declined (Go's
	// flate always uses 32 KiB); the next offer is taken.
	_, resp, ok = wsflate.Negotiate([]string{
		"permessage-deflate; server_max_window_bits=10, permessage-deflate",
	}, wsflate.Config{ClientNoContextTakeover: true})
	fmt.Printf("%q %v\n", resp, ok)
	// Output:
	// "permessage-deflate; server_no_context_takeover" true true
	// "permessage-deflate; server_no_context_takeover; client_no_context_takeover" true
}

// A broadcast is compressed once and the same bytes go to every
// connection whose compressor keeps no context.
func ExampleCompressOnce() {
	msg := []byte(`{"event":"news","text":"the same words, the same words, the same words"}`)
	shared := wsflate.CompressOnce(nil, msg, 0)

	for _, p := range []wsflate.Params{
		{ServerNoContextTakeover: true},
		{ServerNoContextTakeover: true, ClientNoContextTakeover: true},
	} {
		// Each client decompresses the same payload.
		d := wsflate.NewDecompressor(p, false)
		got, err := d.Decompress(nil, shared, 1024)
		fmt.Println(string(got) == string(msg), err)
		d.Release()
	}
	// Output:
	// true <nil>
	// true <nil>
}

// Decompress enforces the caller's limit as it inflates.
func ExampleDecompressor_Decompress() {
	payload := wsflate.CompressOnce(nil, make([]byte, 1<<20), 0) // 1 MiB of zeros
	d := wsflate.NewDecompressor(wsflate.Params{}, true)
	defer d.Release()
	_, err := d.Decompress(nil, payload, 64<<10)
	fmt.Println(len(payload) < 2<<10, err)
	// Output:
	// true wsflate: decompressed message too large
}
