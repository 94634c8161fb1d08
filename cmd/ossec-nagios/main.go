// Command ossec-nagios turns OSSEC/Wazuh alerts into Nagios/Icinga passive
// check results and writes the configuration that makes them land.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// A write to a closed stdout (execd gone) must fail with EPIPE, not
	// kill the process before it spooled its result.
	signal.Notify(make(chan os.Signal, 1), syscall.SIGPIPE)
	code := run(ctx, os.Args, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
