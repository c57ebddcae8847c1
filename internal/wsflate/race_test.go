//go:build race

package wsflate

// raceEnabled relaxes allocation counts: under the race detector
// sync.Pool drops some of what it is given.
const raceEnabled = true
