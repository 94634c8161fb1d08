package main

// Temporary entry points for subcommands under construction. Each moves to
// its own file (send.go, resolve.go, ...) when it is built.

import (
	"errors"
)

var errNotBuilt = errors.New("this subcommand is not built yet")
