#!/bin/sh
# Install ossec-nagios into an OSSEC or Wazuh tree, or remove it again.
#
#   install.sh [options] [OSSEC_DIR]        (default OSSEC_DIR: /var/ossec)
#   install.sh --uninstall [options] [OSSEC_DIR]
#   install.sh --all [--uninstall]          (Debian package: every tree this
#                                            helper installed into; --refresh
#                                            is --all without --uninstall)
#
# Used by `make install` / `make uninstall` and shipped in the Debian package
# as /usr/sbin/ossec-nagios-install.
#
# What it does to <OSSEC> (<OSSEC> is $DESTDIR$OSSEC_DIR):
#   active-response/bin/ossec-nagios   the binary, root:GROUP 0750 (replaced
#                                      atomically, so a running copy is safe)
#   integrations/custom-nagios         symlink to ../active-response/bin/ossec-nagios
#   etc/ossec-nagios.ini               the example mapping INI, root:GROUP 0640,
#                                      ONLY if there is none: a user's config
#                                      is never overwritten
#   var/ossec-nagios/spool             root:GROUP 0770 (integratord runs as
#                                      the OSSEC user and spools there)
# GROUP is the group of the tree (ossec or wazuh), else whichever of the two
# exists, else root; --group overrides.
#
# --uninstall removes the binary and the link and keeps the INI and the
# spool (they are the user's data); it says so.
#
# Options:
#   --binary FILE   the ossec-nagios binary to install
#                   (default: bin/ossec-nagios of this source tree, or
#                   /usr/bin/ossec-nagios when run as ossec-nagios-install)
#   --ini FILE      the example INI (default: contrib/ossec-nagios.ini, or
#                   /usr/share/doc/ossec-nagios/examples/ossec-nagios.ini)
#   --destdir DIR   stage into DIR (also $DESTDIR); no ownership changes
#                   unless run as root, no registration
#   --group NAME    group owning the files
#   --link NAME     integration link name (default custom-nagios)
#   --wazuh5        the tree is a Wazuh 5 agent (/var/ossec, group wazuh): no
#                   integrations link (5.x has no integratord); the next
#                   steps are those of gen wazuh5. A Wazuh 5 manager tree
#                   (/var/wazuh-manager) is refused: it runs no active response.
#   --no-register   do not record the tree for package upgrades
#   -n, --dry-run   print what would be done
#   -h, --help
set -eu

prog=${0##*/}
OSSEC_DIR=
BINARY=
INI=
GROUP=
LINK=custom-nagios
WAZUH5=
MODE=install
ALL=
REGISTER=auto
DRY=
DESTDIR=${DESTDIR:-}
REGISTRY=${OSSEC_NAGIOS_REGISTRY:-/var/lib/ossec-nagios/roots}

say() { printf '%s\n' "$*"; }
die() { printf '%s: error: %s\n' "$prog" "$*" >&2; exit 1; }
usage() { sed -n '2,/^set -eu/{/^set -eu/d;s/^# \{0,1\}//;p}' "$0"; }
run() {
	if [ -n "$DRY" ]; then say "would run: $*"; else "$@"; fi
}

while [ $# -gt 0 ]; do
	case $1 in
	--binary) [ $# -ge 2 ] || die "$1 needs a value"; BINARY=$2; shift 2 ;;
	--binary=*) BINARY=${1#*=}; shift ;;
	--ini) [ $# -ge 2 ] || die "$1 needs a value"; INI=$2; shift 2 ;;
	--ini=*) INI=${1#*=}; shift ;;
	--destdir) [ $# -ge 2 ] || die "$1 needs a value"; DESTDIR=$2; shift 2 ;;
	--destdir=*) DESTDIR=${1#*=}; shift ;;
	--group) [ $# -ge 2 ] || die "$1 needs a value"; GROUP=$2; shift 2 ;;
	--group=*) GROUP=${1#*=}; shift ;;
	--link) [ $# -ge 2 ] || die "$1 needs a value"; LINK=$2; shift 2 ;;
	--link=*) LINK=${1#*=}; shift ;;
	--uninstall | -u) MODE=uninstall; shift ;;
	--refresh) ALL=1; shift ;;
	--all) ALL=1; shift ;;
	--no-register) REGISTER=no; shift ;;
	--wazuh5) WAZUH5=1; shift ;;
	-n | --dry-run) DRY=1; shift ;;
	-h | --help) usage; exit 0 ;;
	--) shift; break ;;
	-*) die "unknown option $1 (see $prog --help)" ;;
	*) break ;;
	esac
