# Packaging targets, included from the Makefile (`include packaging.mk`):
#
#   make install OSSEC=/var/ossec    binary, custom-nagios link, example INI
#                                    (only if none), spool; DESTDIR= stages
#   make install WAZUH5=1            on a Wazuh 5 agent (/var/ossec, group
#                                    wazuh): no integrations link
#   make uninstall OSSEC=/var/ossec  binary and link; keeps INI and spool
#   make man                         dist/man/*.gz from the binary's own help
#   make deb                         dist/ossec-nagios_VERSION_ARCH.deb (nfpm)
#   make test-package                build the .deb, install it with dpkg,
#                                    check it, remove it (root, Debian)
#   make test-package-if-root        test-package when root with dpkg, else
#                                    say why not (part of make test)
#
# The logic lives in contrib/packaging/ and contrib/man/, so it is testable
# and shipped: install.sh is /usr/sbin/ossec-nagios-install in the package.

# Included before the Makefile's first target, this file must not steal the
# default goal.
ifeq ($(.DEFAULT_GOAL),)
.DEFAULT_GOAL := all
endif

GO      ?= go
BIN     ?= bin/ossec-nagios
OSSEC   ?= /var/ossec
DESTDIR ?=

# nfpm runs through the Go module proxy (no go.mod change). v2.46.0 and later
# need go.digitalxero.dev modules that the proxy here refuses (403), so the
# newest version that builds is pinned.
NFPM_VERSION   ?= v2.45.2
NFPM           ?= $(GO) run github.com/goreleaser/nfpm/v2/cmd/nfpm@$(NFPM_VERSION)
PKG_VERSION    ?= $(shell sh contrib/packaging/version.sh)
PKG_ARCH       ?= $(shell $(GO) env GOARCH | sed 's/^386$$/i386/; s/^arm$$/armhf/')
PKG_MAINTAINER ?= ossec-nagios developers <ossec-nagios@users.noreply.github.com>
DEB            ?= dist/ossec-nagios_$(PKG_VERSION)_$(PKG_ARCH).deb
# Reproducible man page dates and package mtimes: the last commit's time.
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || date +%s)
export SOURCE_DATE_EPOCH

.PHONY: install uninstall man deb test-package test-package-if-root

install:
	@test -x $(BIN) || $(MAKE) build
	sh contrib/packaging/install.sh --binary $(BIN) --ini contrib/ossec-nagios.ini \
	  $(if $(DESTDIR),--destdir '$(DESTDIR)') $(if $(WAZUH5),--wazuh5) '$(OSSEC)'

uninstall:
	sh contrib/packaging/install.sh --uninstall $(if $(DESTDIR),--destdir '$(DESTDIR)') '$(OSSEC)'

man: build
	@mkdir -p dist/man
	sh contrib/man/gen-man.sh $(BIN) > dist/man/ossec-nagios.1.tmp
	gzip -9n < dist/man/ossec-nagios.1.tmp > dist/man/ossec-nagios.1.gz
	gzip -9n < contrib/man/ossec-nagios-install.8 > dist/man/ossec-nagios-install.8.gz
	@rm -f dist/man/ossec-nagios.1.tmp

deb: build man
	@mkdir -p dist
	PKG_VERSION='$(PKG_VERSION)' PKG_ARCH='$(PKG_ARCH)' PKG_MAINTAINER='$(PKG_MAINTAINER)' \
	  $(NFPM) pkg --packager deb --config contrib/packaging/nfpm.yaml --target '$(DEB)'
	@ls -l '$(DEB)'

test-package: deb
	DEB='$(DEB)' PKG_VERSION='$(PKG_VERSION)' COMMIT='$(COMMIT)' bash contrib/packaging/test-package.sh

# In CI (CI=true) the package test must run, so there a missing dpkg or
# root is a failure; elsewhere it is skipped with the reason.
test-package-if-root:
	@why=; \
	if [ "$$(id -u)" != 0 ]; then why="not root"; \
	elif ! command -v dpkg >/dev/null 2>&1; then why="no dpkg (not Debian)"; fi; \
	if [ -z "$$why" ]; then $(MAKE) --no-print-directory test-package; \
	elif [ "$${CI:-}" = true ]; then echo "test-package: cannot run ($$why), and CI=true"; exit 1; \
	else echo "test-package: skipped ($$why); run make test-package as root on Debian"; fi
