package main

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"github.com/ossec-nagios/ossec-nagios/bridge"
	"github.com/ossec-nagios/ossec-nagios/internal/config"
)

// runCheckConfig loads and validates the mapping INI: `ossec-nagios
// check-config [-config F]` (also `ossec-nagios -check-config`). It prints
// the warnings on stderr and "config OK: N services, M host rules" on
// stdout; an invalid config is one error line and exit 2.
func runCheckConfig(ctx context.Context, e *env, args []string) int {
	fs := flag.NewFlagSet("check-config", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	configFlag := fs.String("config", "", "mapping INI (default $OSSEC_NAGIOS_CONFIG or <OSSEC>/etc/ossec-nagios.ini)")
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "usage: ossec-nagios check-config [-config FILE]\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return e.report(usageError{fmt.Errorf("check-config: %w", err)})
	}
	if fs.NArg() > 0 {
		return e.report(usagef("check-config: unexpected argument %q", fs.Arg(0)))
	}
	cfg, warnings, err := config.LoadFile(e.configPath(*configFlag))
	if err != nil {
		return e.report(usageError{err})
	}
	if _, err := newMapping(cfg); err != nil {
		return e.report(usageError{fmt.Errorf("%s: %w", cfg.File, err)})
	}
	for _, w := range warnings {
		fmt.Fprintf(e.stderr, "ossec-nagios: warning: %s\n", w)
	}
	fmt.Fprintf(e.stdout, "config OK: %d services, %d host rules\n", len(cfg.Services), len(cfg.Hosts.Rules))
	return exitOK
}

// newMapping builds the bridge's Mapping from the configuration and
// validates it. The imports stay one-way: config knows nothing of bridge,
// bridge nothing of config.
func newMapping(c *config.Config) (*bridge.Mapping, error) {
	m := &bridge.Mapping{
		Warning:  c.States.Warning,
		Critical: c.States.Critical,
		Hosts: bridge.HostMap{
			Default:  c.Hosts.Default,
			Fallback: c.Hosts.Fallback,
		},
		Output: bridge.OutputOptions{
			LongOutput: c.Output.LongOutput,
			Template:   c.Output.Template,
			OmitLog:    !c.Output.IncludeLog,
			MaxLength:  c.Output.MaxLength,
		},
	}
	for _, r := range c.Hosts.Rules {
		m.Hosts.Rules = append(m.Hosts.Rules, bridge.HostRule{Match: r.Match, Glob: r.Glob, Host: r.Host})
	}
	for _, s := range c.Services {
		m.Services = append(m.Services, bridge.ServiceRule{
			Name:     s.Name,
			Groups:   s.Groups,
			Rules:    bridgeRanges(s.Rules),
			Levels:   bridgeRanges(s.Levels),
			Location: s.Location,
		})
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	return m, nil
}

func bridgeRanges(rs []config.Range) []bridge.Range {
	if len(rs) == 0 {
		return nil
	}
	out := make([]bridge.Range, len(rs))
	for i, r := range rs {
		out[i] = bridge.Range{Min: r.Min, Max: r.Max}
	}
	return out
}
