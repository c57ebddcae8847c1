package static_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"

	"github.com/plezi-go/plezi/static"
)

// Dir is an ordinary http.Handler.
func ExampleDir() {
	dir, _ := os.MkdirTemp("", "public")
	defer os.RemoveAll(dir)
	os.WriteFile(filepath.Join(dir, "index.html"), []byte("<h1>Hello</h1>"), 0o644)

	srv := httptest.NewServer(&static.Dir{Root: dir})
	defer srv.Close()
	resp, _ := http.Get(srv.URL + "/")
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println(resp.StatusCode, resp.Header.Get("Content-Type"), string(body))
	// Output: 200 text/html; charset=utf-8 <h1>Hello</h1>
}
