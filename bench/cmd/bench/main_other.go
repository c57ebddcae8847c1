//go:build !linux

// Command bench is plezi's comparative benchmark harness. It reads /proc
// and uses Linux socket options, so it runs on Linux only.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "bench: Linux only (reads /proc)")
	os.Exit(1)
}
