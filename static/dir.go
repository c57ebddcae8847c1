package static

import (
	"errors"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path"
	"strconv"
	"strings"
	"time"
)

// Dir serves the files of a folder. Its zero value serves nothing; set
// Root. Dir is safe for concurrent use.
type Dir struct {
	// Root is the folder served.
	Root string

	// Index is the file served for a directory; "" means "index.html".
	Index string

	// NotFound handles requests that match no file; nil answers 404.
	NotFound http.Handler
}

// errRefused marks a request path that could escape the folder.
var errRefused = errors.New("static: path refused")

// ServeHTTP serves the file named by the request path.
func (d *Dir) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "405 method not allowed", http.StatusMethodNotAllowed)
		return
	}
	name, err := cleanPath(r.URL)
	if err != nil {
		http.Error(w, "400 bad request: "+err.Error(), http.StatusBadRequest)
		return
	}
	f, err := d.open(name, r.Header.Get("Accept-Encoding"))
	if err != nil {
		d.notFound(w, r)
		return
	}
	defer f.file.Close()
	if f.redirect {
		// A directory without a trailing slash: relative links in its
		// index would break.
		http.Redirect(w, r, path.Base(r.URL.Path)+"/", http.StatusMovedPermanently)
		return
	}
	serve(w, r, f)
}

func (d *Dir) notFound(w http.ResponseWriter, r *http.Request) {
	if d.NotFound != nil {
		d.NotFound.ServeHTTP(w, r)
		return
	}
	http.Error(w, "404 not found", http.StatusNotFound)
}

// found is an open file ready to serve.
type found struct {
	file     *os.File
	info     fs.FileInfo
	name     string // the name asked for (decides the Content-Type)
	encoding string // "br", "gzip" or ""
	variants bool   // a compressed sibling exists: the answer varies
	redirect bool
}

// open finds the file for name, preferring a precompressed sibling the
// client accepts.
func (d *Dir) open(name, acceptEncoding string) (*found, error) {
	root, err := os.OpenRoot(d.Root)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	f, info, err := openFile(root, name)
	if err != nil {
		return nil, err
	}
	if info.IsDir() {
		f.Close()
		if name != "." && !strings.HasSuffix(name, "/") && !strings.HasSuffix(name, "/.") {
			return &found{file: f, redirect: true}, nil
		}
		index := d.Index
		if index == "" {
			index = "index.html"
		}
		name = path.Join(name, index)
		if f, info, err = openFile(root, name); err != nil {
			return nil, err
		}
		if info.IsDir() {
			f.Close()
			return nil, fs.ErrNotExist
		}
	}
	res := &found{file: f, info: info, name: name}
	for _, enc := range []struct{ coding, ext string }{{"br", ".br"}, {"gzip", ".gz"}} {
		cf, cinfo, err := openFile(root, name+enc.ext)
		if err != nil || cinfo.IsDir() {
			if cf != nil {
				cf.Close()
			}
			continue
		}
		res.variants = true
		if res.encoding == "" && accepts(acceptEncoding, enc.coding) {
			res.file.Close()
			res.file, res.info, res.encoding = cf, cinfo, enc.coding
			continue
		}
		cf.Close()
	}
	return res, nil
}

func openFile(root *os.Root, name string) (*os.File, fs.FileInfo, error) {
	f, err := root.Open(name)
	if err != nil {
		return nil, nil, err
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, info, nil
}

// serve answers with f, honouring conditional and range requests.
func serve(w http.ResponseWriter, r *http.Request, f *found) {
	h := w.Header()
	etag := makeETag(f.info, f.encoding)
	mod := f.info.ModTime().UTC().Truncate(time.Second)
	h.Set("ETag", etag)
	h.Set("Last-Modified", mod.Format(http.TimeFormat))
	h.Set("Accept-Ranges", "bytes")
	if f.variants {
		h.Set("Vary", "Accept-Encoding")
	}
	if notModified(r, etag, mod) {
		h.Del("Content-Type")
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", contentType(f.name))
	if f.encoding != "" {
		h.Set("Content-Encoding", f.encoding)
	}
	size := f.info.Size()
	start, length, status := int64(0), size, http.StatusOK
	if rh := r.Header.Get("Range"); rh != "" && ifRange(r, etag, mod) {
		s, l, ok, satisfiable := parseRange(rh, size)
		switch {
		case ok && !satisfiable:
			h.Set("Content-Range", "bytes */"+strconv.FormatInt(size, 10))
			http.Error(w, "416 range not satisfiable", http.StatusRequestedRangeNotSatisfiable)
			return
		case ok:
			start, length, status = s, l, http.StatusPartialContent
			h.Set("Content-Range", "bytes "+strconv.FormatInt(s, 10)+"-"+strconv.FormatInt(s+l-1, 10)+"/"+strconv.FormatInt(size, 10))
		}
	}
	h.Set("Content-Length", strconv.FormatInt(length, 10))
	w.WriteHeader(status)
	if r.Method == http.MethodHead || length == 0 {
		return
	}
	if start > 0 {
		if _, err := f.file.Seek(start, io.SeekStart); err != nil {
			return
		}
	}
	// io.Copy uses the ResponseWriter's ReadFrom when it has one: on
	// Plezi's server that is sendfile.
	io.Copy(w, io.LimitReader(f.file, length))
}
