package static

import (
	"net/url"
	"path"
	"strings"
)

// cleanPath returns the file name (relative to the folder) for a request
// URL, or errRefused when the path could escape the folder: a ".."
// segment (also percent-encoded), an encoded slash or backslash, a
// backslash, or a NUL byte.
func cleanPath(u *url.URL) (string, error) {
	raw := u.EscapedPath()
	lower := strings.ToLower(raw)
	if strings.Contains(lower, "%2f") || strings.Contains(lower, "%5c") || strings.Contains(lower, "%00") {
		return "", errRefused
	}
	p := u.Path
	if p == "" {
		p = "/"
	}
	if p[0] != '/' || strings.ContainsAny(p, "\x00\\") {
		return "", errRefused
	}
	for _, seg := range strings.Split(p, "/") {
		if seg == ".." {
			return "", errRefused
		}
	}
	name := strings.TrimPrefix(path.Clean(p), "/")
	if name == "" {
		name = "."
	}
	if strings.HasSuffix(p, "/") && name != "." {
		name += "/"
	}
	return name, nil
}
