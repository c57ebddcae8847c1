package plezi

import (
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
)

// SendFile answers with the file at path (Content-Type by extension,
// Last-Modified, Range, If-Modified-Since; on Plezi's server the body
// goes out with sendfile). The path is used as given: never build it from
// request input without cleaning it. It returns an error wrapping
// ErrNotFound when there is no such regular file, so that
//
//	return c.SendFile(path)
//
// from an action answers 404 then.
func (c *Controller) SendFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission) {
			return fmt.Errorf("%w: %w", ErrNotFound, err)
		}
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("%w: %s is not a file", ErrNotFound, path)
	}
	w, r := c.std()
	http.ServeContent(w, r, filepath.Base(path), st.ModTime(), f)
	return nil
}
