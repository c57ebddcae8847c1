module github.com/plezi-go/plezi/bench

go 1.26.8

require (
	github.com/plezi-go/plezi v0.0.0
	golang.org/x/sys v0.50.0
)

replace github.com/plezi-go/plezi => ../
