//go:build !linux

// Package proctest reads /proc for tests that run real processes (Linux
// only).
package proctest
