#!/usr/bin/env bash
# Install the Debian package with dpkg, check what it installed, remove it.
# Run by `make test-package` (which builds the .deb first) as root on Debian:
#
#   DEB=dist/ossec-nagios_VERSION_ARCH.deb PKG_VERSION=VERSION COMMIT=abc123 \
#     bash contrib/packaging/test-package.sh
#
# DEB is the package (default: the newest dist/ossec-nagios_*.deb);
# PKG_VERSION, when set, must be the installed version; COMMIT, when set,
# must appear in `ossec-nagios -version`. An ossec-nagios package that is
# already installed on the machine is left alone: the test refuses to run.
set -euo pipefail
cd "$(dirname "$0")/../.."

fail() { echo "test-package: FAIL: $*" >&2; exit 1; }
ok() { echo "test-package: ok: $*"; }

[ "$(id -u)" = 0 ] || fail "needs root (dpkg -i)"
command -v dpkg >/dev/null || fail "needs dpkg (Debian)"
if [ -z "${DEB:-}" ]; then
	DEB=$(ls -t dist/ossec-nagios_*.deb 2>/dev/null | head -n1 || true)
fi
[ -n "$DEB" ] && [ -f "$DEB" ] || fail "no package (run make deb, or make test-package)"

status() { dpkg-query -W -f='${db:Status-Abbrev}' ossec-nagios 2>/dev/null || true; }
case $(status) in
"" | "un "* | "pn "*) ;;
*) fail "an ossec-nagios package is already on this machine ($(status)); remove it first (dpkg -P ossec-nagios)" ;;
esac

tree=$(mktemp -d)
cleanup() {
	case $(status) in
	"" | "un "* | "pn "*) ;;
	*) dpkg -P ossec-nagios >/dev/null 2>&1 || true ;;
	esac
	rm -rf "$tree"
}
trap cleanup EXIT

echo "test-package: dpkg -i $DEB"
dpkg -i "$DEB"
case $(status) in "ii "*) ok "installed" ;; *) fail "dpkg status after install: $(status)" ;; esac
version=$(dpkg-query -W -f='${Version}' ossec-nagios)
if [ -n "${PKG_VERSION:-}" ] && [ "$version" != "$PKG_VERSION" ]; then
	fail "installed version $version, want $PKG_VERSION"
fi
ok "version $version"

# The binary: on PATH, static, and it names its commit.
[ "$(command -v ossec-nagios)" = /usr/bin/ossec-nagios ] || fail "ossec-nagios is not /usr/bin/ossec-nagios on PATH"
out=$(ossec-nagios -version) || fail "ossec-nagios -version exited $?"
echo "test-package: ossec-nagios -version: $out"
case $out in
"ossec-nagios "*"(commit "*")") ;;
*) fail "ossec-nagios -version does not name a commit: $out" ;;
esac
case $out in *"(commit unknown)"*) fail "ossec-nagios -version: commit unknown" ;; esac
if [ -n "${COMMIT:-}" ]; then
	case $out in *"(commit $COMMIT)"*) ;; *) fail "ossec-nagios -version does not name commit $COMMIT: $out" ;; esac
fi
ok "-version names the commit"
ossec-nagios -h | grep -q '^subcommands:' || fail "ossec-nagios -h lists no subcommands"
ossec-nagios check-config -config /usr/share/doc/ossec-nagios/examples/ossec-nagios.ini >/dev/null 2>&1 ||
	fail "check-config rejects the packaged example INI: $(ossec-nagios check-config -config /usr/share/doc/ossec-nagios/examples/ossec-nagios.ini 2>&1)"
ok "the packaged example INI passes check-config"

# The man pages: present, roff, generated from the binary's own help.
man1=/usr/share/man/man1/ossec-nagios.1.gz
man8=/usr/share/man/man8/ossec-nagios-install.8.gz
[ -f "$man1" ] || fail "no $man1"
[ -f "$man8" ] || fail "no $man8"
zcat "$man1" | grep -q '^\.TH OSSEC-NAGIOS 1' || fail "$man1 is not an ossec-nagios(1) page"
for sub in send resolve gen flush check-config; do
	zcat "$man1" | grep -q "^\.SS $sub\$" || fail "$man1 has no section for $sub"
