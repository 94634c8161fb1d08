#!/bin/sh
# contrib/bootstrap.sh: make a Debian 12 machine ready to build, demo and
# test ossec-nagios. It is the first half of the README's first command
# (`sh contrib/bootstrap.sh && make demo`) and what .ci/run runs before
# `make test`.
#
#  1. The Debian packages the demo and the tests use (nsca, send_nsca,
#     nagios4 with the stock configuration, check_dummy, icinga2, make,
#     git, ca-certificates), installed with apt-get only when one is
#     missing.
#  2. Go 1.26 or newer. A go on PATH, or one in the prefix (default
#     /usr/local/go), that is new enough is used as it is and never
#     touched. Otherwise Go GO_WANT (below: 1.26.8) is fetched through the
#     Go module proxy (GOPROXY, default proxy.golang.org) as the module
#     golang.org/toolchain@v0.0.1-goGO_WANT.linux-ARCH, the way
#     `GOTOOLCHAIN=goGO_WANT` fetches it, with an old go only as the
#     downloader (Debian's golang-go, 1.19, installed if need be), and
#     installed in the prefix, replacing an older Go there. The Makefile
#     finds it there (`sh contrib/bootstrap.sh -which`), so `make demo`
#     and `make test` work without changing PATH.
#
# Run it as root, or as a user with sudo (used only for apt-get and for
# writing the prefix). Nothing but apt's mirrors and the Go module proxy
# needs to be reachable.
#
# Flags:
#   -which          print the go that make uses (a go >= 1.26 on PATH,
#                   else PREFIX/bin/go if new enough), exit 1 if none
#   -no-packages    skip the Debian packages (step 1)
#   -prefix DIR     install Go in DIR (default /usr/local/go)
#   -downloader GO  the go that downloads the toolchain module (default:
#                   /usr/lib/go/bin/go, from Debian's golang-go)
#   -modcache DIR   keep the downloaded module in DIR (default: a temporary
#                   directory, removed at the end)
set -eu

GO_WANT=1.26.8 # the release installed when none is new enough
GO_MIN=1.26    # go.mod's go line
PACKAGES="make git ca-certificates nsca nsca-client nagios4-core monitoring-plugins-basic icinga2-bin icinga2-common"

prefix=/usr/local/go
downloader=
modcache=
packages=1
which_only=0
while [ $# -gt 0 ]; do
	case $1 in
	-which) which_only=1 ;;
	-no-packages) packages=0 ;;
	-prefix) prefix=${2:?-prefix needs a directory}; shift ;;
	-downloader) downloader=${2:?-downloader needs a go binary}; shift ;;
	-modcache) modcache=${2:?-modcache needs a directory}; shift ;;
	-h | -help | --help) sed -n '2,/^set -eu/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "bootstrap: unknown flag $1 (see -h)" >&2; exit 2 ;;
	esac
	shift
