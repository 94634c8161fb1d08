package main

// ossec-nagios gen nagios|icinga2|ossec-conf: everything that must exist for
// the bridge's results to land, from the same mapping INI.

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/ossec-nagios/ossec-nagios/bridge/agents"
	"github.com/ossec-nagios/ossec-nagios/bridge/alert"
	"github.com/ossec-nagios/ossec-nagios/internal/config"
	"github.com/ossec-nagios/ossec-nagios/internal/safefile"
	"github.com/ossec-nagios/ossec-nagios/nagioscfg"
)

const genUsage = `usage: ossec-nagios gen nagios|icinga2|ossec-conf|wazuh5 [-config F] [-hosts F] [-with-hosts] [-manager NAME] [-agent-id ID] [-o FILE]

  nagios      passive service template, reset command, one service per (host, service)
  icinga2     the same in Icinga 2's DSL
  ossec-conf  the <command>, <active-response> (or <integration>) blocks for ossec.conf
  wazuh5      Wazuh 5: where the binary goes, the Active response channel, the monitor

Examples:
  ossec-nagios gen nagios -with-hosts > /etc/nagios4/conf.d/ossec.cfg
  ossec-nagios gen icinga2 -hosts agents.txt -o /etc/icinga2/conf.d/ossec.conf
  ossec-nagios gen ossec-conf >> /var/ossec/etc/ossec.conf   (then move the blocks into <ossec_config>)

Flags (after the dialect):
  -config F      mapping INI (default $OSSEC_NAGIOS_CONFIG or <OSSEC>/etc/ossec-nagios.ini)
  -hosts F       agents: client.keys or a list of names (default <OSSEC>/etc/client.keys)
  -with-hosts    also define the hosts (for hosts your Nagios/Icinga does not define)
  -manager NAME  the manager's own agent name (default: this machine's short host name; "-": none)
  -agent-id ID   wazuh5: the agent that runs the bridge (the channel's defined agent)
  -o FILE        write to FILE (atomically) instead of stdout
`

func runGen(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help") {
			fmt.Fprint(e.stdout, genUsage)
			return exitOK
		}
		fmt.Fprint(e.stderr, genUsage)
		return exitUsage
	}
	dialect := args[0]
	fs := flag.NewFlagSet("gen "+dialect, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() { fmt.Fprint(e.stderr, genUsage) }
	cfgFlag := fs.String("config", "", "mapping INI (default $OSSEC_NAGIOS_CONFIG or <OSSEC>/etc/ossec-nagios.ini)")
	hostsFlag := fs.String("hosts", "", "agents: client.keys or a list of names (default <OSSEC>/etc/client.keys)")
	withHosts := fs.Bool("with-hosts", false, "also define the hosts (for hosts your Nagios/Icinga does not define)")
	manager := fs.String("manager", "", "the manager's own agent name (default: this machine's short host name; \"-\": none)")
	outFlag := fs.String("o", "", "write to FILE (atomically) instead of stdout")
	agentID := fs.String("agent-id", "", "wazuh5: the agent that runs the bridge (the channel's defined agent)")
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if fs.NArg() != 0 {
		return e.report(usagef("gen: unexpected argument %q", fs.Arg(0)))
	}
	a, warnings, err := e.loadApp(*cfgFlag)
	if err != nil {
		return e.report(err)
	}
	for _, w := range warnings {
		fmt.Fprintf(e.stderr, "ossec-nagios: warning: %s\n", w)
	}

	var out []byte
	switch dialect {
	case "ossec-conf":
		out, err = nagioscfg.OSSECConf(a.ossecBlocks())
	case "wazuh5":
		out, err = nagioscfg.Wazuh5Setup(a.wazuh5Setup(*agentID))
	case "nagios", "icinga2":
		var gc nagioscfg.Config
		gc, err = a.genConfig(e, dialect, *hostsFlag, *manager, *withHosts)
		if err == nil && dialect == "nagios" {
			out, err = nagioscfg.Nagios(gc)
		} else if err == nil {
			out, err = nagioscfg.Icinga2(gc)
		}
		if err == nil {
			warnSilent(e, dialect, gc)
		}
	default:
		return e.report(usagef("gen: unknown dialect %q (want nagios, icinga2, ossec-conf or wazuh5)", dialect))
	}
	if err != nil {
		return e.report(fmt.Errorf("gen %s: %w", dialect, err))
	}
	if *outFlag == "" {
		_, err = e.stdout.Write(out)
		return e.report(err)
	}
	return e.report(writeGenerated(*outFlag, out))
}

