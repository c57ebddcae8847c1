//go:build !race

package plezi_test

// raceEnabled: the race detector inflates memory and time figures.
const raceEnabled = false
