package httpd_test

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"testing"

	"github.com/plezi-go/plezi/httpd"
)

// benchRoundTrips sends GET requests on one keep-alive connection and
// reads each response; allocs/op counts the server's allocations per
// request (the client side does not allocate).
func benchRoundTrips(b *testing.B, s *httpd.Server) {
	base := serve(b, modes[0], s)
	c, err := net.Dial("tcp", base[len("http://"):])
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	req := []byte("GET /hello HTTP/1.1\r\nHost: localhost\r\nUser-Agent: bench\r\nAccept: */*\r\n\r\n")
	buf := make([]byte, 4096)
	// Learn the response size once.
	c.Write(req)
	n, err := c.Read(buf)
	if err != nil || !bytes.HasPrefix(buf[:n], []byte("HTTP/1.1 200")) {
		b.Fatalf("%q %v", buf[:n], err)
	}
	size := n
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c.Write(req)
		if _, err := io.ReadFull(c, buf[:size]); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNativeHello(b *testing.B) {
	benchRoundTrips(b, &httpd.Server{Native: func(x *httpd.Ctx) {
		x.SetHeader("Content-Type", "text/plain")
		x.WriteString("Hello World")
	}})
}

func BenchmarkAdapterHello(b *testing.B) {
	hello := []byte("Hello World")
	benchRoundTrips(b, &httpd.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Write(hello)
	})})
}
