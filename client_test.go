package plezi_test

import (
	"strings"
	"testing"

	"github.com/plezi-go/plezi"
)

// TestClientServed: the App serves the JavaScript client, as a script
// and as an ES module, before its routes, unless NoClient.
func TestClientServed(t *testing.T) {
	a := newApp()
	mustRoute(t, a, "/*", &Home{}) // a catch-all does not hide the client
	base := serve(t, a)
	c := client(t)
	resp, body := do(t, c, "GET", base+plezi.ClientPath, "", "")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/javascript; charset=utf-8" ||
		body != string(plezi.ClientJS()) || !strings.Contains(body, "function PleziClient(url, autoreconnect") {
		t.Fatalf("client: %d %s", resp.StatusCode, resp.Header)
	}
	resp, body = do(t, c, "GET", base+plezi.ClientModulePath, "", "")
	if resp.StatusCode != 200 || !strings.HasSuffix(body, "export default PleziClient;\n") {
		t.Fatalf("module: %d %q", resp.StatusCode, body[len(body)-80:])
	}
	resp, body = do(t, c, "HEAD", base+plezi.ClientPath, "", "")
	if resp.StatusCode != 200 || body != "" || resp.ContentLength != int64(len(plezi.ClientJS())) {
		t.Fatalf("HEAD: %d %d %q", resp.StatusCode, resp.ContentLength, body)
	}

	b := newApp()
	b.NoClient = true
	mustRoute(t, b, "/", &Home{})
	resp, _ = do(t, c, "GET", serve(t, b)+plezi.ClientPath, "", "")
	if resp.StatusCode != 404 {
		t.Fatalf("NoClient: %d", resp.StatusCode)
	}
}
