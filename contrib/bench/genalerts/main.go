// Command genalerts writes a synthetic OSSEC alerts.log of a given size for
// benchmarks: ids are byte offsets, as OSSEC <= 4.1 and Wazuh write them,
// with a few alerts per second, mixed rules, agents and multi-line bodies.
// It prints the id of the last alert.
//
//	genalerts -size 1G -out /tmp/x/alerts.log
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

func main() {
	size := flag.String("size", "100M", "approximate file size (K, M, G suffixes)")
	out := flag.String("out", "alerts.log", "file to write")
	start := flag.Int64("epoch", 1790208000, "epoch of the first alert")
	flag.Parse()
	n, err := parseSize(*size)
	if err != nil {
		fmt.Fprintf(os.Stderr, "genalerts: %v\n", err)
		os.Exit(2)
	}
	last, err := generate(*out, n, *start)
	if err != nil {
		fmt.Fprintf(os.Stderr, "genalerts: %v\n", err)
		os.Exit(1)
	}
	fmt.Println(last)
}

func parseSize(s string) (int64, error) {
	mult := int64(1)
	switch {
	case strings.HasSuffix(s, "G"):
		mult, s = 1<<30, strings.TrimSuffix(s, "G")
	case strings.HasSuffix(s, "M"):
		mult, s = 1<<20, strings.TrimSuffix(s, "M")
	case strings.HasSuffix(s, "K"):
		mult, s = 1<<10, strings.TrimSuffix(s, "K")
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v <= 0 {
		return 0, fmt.Errorf("bad size %q", s)
	}
	return v * mult, nil
}

type kind struct {
	rule   int
	level  int
	desc   string
	groups string
	loc    string
	body   string
}

var kinds = []kind{
	{5715, 3, "sshd: authentication success.", "syslog,sshd,authentication_success,", "(web%02d) 10.0.%d.%d->/var/log/secure", "Sep 24 18:50:30 web sshd[63622]: Accepted password for admin from 192.168.1.37 port 49220 ssh2\n"},
	{5710, 5, "sshd: Attempt to login using a non-existent user", "syslog,sshd,invalid_login,", "(web%02d) 10.0.%d.%d->/var/log/secure", "Sep 24 18:50:31 web sshd[63623]: Invalid user oracle from 203.0.113.9 port 40022\n"},
	{533, 7, "Listened ports status (netstat) changed (new port opened or closed).", "ossec,", "(db%02d) 10.1.%d.%d->netstat listening ports", "ossec: output: 'netstat listening ports':\ntcp 0.0.0.0:22 0.0.0.0:* 1/sshd\ntcp 0.0.0.0:5667 0.0.0.0:* 2/nsca\nPrevious output:\nossec: output: 'netstat listening ports':\ntcp 0.0.0.0:22 0.0.0.0:* 1/sshd\n"},
	{550, 7, "Integrity checksum changed.", "ossec,syscheck,", "(app%02d) 10.2.%d.%d->syscheck", "Integrity checksum changed for: '/etc/hosts'\nSize changed from '220' to '245'\nOld md5sum was: '7375633acc830f0e2c0f77cdf7f86726'\nNew md5sum is : 'bf11ec43b2065fc878e68e4d66557bf7'\n\n"},
}

func generate(path string, size, epoch int64) (string, error) {
	f, err := os.Create(path)
	if err != nil {
		return "", err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	var off int64
	var last string
	var b []byte
	for i := 0; off < size; i++ {
		k := kinds[i%len(kinds)]
		ep := epoch + int64(i/5)
		t := time.Unix(ep, 0).UTC()
		agent := i % 50
		b = b[:0]
		b = append(b, "** Alert "...)
		b = strconv.AppendInt(b, ep, 10)
		b = append(b, '.')
		b = strconv.AppendInt(b, off, 10)
		b = append(b, ": - "...)
		b = append(b, k.groups...)
		b = append(b, '\n')
		b = t.AppendFormat(b, "2006 Jan 02 15:04:05")
		b = append(b, ' ')
		b = fmt.Appendf(b, k.loc, agent, agent, i%250)
		b = fmt.Appendf(b, "\nRule: %d (level %d) -> '%s'\n", k.rule, k.level, k.desc)
		if k.rule == 5710 || k.rule == 5715 {
			b = append(b, "Src IP: 203.0.113."...)
			b = strconv.AppendInt(b, int64(i%250), 10)
			b = append(b, "\nUser: admin\n"...)
		}
		b = append(b, k.body...)
		b = append(b, '\n')
		last = strconv.FormatInt(ep, 10) + "." + strconv.FormatInt(off, 10)
		if _, err := w.Write(b); err != nil {
			f.Close()
			return "", err
		}
		off += int64(len(b))
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return "", err
	}
	return last, f.Close()
}