// wazuh5Setup is the generator's input for a Wazuh 5 shop.
func (a *app) wazuh5Setup(agentID string) nagioscfg.Wazuh5 {
	c := a.cfg
	w := nagioscfg.Wazuh5{Executable: c.AR.Executable, AgentID: agentID, CheckKeys: c.AR.CheckKeys, SendOK: c.States.SendOK}
	if c.AR.Recovery {
		w.Recovery = c.AR.RecoveryAfter
	}
	warn := alert.SeverityRank(c.States.WarningSeverity)
	if warn == 0 {
		warn = alert.SeverityRank(alert.SeverityForLevel(c.States.Warning))
	}
	w.Severities = alert.Severities[warn-1:]
	for _, s := range c.Services {
		for _, u := range s.RuleUIDs {
			if !slices.Contains(w.RuleUIDs, u) {
				w.RuleUIDs = append(w.RuleUIDs, u)
			}
		}
	}
	return w
}

// ossecBlocks is the generator's input for ossec.conf.
func (a *app) ossecBlocks() nagioscfg.OSSEC {
	ar := a.cfg.AR
	o := nagioscfg.OSSEC{
		Command:          ar.Command,
		Executable:       ar.Executable,
		Level:            ar.Level,
		Integration:      ar.Integration,
		IntegrationName:  ar.IntegrationName,
		IntegrationLevel: ar.IntegrationLevel,
	}
	if ar.Recovery {
		o.Recovery = ar.RecoveryAfter
	}
	for _, r := range ar.Rules {
		for id := r.Min; id <= r.Max; id++ {
			o.RuleIDs = append(o.RuleIDs, id)
		}
	}
	return o
}

// genConfig maps every known agent to its Nagios host and pairs it with
// every service section; the heartbeat service goes on the heartbeat host.
// Icinga 2 output routes to [nagios] user_groups / users, Nagios output to
// contact_groups / contacts.
func (a *app) genConfig(e *env, dialect, hostsFile, manager string, withHosts bool) (nagioscfg.Config, error) {
	c := a.cfg
	settings := nagiosSettings
	if dialect == "icinga2" {
		settings = icingaSettings
	}
	gc := nagioscfg.Config{
		Defaults:            settings(c.Nagios.Settings),
		ServiceTemplate:     c.Nagios.ServiceTemplate,
		HostTemplate:        c.Nagios.HostTemplate,
		ResetCommand:        c.Nagios.ResetCommand,
		CheckDummy:          c.Nagios.CheckDummy,
		CheckPeriod:         c.Nagios.CheckPeriod,
		NotificationCommand: c.Nagios.NotificationCommand,
		NotificationName:    c.Nagios.NotificationName,
	}
	if dialect == "nagios" {
		// Debian's stock objects/localhost.cfg defines it.
		gc.Existing = []string{"localhost"}
	}
	explicit := hostsFile != ""
	missingKeys := false
	if !explicit {
		hostsFile = filepath.Join(a.root, "etc", "client.keys")
	}
	list, _, err := agents.ReadFile(hostsFile)
	if err != nil {
		if explicit || !errors.Is(err, os.ErrNotExist) {
			return gc, fmt.Errorf("read agents: %w", err)
		}
		list = nil // no client.keys: the manager alone
		missingKeys = true
	}
	if manager == "" {
		if h, err := os.Hostname(); err == nil {
			manager, _, _ = strings.Cut(h, ".")
		}
	}
	if manager != "" && manager != "-" {
		list = append(list, agents.Agent{ID: "000", Name: manager})
	}
	if missingKeys && manager != "" && manager != "-" {
		fmt.Fprintf(e.stderr, "ossec-nagios: warning: gen %s: %s does not exist: only the manager's host %q is generated; name the agents with -hosts (client.keys or a list of names)\n", dialect, hostsFile, manager)
	}
	if len(list) == 0 {
		return gc, fmt.Errorf("no agents in %s and no manager name", hostsFile)
	}
	m, err := a.mapping()
	if err != nil {
		return gc, err
	}
	// The agents behind each host, in input order.
	byHost := map[string][]agents.Agent{}
	for _, ag := range list {
		h, err := m.HostFor(alert.Agent{ID: ag.ID, Name: ag.Name, IP: ag.Address()})
		if err != nil {
			return gc, err
		}
		byHost[h] = append(byHost[h], ag)
	}
	names := make([]string, 0, len(byHost))
	for h := range byHost {
		names = append(names, h)
	}
	sort.Strings(names)
	for _, h := range names {
		if withHosts {
			gc.Hosts = append(gc.Hosts, hostFor(h, byHost[h]))
		}
		for _, s := range c.Services {
			gc.Services = append(gc.Services, nagioscfg.Service{Host: h, Name: s.Name, Settings: settings(s.Nagios)})
		}
	}
	if hb := c.Heartbeat; hb.Interval > 0 {
		gc.Heartbeat = nagioscfg.Heartbeat{Host: hb.Host, Service: hb.Service, Stale: hb.StaleAfter}
		if _, ok := byHost[hb.Host]; withHosts && !ok {
			gc.Hosts = append(gc.Hosts, nagioscfg.Host{Name: hb.Host, Alias: "OSSEC/Wazuh bridge (ossec-nagios heartbeat)"})
		}
	}
	return gc, nil
}