done
case $prefix in /*) ;; *) echo "bootstrap: -prefix must be an absolute path, not $prefix" >&2; exit 2 ;; esac

say() { printf 'bootstrap: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

# goversion GO: the version (go1.26.8) of the go binary GO, asked outside
# any module with toolchain switching off, so that asking downloads nothing.
goversion() {
	(cd / && GOTOOLCHAIN=local GOFLAGS= "$1" env GOVERSION) 2>/dev/null | grep -E '^go[0-9]' || return 1
}
# newenough VERSION: VERSION (go1.26.8) is GO_MIN or newer.
newenough() {
	[ "$(printf '%s\n' "go$GO_MIN" "$1" | sort -V | head -n1)" = "go$GO_MIN" ]
}
# usable_go: print the go to build with, or fail.
usable_go() {
	g=$(command -v go 2>/dev/null) || g=
	if [ -n "$g" ] && v=$(goversion "$g") && newenough "$v"; then
		echo "$g"
		return 0
	fi
	if [ -x "$prefix/bin/go" ] && v=$(goversion "$prefix/bin/go") && newenough "$v"; then
		echo "$prefix/bin/go"
		return 0
	fi
	return 1
}

if [ "$which_only" = 1 ]; then
	usable_go
	exit
fi

# as_root CMD...: run CMD as root (directly, or through sudo).
as_root() {
	if [ "$(id -u)" = 0 ]; then
		"$@"
	elif command -v sudo >/dev/null 2>&1; then
		sudo "$@"
	else
		die "$1 needs root: run this script as root, or install sudo"
	fi
}
apt_updated=0
apt_install() {
	if [ "$apt_updated" = 0 ]; then
		as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
		apt_updated=1
	fi
	say "apt-get install $*"
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@"
}
missing_packages() {
	for p in "$@"; do
		[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" = "install ok installed" ] || printf '%s ' "$p"
	done
}

# 1. Debian packages. The packages may start their own system daemons; the
#    demo and the tests use their own ports and files and leave them alone.
if [ "$packages" = 1 ]; then
	command -v dpkg-query >/dev/null 2>&1 || die "no dpkg-query: this script knows Debian only; install by hand: $PACKAGES"
	missing=$(missing_packages $PACKAGES)
	if [ -n "$missing" ]; then
		# shellcheck disable=SC2086 # a list of package names
		apt_install $missing
	else
		say "Debian packages: all present"
	fi
fi

# 2. Go.
if g=$(usable_go); then
	say "Go: $g ($(goversion "$g")) is new enough; nothing to install"
	exit 0
fi
if g=$(command -v go 2>/dev/null); then
	say "Go: $g is $(goversion "$g" || echo 'not runnable'), older than $GO_MIN; installing Go $GO_WANT in $prefix"
else
	say "Go: none on PATH or in $prefix; installing Go $GO_WANT in $prefix"
fi
if [ -e "$prefix" ] && [ ! -x "$prefix/bin/go" ] && [ -n "$(ls -A "$prefix" 2>/dev/null)" ]; then
	die "$prefix exists and holds no Go: move it away or choose another -prefix"
fi

if [ -z "$downloader" ]; then
	downloader=/usr/lib/go/bin/go
	[ -x "$downloader" ] || apt_install golang-go
fi
case $downloader in /*) ;; *) downloader=$(command -v "$downloader") || die "no downloader go found" ;; esac
dlversion=$(goversion "$downloader") || die "the downloader $downloader does not run"

arch=$(dpkg --print-architecture 2>/dev/null || uname -m)
case $arch in
amd64 | x86_64) arch=amd64 ;;
arm64 | aarch64) arch=arm64 ;;
armhf | armv7l | armv6l) arch=armv6l ;;
i386 | i686) arch=386 ;;
ppc64el | ppc64le) arch=ppc64le ;;
s390x | riscv64 | loong64) ;;
*) die "no Go toolchain known for the architecture $arch" ;;
esac
mod=golang.org/toolchain@v0.0.1-go$GO_WANT.linux-$arch

tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
[ -n "$modcache" ] || modcache=$tmp/modcache
mkdir -p "$modcache" "$tmp/gopath" "$tmp/cache"
say "fetching $mod through ${GOPROXY:-https://proxy.golang.org} with $downloader ($dlversion), about 70 MB"
# -modcacherw: the module cache can be removed without chmod. The
# checksum database is reached through the proxy as well.
json=$(cd "$tmp" && GOTOOLCHAIN=local GOFLAGS=-modcacherw GO111MODULE=on \
	GOMODCACHE="$modcache" GOPATH="$tmp/gopath" GOCACHE="$tmp/cache" \
	"$downloader" mod download -json "$mod") || {
	printf '%s\n' "$json" | sed -n 's/^[[:space:]]*"Error": "\(.*\)",\{0,1\}$/\1/p' >&2
	die "could not fetch $mod through the Go module proxy"
}
dir=$(printf '%s\n' "$json" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
[ -n "$dir" ] && [ -f "$dir/bin/go" ] || die "the module $mod holds no bin/go (dir ${dir:-none})"

# Copy into PREFIX.new, then swap: a failed copy leaves the old tree. A
# module zip keeps no file modes: the tools get their execute bit back, as
# GOTOOLCHAIN switching does.
sudo_if=
if ! mkdir -p "$(dirname "$prefix")" 2>/dev/null || [ ! -w "$(dirname "$prefix")" ]; then
	sudo_if=as_root
fi
$sudo_if rm -rf "$prefix.new" "$prefix.old"
$sudo_if cp -R "$dir" "$prefix.new"
$sudo_if chmod -R u+w,a+rX "$prefix.new"
$sudo_if sh -c 'chmod a+x "$1"/bin/* "$1"/pkg/tool/*/*' sh "$prefix.new"
if [ -e "$prefix" ]; then $sudo_if mv "$prefix" "$prefix.old"; fi
$sudo_if mv "$prefix.new" "$prefix"
$sudo_if rm -rf "$prefix.old"

v=$(goversion "$prefix/bin/go") || die "the installed $prefix/bin/go does not run"
[ "$v" = "go$GO_WANT" ] || die "the installed $prefix/bin/go says $v, not go$GO_WANT"
say "Go: installed $prefix/bin/go ($v); make uses it. To use it yourself: export PATH=$prefix/bin:\$PATH"