done
zcat "$man8" | grep -q '^\.TH OSSEC-NAGIOS-INSTALL 8' || fail "$man8 is not an ossec-nagios-install(8) page"
if command -v groff >/dev/null; then
	warn=$(zcat "$man1" | groff -man -Tutf8 -ww -z 2>&1) || fail "groff: $warn"
	[ -z "$warn" ] || fail "groff warns about $man1: $warn"
fi
ok "man pages $man1 $man8"

# The follow-mode unit, the config, the templates.
unit=/lib/systemd/system/ossec-nagios-follow.service
[ -f "$unit" ] || fail "no $unit"
grep -q '^ExecStart=/usr/bin/ossec-nagios follow ' "$unit" || fail "$unit does not run ossec-nagios follow"
if command -v systemd-analyze >/dev/null; then
	systemd-analyze verify "$unit" || fail "systemd-analyze verify $unit"
fi
ok "unit $unit"
conf=/etc/ossec-nagios/ossec-nagios.ini
[ "$(stat -c %a "$conf")" = 640 ] || fail "$conf mode $(stat -c %a "$conf"), want 640"
dpkg-query -W -f='${Conffiles}\n' ossec-nagios | grep -q " $conf " || fail "$conf is not a conffile"
ok "config $conf (0640, conffile)"
for d in nagios icinga2 ossec; do
	[ -n "$(ls -A "/usr/share/ossec-nagios/$d" 2>/dev/null)" ] || fail "no templates in /usr/share/ossec-nagios/$d"
done
ok "templates in /usr/share/ossec-nagios"

# ossec-nagios-install into a throw-away OSSEC tree; removing the package
# must take that copy away again (prerm) and keep the tree's INI.
ossec-nagios-install --help >/dev/null || fail "ossec-nagios-install --help"
mkdir -p "$tree/etc" "$tree/logs"
ossec-nagios-install "$tree" >/dev/null || fail "ossec-nagios-install $tree"
bin=$tree/active-response/bin/ossec-nagios
[ -x "$bin" ] || fail "no $bin"
[ "$(stat -c %a "$bin")" = 750 ] || fail "$bin mode $(stat -c %a "$bin"), want 750"
[ "$(stat -c %U "$bin")" = root ] || fail "$bin owner $(stat -c %U "$bin"), want root"
[ "$(readlink "$tree/integrations/custom-nagios")" = ../active-response/bin/ossec-nagios ] || fail "no custom-nagios link"
[ "$(stat -c %a "$tree/etc/ossec-nagios.ini")" = 640 ] || fail "the tree's INI is not 0640"
cmp -s "$bin" /usr/bin/ossec-nagios || fail "$bin is not the packaged binary"
grep -qxF "$tree" /var/lib/ossec-nagios/roots || fail "$tree is not registered for upgrades"
ok "ossec-nagios-install $tree (root:$(stat -c %G "$bin") 0750, link, INI 0640, registered)"

echo "test-package: dpkg -r ossec-nagios"
dpkg -r ossec-nagios
case $(status) in "rc "*) ;; *) fail "dpkg status after remove: $(status)" ;; esac
[ ! -e /usr/bin/ossec-nagios ] || fail "/usr/bin/ossec-nagios still there"
[ ! -e "$unit" ] || fail "$unit still there"
[ ! -e "$man1" ] || fail "$man1 still there"
[ ! -e "$bin" ] || fail "removal left the installed copy $bin"
[ ! -L "$tree/integrations/custom-nagios" ] || fail "removal left the custom-nagios link"
[ -f "$tree/etc/ossec-nagios.ini" ] || fail "removal took the tree's INI (user data)"
[ -f "$conf" ] || fail "dpkg -r took the conffile (only purge may)"
ok "removed; the INIs stay"
dpkg -P ossec-nagios
[ ! -e "$conf" ] || fail "purge left $conf"
[ ! -e /var/lib/ossec-nagios ] || fail "purge left /var/lib/ossec-nagios"
ok "purged"
echo "test-package: PASS"