// hostFor is the host definition of the agents mapped to name: one agent
// lends it its name and address; a host standing for several agents (a
// glob rule such as db* = database-cluster) has no address and lists them.
func hostFor(name string, ags []agents.Agent) nagioscfg.Host {
	if len(ags) == 1 {
		what := "OSSEC agent "
		if ags[0].ID == "000" {
			what = "OSSEC manager "
		}
		return nagioscfg.Host{Name: name, Address: ags[0].Address(), Alias: what + ags[0].Name}
	}
	const show = 5
	names := make([]string, 0, show)
	for i, ag := range ags {
		if i == show {
			break
		}
		names = append(names, ag.Name)
	}
	alias := fmt.Sprintf("OSSEC agents %s", strings.Join(names, ", "))
	if len(ags) > show {
		alias += fmt.Sprintf(" and %d more", len(ags)-show)
	}
	return nagioscfg.Host{Name: name, Alias: alias}
}

// warnSilent prints one warning when the generated objects page nobody.
func warnSilent(e *env, dialect string, gc nagioscfg.Config) {
	silent := nagioscfg.Silent(gc)
	if len(silent) == 0 {
		return
	}
	seen := map[string]bool{}
	var svcs []string
	for _, s := range silent {
		if !seen[s.Name] {
			seen[s.Name] = true
			svcs = append(svcs, strconv.Quote(s.Name))
		}
	}
	keys, who := "contact_groups and contacts", "a Nagios service without contacts pages only those of its host, if that is defined elsewhere with some"
	if dialect == "icinga2" {
		keys, who = "user_groups and users", "no Notification applies to them"
	}
	fmt.Fprintf(e.stderr, "ossec-nagios: warning: gen %s: nobody is paged for %d generated services (%s): %s are empty or notification_options is n; %s; set [nagios] %s\n",
		dialect, len(silent), strings.Join(svcs, ", "), keys, who, strings.Replace(keys, " and ", " or ", 1))
}

func nagiosSettings(s config.NagiosSettings) nagioscfg.Settings {
	return nagioscfg.Settings{
		ContactGroups:        s.ContactGroups,
		Contacts:             s.Contacts,
		NotificationPeriod:   s.NotificationPeriod,
		NotificationInterval: s.NotificationInterval,
		NotificationOptions:  s.NotificationOptions,
		QuietPeriod:          s.QuietPeriod,
		Volatile:             s.Volatile,
	}
}

// icingaSettings are nagiosSettings with Icinga 2's user groups and users
// in the contact fields.
func icingaSettings(s config.NagiosSettings) nagioscfg.Settings {
	n := nagiosSettings(s)
	n.ContactGroups, n.Contacts = s.UserGroups, s.Users
	return n
}

// writeGenerated replaces path with the generated configuration,
// atomically and durably, readable by all (Nagios and Icinga 2 read it as
// their own users).
func writeGenerated(path string, b []byte) error {
	if err := safefile.WriteFileMode(path, b, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
