package httpd

import (
	"io"
	"net/http"
	"os"
	"strconv"
)

// SendFile answers with n bytes of f from off as the body (sendfile on
// Linux). The connection takes f over and closes it once sent. Headers set
// before still apply; Content-Length is n.
func (x *Ctx) SendFile(f *os.File, off, n int64) error {
	if x.res.headSent {
		f.Close()
		return errHeadSent
	}
	x.res.length = n
	x.res.body = x.res.body[:0]
	x.sendHead(false)
	if err := x.push(); err != nil {
		f.Close()
		return err
	}
	if x.isHead() || !bodyAllowed(x.res.status) {
		f.Close()
		return nil
	}
	x.res.fileSent = true
	return x.hc.c.SendFile(f, off, n)
}

// sendFileFrom tries to send src with sendfile: src must be a file (or a
// LimitedReader over one) and the handler must have set Content-Length.
func (w *responseWriter) sendFileFrom(src io.Reader) (int64, bool, error) {
	x := w.x
	if x.res.headSent || x.res.length < 0 || len(x.res.body) > 0 {
		return 0, false, nil
	}
	var f *os.File
	n := x.res.length
	switch r := src.(type) {
	case *os.File:
		f = r
	case *io.LimitedReader:
		if rf, ok := r.R.(*os.File); ok {
			f, n = rf, min(n, r.N)
		}
	}
	if f == nil || n != x.res.length {
		return 0, false, nil
	}
	off, err := f.Seek(0, io.SeekCurrent)
	if err != nil {
		return 0, false, nil
	}
	dup, err := dupFile(f)
	if err != nil {
		return 0, false, nil
	}
	if err := x.SendFile(dup, off, n); err != nil {
		return 0, true, err
	}
	f.Seek(n, io.SeekCurrent) // as if read
	return n, true, nil
}

// xSendfile serves the file named by an X-Sendfile response header (set
// by a trusted handler) instead of the handler's body; it reports whether
// it did.
func (w *responseWriter) xSendfile() bool {
	path := w.header.Get("X-Sendfile")
	if path == "" {
		return false
	}
	w.header.Del("X-Sendfile")
	f, err := os.Open(path)
	if err != nil {
		w.header = http.Header{}
		w.x.res.hdr = w.x.res.hdr[:0]
		w.x.SetStatus(http.StatusNotFound)
		return false
	}
	st, err := f.Stat()
	if err != nil || st.IsDir() {
		f.Close()
		w.x.SetStatus(http.StatusNotFound)
		return false
	}
	w.header.Set("Content-Length", strconv.FormatInt(st.Size(), 10))
	if w.header.Get("Content-Type") == "" {
		w.header.Set("Content-Type", contentTypeOf(path))
	}
	w.WriteHeader(http.StatusOK)
	w.x.SendFile(f, 0, st.Size())
	return true
}
