//go:build !unix

package httpd

import (
	"errors"
	"os"
)

// dupFile is not available here: the body is copied instead.
func dupFile(f *os.File) (*os.File, error) { return nil, errors.ErrUnsupported }
