package httpd_test

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/plezi-go/plezi/httpd"
)

// TestStaticSendfile: big static files go out whole (sendfile on Linux),
// ranges too, on both transports.
func TestStaticSendfile(t *testing.T) {
	dir := t.TempDir()
	content := bytes.Repeat([]byte("abcdefghij"), 500000) // 5 MB
	os.WriteFile(filepath.Join(dir, "big.bin"), content, 0o644)
	forModes(t, func(t *testing.T, m mode) {
		base := serve(t, m, &httpd.Server{Public: dir})
		c := client(t)
		for i := 0; i < 2; i++ { // keep-alive after a sendfile response
			resp, body := get(t, c, base+"/big.bin")
			if resp.StatusCode != 200 || !bytes.Equal([]byte(body), content) {
				t.Fatalf("%d, %d bytes", resp.StatusCode, len(body))
			}
		}
		req, _ := http.NewRequest("GET", base+"/big.bin", nil)
		req.Header.Set("Range", "bytes=1000000-1000009")
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 206 || string(b) != string(content[1000000:1000010]) {
			t.Fatalf("range: %d %q", resp.StatusCode, b)
		}
	})
}

// TestXSendfile: a handler names a file; the server sends it.
func TestXSendfile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "report.txt")
	os.WriteFile(path, []byte("the report"), 0o644)
	forModes(t, func(t *testing.T, m mode) {
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Sendfile", path)
		})
		base := serve(t, m, &httpd.Server{Handler: h})
		resp, body := get(t, client(t), base+"/")
		if resp.StatusCode != 200 || body != "the report" || resp.Header.Get("Content-Type") != "text/plain; charset=utf-8" || resp.Header.Get("X-Sendfile") != "" {
			t.Fatalf("%d %q %v", resp.StatusCode, body, resp.Header)
		}
	})
}
