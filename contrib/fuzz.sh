#!/usr/bin/env bash
# contrib/fuzz.sh FUZZTIME: every fuzz target (func FuzzX in a _test.go) for
# FUZZTIME each, on top of its seed corpus; what `make fuzz` and `make test`
# run. Each package's test binary is built once, with the fuzzing
# instrumentation, and runs its targets one after the other in the
# package's directory; the corpus the fuzzer grows is kept where go test
# keeps it ($GOCACHE/fuzz).
#
# A crasher is written to the package's testdata/fuzz/FuzzX/ and fails the
# run: commit that file (go test then replays it every time) and add a
# named regression test for the bug.
#
# Go 1.26's fuzz coordinator can end a target that found nothing with
# "context deadline exceeded" when -fuzztime runs out while a worker is
# still busy, which happens on a loaded machine (go.dev/issue/75804, fixed
# in Go 1.27). That outcome is told apart from a finding: it wrote no new
# file under testdata/fuzz/FuzzX/ and printed nothing but the deadline.
# Such a target is run again, up to three runs in all (the race hit about
# one target run in 25 on a loaded 2-core machine); a third such end fails
# the run.
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZTIME=${1:-10s}
GO=${GO:-go}

bins=$(mktemp -d)
trap 'rm -rf "$bins"' EXIT
cache=$($GO env GOCACHE)/fuzz
start=$(date +%s)
n=0
flakes=0

# corpus DIR TARGET: the files of the target's committed corpus, one a line.
corpus() { ls -1 "$1/testdata/fuzz/$2" 2>/dev/null || true; }

# deadline_only LOG: the run failed only on the coordinator's deadline.
deadline_only() {
	grep -q '^    context deadline exceeded$' "$1" &&
		! grep -q -e 'Failing input written' -e 'panic:' -e '_test\.go:[0-9]*:' "$1"
}

for dir in $(grep -l '^func Fuzz' $(find . -name '*_test.go' -not -path './.git/*') | xargs -n1 dirname | sort -u); do
	bin=$bins/$(echo "${dir#./}" | tr / _).test
	$GO test -c -fuzz=. -o "$bin" "$dir"
	for t in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go | sed 's/^func //' | sort -u); do
		for try in 1 2 3; do
			echo "fuzz $dir $t for $FUZZTIME"
			before=$(corpus "$dir" "$t")
			log=$bins/log
			if (cd "$dir" && "$bin" -test.run='^$' -test.fuzz="^$t\$" -test.fuzztime="$FUZZTIME" -test.fuzzcachedir="$cache") 2>&1 | tee "$log"; then
				break
			fi
			if [ "$try" -lt 3 ] && [ "$(corpus "$dir" "$t")" = "$before" ] && deadline_only "$log"; then
				echo "fuzz: $t ended on the fuzz coordinator's deadline, no input written (go.dev/issue/75804); again"
				flakes=$((flakes + 1))
				continue
			fi
			echo "fuzz: $t in $dir failed; the crasher is in $dir/testdata/fuzz/$t/"
			exit 1
		done
		n=$((n + 1))
	done
done
echo "fuzz: $n targets, $FUZZTIME each, $(($(date +%s) - start)) s in all, $flakes re-run after the coordinator's deadline"
