//go:build !race

package wsflate

const raceEnabled = false