done
[ $# -le 1 ] || die "one OSSEC directory at most, got: $*"
OSSEC_DIR=${1:-/var/ossec}
case $OSSEC_DIR in
/*) ;;
*) die "the OSSEC directory must be absolute: $OSSEC_DIR" ;;
esac
OSSEC_DIR=${OSSEC_DIR%/}
[ -n "$OSSEC_DIR" ] || die "refusing to install into /"
case $LINK in
custom-*) ;;
*) die "--link must start with custom- (integratord only runs custom-* integrations): $LINK" ;;
esac

# Where the files to install come from: this source tree, or the package.
here=$(cd "$(dirname "$0")" && pwd)
if [ -f "$here/../../go.mod" ] && [ -f "$here/../ossec-nagios.ini" ]; then
	src=$(cd "$here/../.." && pwd)
	: "${BINARY:=$src/bin/ossec-nagios}"
	: "${INI:=$src/contrib/ossec-nagios.ini}"
	[ "$REGISTER" = auto ] && REGISTER=no
else
	: "${BINARY:=/usr/bin/ossec-nagios}"
	: "${INI:=/usr/share/doc/ossec-nagios/examples/ossec-nagios.ini}"
	[ "$REGISTER" = auto ] && REGISTER=yes
fi
[ -z "$DESTDIR" ] || REGISTER=no

amroot=no
[ "$(id -u)" = 0 ] && amroot=yes

# find_group prints the group owning an OSSEC tree.
find_group() {
	if [ -n "$GROUP" ]; then
		getent group "$GROUP" >/dev/null 2>&1 || [ -n "$DESTDIR" ] || die "no such group: $GROUP"
		say "$GROUP"
		return
	fi
	for d in "$1/active-response/bin" "$1/etc" "$1"; do
		if [ -e "$d" ]; then
			g=$(stat -c %G "$d" 2>/dev/null || true)
			case $g in ossec | wazuh) say "$g"; return ;; esac
		fi
	done
	for g in ossec wazuh; do
		if getent group "$g" >/dev/null 2>&1; then say "$g"; return; fi
	done
	say root
}

# own GROUP MODE PATH... sets root:GROUP and MODE (ownership only as root).
own() {
	g=$1 m=$2
	shift 2
	run chmod "$m" "$@"
	if [ "$amroot" = yes ]; then run chown -h "root:$g" "$@"; fi
}

# mkdir_own GROUP MODE DIR creates DIR (and parents) if missing; an existing
# directory keeps its owner and mode (it is OSSEC's).
mkdir_own() {
	if [ ! -d "$3" ]; then
		run mkdir -p "$3"
		own "$1" "$2" "$3"
		say "created $3 (root:$1 $2)"
	fi
}

register() {
	[ "$REGISTER" = yes ] || return 0
	[ -z "$DRY" ] || return 0
	mkdir -p "$(dirname "$REGISTRY")"
	touch "$REGISTRY"
	grep -qxF "$1" "$REGISTRY" || printf '%s\n' "$1" >>"$REGISTRY"
}

deregister() {
	[ -f "$REGISTRY" ] && [ -z "$DRY" ] || return 0
	grep -vxF "$1" "$REGISTRY" >"$REGISTRY.tmp" || true
	mv -f "$REGISTRY.tmp" "$REGISTRY"
}

do_install() {
	root=$DESTDIR$1
	if [ -z "$DESTDIR" ] && [ ! -d "$root" ]; then
		die "no OSSEC installation at $root (give the directory, e.g. make install OSSEC=/var/ossec)"
	fi
	if [ -e "$root/bin/wazuh-manager-analysisd" ] || [ -e "$root/bin/wazuh-manager-control" ]; then
		die "$root is a Wazuh 5 manager: it runs no active response; install on the 5.x agent that runs the Active response channel (ossec-nagios gen wazuh5)"
	fi
	[ -f "$BINARY" ] || die "no binary at $BINARY (run make build first)"
	[ -x "$BINARY" ] || die "$BINARY is not executable"
	grp=$(find_group "$root")
	say "installing ossec-nagios into $root (group $grp)"

	bindir=$root/active-response/bin
	mkdir_own "$grp" 0750 "$root/active-response"
	mkdir_own "$grp" 0750 "$bindir"
	# Copy beside the target, then rename: execd may be running the old one.
	tmp=$bindir/.ossec-nagios.new.$$
	run cp "$BINARY" "$tmp"
	own "$grp" 0750 "$tmp"
	run mv -f "$tmp" "$bindir/ossec-nagios"
	say "installed $bindir/ossec-nagios (root:$grp 0750)"

	intdir=$root/integrations
	target=../active-response/bin/ossec-nagios
	if [ -n "$WAZUH5" ]; then
		say "no $intdir/$LINK: Wazuh 5 has no integratord"
	else
		mkdir_own "$grp" 0750 "$intdir"
		if [ -L "$intdir/$LINK" ] && [ "$(readlink "$intdir/$LINK")" = "$target" ]; then
			say "kept $intdir/$LINK -> $target"
		else
			if [ -e "$intdir/$LINK" ] || [ -L "$intdir/$LINK" ]; then
				if [ -d "$intdir/$LINK" ] && [ ! -L "$intdir/$LINK" ]; then
					die "$intdir/$LINK is a directory; move it away first"
				fi
				say "replacing $intdir/$LINK with a link to the installed binary"
			fi
			run ln -sfn "$target" "$intdir/$LINK"
			if [ "$amroot" = yes ]; then run chown -h "root:$grp" "$intdir/$LINK"; fi
			say "linked $intdir/$LINK -> $target"
		fi
	fi

	etcdir=$root/etc
	mkdir_own "$grp" 0770 "$etcdir"
	ini=$etcdir/ossec-nagios.ini
	if [ -e "$ini" ] || [ -L "$ini" ]; then
		say "kept your $ini (not overwritten; the example is $INI)"
	elif [ -f "$INI" ]; then
		run cp "$INI" "$ini.new.$$"
		own "$grp" 0640 "$ini.new.$$"
		run mv -f "$ini.new.$$" "$ini"
		say "installed the example $ini (root:$grp 0640): edit [nsca] server and password"
	else
		say "warning: no example INI at $INI; write $ini yourself (root:$grp 0640)"
	fi

	mkdir_own "$grp" 0750 "$root/var"
	statedir=$root/var/ossec-nagios
	for d in "$statedir" "$statedir/spool"; do
		if [ -d "$d" ]; then
			own "$grp" 0770 "$d"
		else
			run mkdir -p "$d"
			own "$grp" 0770 "$d"
		fi
	done
	say "spool $statedir/spool (root:$grp 0770)"

	register "$1"
	if [ -n "$WAZUH5" ] && [ -z "$DRY" ] && [ -z "$ALL" ]; then
		cat <<EOF
next steps (Wazuh 5 agent):
  $bindir/ossec-nagios check-config
  $bindir/ossec-nagios gen wazuh5         (the Active response channel and monitor to create)
  $bindir/ossec-nagios gen nagios         (or gen icinga2, for the monitoring side)
EOF
	elif [ -z "$DESTDIR" ] && [ -z "$DRY" ] && [ -z "$ALL" ]; then
		cat <<EOF
next steps:
  $bindir/ossec-nagios check-config
  $bindir/ossec-nagios gen ossec-conf     (add the blocks to $root/etc/ossec.conf)
  $bindir/ossec-nagios gen nagios         (or gen icinga2, for the monitoring side)
  then restart OSSEC/Wazuh
EOF
	fi
}

do_uninstall() {
	root=$DESTDIR$1
	[ -d "$root" ] || die "no OSSEC installation at $root"
	bin=$root/active-response/bin/ossec-nagios
	link=$root/integrations/$LINK
	if [ -L "$link" ] && [ "$(readlink "$link")" = ../active-response/bin/ossec-nagios ]; then
		run rm -f "$link"
		say "removed $link"
	elif [ -e "$link" ] || [ -L "$link" ]; then
		say "left $link alone: it is not the link this installer makes"
	fi
	if [ -e "$bin" ] || [ -L "$bin" ]; then
		run rm -f "$bin"
		say "removed $bin"
	else
		say "no $bin to remove"
	fi
	[ -e "$root/etc/ossec-nagios.ini" ] && say "kept your config $root/etc/ossec-nagios.ini"
	[ -d "$root/var/ossec-nagios" ] && say "kept $root/var/ossec-nagios (spool and state: results not yet delivered live there)"
	say "remove the ossec-nagios <command>, <active-response> and <integration> blocks from $root/etc/ossec.conf, then restart OSSEC/Wazuh"
	deregister "$1"
}

# do_all runs MODE on every tree this helper installed into and that still
# has the binary: the Debian package's postinst refreshes them on upgrade,
# its prerm uninstalls them on removal.
do_all() {
	[ -f "$REGISTRY" ] || return 0
	while IFS= read -r r <&3; do
		[ -n "$r" ] || continue
		if [ -f "$r/active-response/bin/ossec-nagios" ]; then
			"do_$MODE" "$r"
		elif [ "$MODE" = uninstall ]; then
			deregister "$r"
		fi
	done 3<"$REGISTRY"
}

if [ -n "$ALL" ]; then
	[ $# -eq 0 ] || die "--all takes no directory"
	do_all
else
	"do_$MODE" "$OSSEC_DIR"
fi
