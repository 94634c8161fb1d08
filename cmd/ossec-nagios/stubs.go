package main

// Temporary entry points for subcommands under construction. Each moves to
// its own file (send.go, resolve.go, ...) when it is built.

import (
	"context"
	"errors"
)

var errNotBuilt = errors.New("this subcommand is not built yet")

func runFollow(ctx context.Context, e *env, args []string) int { return e.report(errNotBuilt) }
