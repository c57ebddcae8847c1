package httpd

import (
	"net/http"
	"os"
	"path"
	"strings"

	"github.com/plezi-go/plezi/static"
)

// staticFiles serves Server.Public for GET and HEAD requests whose path
// names an existing file; other requests fall through to the handlers.
type staticFiles struct {
	root string
	dir  *static.Dir
}

func newStatic(root string) http.Handler {
	return &staticFiles{root: root, dir: &static.Dir{Root: root}}
}

func (f *staticFiles) ServeHTTP(w http.ResponseWriter, r *http.Request) { f.dir.ServeHTTP(w, r) }

// exists reports whether the request path (a clean, slash-rooted path)
// names a file in the folder, or a folder with an index.html. os.Root keeps the look-up inside it.
func (f *staticFiles) exists(p string) bool {
	name := strings.TrimPrefix(path.Clean("/"+p), "/")
	if name == "" {
		name = "."
	}
	root, err := os.OpenRoot(f.root)
	if err != nil {
		return false
	}
	defer root.Close()
	fi, err := root.Stat(name)
	if err != nil {
		return false
	}
	if fi.IsDir() {
		// A folder is served only through its index file; without one
		// the request falls through to the handlers (an app's "/").
		_, err = root.Stat(path.Join(name, "index.html"))
		return err == nil
	}
	return true
}

// serveStatic serves x from the public folder when it names a file there;
// it reports whether it did.
func (hc *conn) serveStatic(x *Ctx) bool {
	m := string(x.Method())
	if m != http.MethodGet && m != http.MethodHead {
		return false
	}
	sf := hc.s.static.(*staticFiles)
	if !sf.exists(string(x.Path())) {
		return false
	}
	hc.serveHTTPWith(x, sf)
	return true
}
