package route

import "errors"

// ErrPattern is the sentinel every pattern error wraps.
var ErrPattern = errors.New("route: bad pattern")

// ErrBuild is the sentinel every Build error wraps.
var ErrBuild = errors.New("route: cannot build path")

// PatternError reports why a pattern was refused.
type PatternError struct {
	Pattern string
	Reason  string
}

func (e *PatternError) Error() string {
	return "route: bad pattern " + quote(e.Pattern) + ": " + e.Reason
}

// Unwrap returns ErrPattern.
func (e *PatternError) Unwrap() error { return ErrPattern }

// BuildError reports why a path could not be built from parameters.
type BuildError struct {
	Pattern string
	Param   string
	Reason  string
}

func (e *BuildError) Error() string {
	return "route: cannot build " + quote(e.Pattern) + ": parameter " + quote(e.Param) + " " + e.Reason
}

// Unwrap returns ErrBuild.
func (e *BuildError) Unwrap() error { return ErrBuild }

func quote(s string) string { return "\"" + s + "\"" }
