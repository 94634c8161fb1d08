package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/ossec-nagios/ossec-nagios/bridge"
	"github.com/ossec-nagios/ossec-nagios/internal/config"
	"github.com/ossec-nagios/ossec-nagios/nagioscfg"
)

const checkConfigUsage = `usage: ossec-nagios check-config [-config FILE] [-objects FILE [-hosts FILE] [-manager NAME]]
       ossec-nagios -check-config [-config FILE]

Loads and validates the mapping INI (every error names the file, the section
and the key), builds the mapping, prints the warnings on stderr and a summary
on stdout. With -objects it also reports every (host, service) the mapping
can produce that the Nagios objects do not define. Exit 0 when the INI is
valid (and, with -objects, every pair is defined), 1 when the INI is valid
but -objects lacks a pair (each is named on stderr), 2 when the INI is not
valid or a file cannot be read.

Examples:
  ossec-nagios check-config
  ossec-nagios check-config -config /etc/ossec-nagios/ossec-nagios.ini
  ossec-nagios check-config -objects /var/lib/nagios4/objects.cache
  OSSEC_NAGIOS_CONFIG=./ossec-nagios.ini ossec-nagios -check-config

Flags:
`

// runCheckConfig loads and validates the mapping INI: `ossec-nagios
// check-config [-config F]` (also `ossec-nagios -check-config`). It prints
// the warnings on stderr and "config OK: N services, M host rules" on
// stdout; an invalid config is one error line and exit 2.
func runCheckConfig(ctx context.Context, e *env, args []string) int {
	fs := flag.NewFlagSet("check-config", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	configFlag := fs.String("config", "", "mapping INI (default $OSSEC_NAGIOS_CONFIG or <OSSEC>/etc/ossec-nagios.ini)")
	objectsFlag := fs.String("objects", "", "Nagios objects (objects.cache or the generated file): report every (host, service) the mapping can produce that they do not define")
	hostsFlag := fs.String("hosts", "", "with -objects: the agents (client.keys or one name per line; default <OSSEC>/etc/client.keys)")
	manager := fs.String("manager", "", "with -objects: the manager's own agent name (default: this machine's short host name; \"-\": none)")
	fs.Usage = func() {
		fmt.Fprint(e.stderr, checkConfigUsage)
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
	if err == nil {
		err = cfg.CheckTransport() // what ar, flush and follow need to send
	}
	if err != nil {
		return e.report(usageError{err})
	}
	if _, err := newMapping(cfg); err != nil {
		return e.report(usageError{fmt.Errorf("%s: %w", cfg.File, err)})
	}
	for _, w := range warnings {
		fmt.Fprintf(e.stderr, "ossec-nagios: warning: %s\n", w)
	}
	if *objectsFlag != "" {
		a, _, err := e.loadApp(*configFlag)
		if err != nil {
			return e.report(err)
		}
		missing, total, err := a.undefinedPairs(e, *objectsFlag, *hostsFlag, *manager)
		if err != nil {
			return e.report(usageError{fmt.Errorf("check-config: %w", err)})
		}
		for _, m := range missing {
			fmt.Fprintf(e.stderr, "ossec-nagios: %s does not define host %q service %q: its results would be dropped\n", *objectsFlag, m.Host, m.Service)
		}
		if len(missing) > 0 {
			fmt.Fprintf(e.stdout, "config OK, objects NOT: %d of %d (host, service) pairs undefined in %s (ossec-nagios gen nagios writes them)\n", len(missing), total, *objectsFlag)
			return exitFailure
		}
		fmt.Fprintf(e.stdout, "config OK: %d services, %d host rules; all %d (host, service) pairs defined in %s\n", len(cfg.Services), len(cfg.Hosts.Rules), total, *objectsFlag)
		return exitOK
	}
	fmt.Fprintf(e.stdout, "config OK: %d services, %d host rules\n", len(cfg.Services), len(cfg.Hosts.Rules))
	return exitOK
}

// undefinedPairs maps every known agent as gen does and returns the (host,
// service) pairs the Nagios objects in file do not define, and how many
// pairs the mapping can produce.
func (a *app) undefinedPairs(e *env, file, hostsFile, manager string) ([]nagioscfg.ServiceKey, int, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	objs, err := nagioscfg.ParseObjects(f)
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %w", file, err)
	}
	gc, err := a.genConfig(e, "nagios", hostsFile, manager, false)
	if err != nil {
		return nil, 0, err
	}
	var (
		missing []nagioscfg.ServiceKey
		seen    = map[nagioscfg.ServiceKey]bool{}
	)
	check := func(k nagioscfg.ServiceKey) {
		if !seen[k] && !objs.HasService(k.Host, k.Service) {
			missing = append(missing, k)
		}
		seen[k] = true
	}
	for _, s := range gc.Services {
		check(nagioscfg.ServiceKey{Host: s.Host, Service: s.Name})
	}
	if fb := a.cfg.Hosts.Fallback; fb != "" {
		for _, s := range a.cfg.Services {
			check(nagioscfg.ServiceKey{Host: fb, Service: s.Name})
		}
	}
	if len(missing) > 0 && objs.Hostgroups > 0 {
		fmt.Fprintf(e.stderr, "ossec-nagios: warning: %s has %d services by hostgroup, not expanded here: give Nagios' objects.cache instead\n", file, objs.Hostgroups)
	}
	return missing, len(seen), nil
}

// newMapping builds the bridge's Mapping from the configuration and
// validates it. The imports stay one-way: config knows nothing of bridge,
// bridge nothing of config.
func newMapping(c *config.Config) (*bridge.Mapping, error) {
	m := &bridge.Mapping{
		Warning:          c.States.Warning,
		Critical:         c.States.Critical,
		WarningSeverity:  c.States.WarningSeverity,
		CriticalSeverity: c.States.CriticalSeverity,
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
			RuleUIDs: s.RuleUIDs,
			Levels:   bridgeRanges(s.Levels),
			Location: s.Location,
			SendOK:   s.SendOK,
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
