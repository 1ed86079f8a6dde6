//go:build race

package httpapi

// raceEnabled: the race detector is on.
const raceEnabled = true
