package static

import (
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"
)

// makeETag derives a strong validator from size, modification time and
// content coding (a compressed variant is a different representation).
func makeETag(info fs.FileInfo, encoding string) string {
	tag := `"` + strconv.FormatInt(info.ModTime().UnixNano(), 36) + "-" + strconv.FormatInt(info.Size(), 36)
	if encoding != "" {
		tag += "-" + encoding
	}
	return tag + `"`
}

// contentType returns the type for a file name by its extension.
func contentType(name string) string {
	if t := mime.TypeByExtension(path.Ext(name)); t != "" {
		return t
	}
	return "application/octet-stream"
}

// accepts reports whether an Accept-Encoding value accepts coding (a
// q-value of 0 refuses it; "*" accepts what is not named).
func accepts(header, coding string) bool {
	star := false
	for _, part := range strings.Split(header, ",") {
		name, q := part, "1"
		if i := strings.IndexByte(part, ';'); i >= 0 {
			name = part[:i]
			if j := strings.Index(part[i:], "q="); j >= 0 {
				q = strings.TrimSpace(part[i+j+2:])
			}
		}
		name = strings.TrimSpace(name)
		ok := !isZeroQ(q)
		if strings.EqualFold(name, coding) {
			return ok
		}
		if name == "*" {
			star = ok
		}
	}
	return star
}

func isZeroQ(q string) bool {
	v, err := strconv.ParseFloat(q, 64)
	return err == nil && v == 0
}

// notModified evaluates If-None-Match (which wins when present) and
// If-Modified-Since, per RFC 9110 §13.2.2.
func notModified(r *http.Request, etag string, mod time.Time) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		return matchETag(inm, etag, true)
	}
	if ims := r.Header.Get("If-Modified-Since"); ims != "" {
		t, err := http.ParseTime(ims)
		return err == nil && !mod.After(t)
	}
	return false
}

// ifRange reports whether a Range header applies: without If-Range always;
// with one only when it names the current representation (strongly).
func ifRange(r *http.Request, etag string, mod time.Time) bool {
	ir := r.Header.Get("If-Range")
	if ir == "" {
		return true
	}
	if strings.HasPrefix(ir, `"`) || strings.HasPrefix(ir, "W/") {
		return matchETag(ir, etag, false)
	}
	t, err := http.ParseTime(ir)
	return err == nil && mod.Equal(t)
}

// matchETag reports whether list (an If-None-Match or If-Range value)
// names etag; weak comparison ignores the W/ prefix.
func matchETag(list, etag string, weak bool) bool {
	for _, tag := range strings.Split(list, ",") {
		tag = strings.TrimSpace(tag)
		if tag == "*" && weak {
			return true
		}
		if weak {
			tag = strings.TrimPrefix(tag, "W/")
		}
		if tag == etag {
			return true
		}
	}
	return false
}

// parseRange parses a Range header for a file of size bytes. ok is false
// when the header is not a single byte range we serve (the whole file is
// sent then, as RFC 9110 §14.2 allows); satisfiable is false when the
// range lies outside the file (416).
func parseRange(h string, size int64) (start, length int64, ok, satisfiable bool) {
	spec, found := strings.CutPrefix(h, "bytes=")
	if !found || strings.Contains(spec, ",") {
		return 0, 0, false, false
	}
	first, last, found := strings.Cut(strings.TrimSpace(spec), "-")
	if !found {
		return 0, 0, false, false
	}
	if first == "" { // suffix range: the last N bytes
		n, err := strconv.ParseInt(last, 10, 64)
		if err != nil || n < 0 {
			return 0, 0, false, false
		}
		if n == 0 || size == 0 {
			return 0, 0, true, false
		}
		n = min(n, size)
		return size - n, n, true, true
	}
	s, err := strconv.ParseInt(first, 10, 64)
	if err != nil || s < 0 {
		return 0, 0, false, false
	}
	e := size - 1
	if last != "" {
		if e, err = strconv.ParseInt(last, 10, 64); err != nil || e < s {
			return 0, 0, false, false
		}
		e = min(e, size-1)
	}
	if s >= size {
		return 0, 0, true, false
	}
	return s, e - s + 1, true, true
}
