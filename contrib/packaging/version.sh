#!/bin/sh
# Print the Debian package version of the checked-out tree, from git:
#   tag v1.2.3 exactly        -> 1.2.3
#   5 commits after v1.2.3    -> 1.2.3+git5.abc1234
#   no release tag yet        -> 0.0.0~git20261123085607.abc1234
#                                (commit time UTC, so versions sort in time)
# with "+dirty" appended when the work tree has changes. Outside git: 0.0.0~dev.
set -eu
cd "$(dirname "$0")"
if ! git rev-parse --git-dir >/dev/null 2>&1; then
	echo 0.0.0~dev
	exit 0
fi
sha=$(git rev-parse --short=7 HEAD)
dirty=
if ! git diff --quiet HEAD -- 2>/dev/null; then dirty=+dirty; fi
if d=$(git describe --tags --long --match 'v[0-9]*' 2>/dev/null); then
	# v1.2.3-5-gabc1234 (the tag itself may contain dashes: v1.2.3-rc1)
	n=$(printf '%s\n' "$d" | sed 's/.*-\([0-9][0-9]*\)-g[0-9a-f]*$/\1/')
	tag=$(printf '%s\n' "$d" | sed 's/-[0-9][0-9]*-g[0-9a-f]*$//; s/^v//; s/-/~/g')
	if [ "$n" = 0 ]; then
		v=$tag
	else
		v=$tag+git$n.$sha
	fi
	[ -z "$dirty" ] || { case $v in *+*) v=$v.dirty ;; *) v=$v$dirty ;; esac; }
else
	when=$(TZ=UTC git log -1 --format=%cd --date=format-local:%Y%m%d%H%M%S)
	v=0.0.0~git$when.$sha$dirty
fi
printf '%s\n' "$v"
