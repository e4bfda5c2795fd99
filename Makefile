# forkd: one non-recursive GNU Makefile.
#
#   make                 build/forkd, build/forkd-zygote and build/forkctl
#                        (against the newest CPython >= 3.11)
#   make PYTHON=/path/to/python3.X   build against that interpreter
#   make BUILD=dir       put everything under dir (the tests build one per Python)
#   make deps            install the Debian packages that are missing
#   make run             deps, build, serve examples/hello on 127.0.0.1:8000
#   make test            deps, build, unit tests, black-box tests on every CPython
#   make asan            the same under AddressSanitizer + UBSan
#   make bench-hello     forkd vs gunicorn on the hello app (bench/results/)
#   make bench-memory    forkd's seal modes vs gunicorn (with and without a seal
#                        hook) and uWSGI, Flask and Django, and the ablation
#   make bench-http      req/s and p99 vs gunicorn, uWSGI, and nginx as a ceiling;
#                        then behind nginx, upstream keep-alive on and off
#                        (HTTP_PARTS=direct or HTTP_PARTS=proxy: one of the two)

BUILD	?= build
ifeq ($(origin PYTHON), undefined)
PYTHON	:= $(shell scripts/find-python.sh --newest)
endif
PYTHON_EXE := $(shell readlink -f "$(PYTHON)" 2>/dev/null)
PYCONFIG   := $(shell scripts/find-python.sh --config "$(PYTHON)")
PY_INC	   := $(shell $(PYCONFIG) --includes 2>/dev/null)
# How to link libpython: scripts/find-python.sh --embed says (an rpath to
# where it lies, or a static libpython's exports) or why it cannot.
PY_EMBED   := $(shell scripts/find-python.sh --embed "$(PYTHON)" 2>/dev/null)

CC	?= cc
WARN	:= -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	   -Wpointer-arith
ifdef CI
WARN	+= -Werror
endif
OPT	?= -O2 -g
SAN	?=
CFLAGS	:= -std=gnu11 $(OPT) $(WARN) $(SAN) -D_GNU_SOURCE
CPPFLAGS := -Icommon -Iserver -Ihttp -Ipreload -Ipyhooks -MMD -MP
LDFLAGS	:= $(SAN)

COMMON	:= common/log.c common/proto.c common/proctitle.c \
	   common/cowkind.c common/objindex.c common/atomicfile.c \
	   common/json.c common/status.c common/accessfmt.c \
	   common/failmsg.c common/zygopts.c common/parkmsg.c
# forkd, the supervisor: never linked with Python nor with the HTTP engine.
SERVER	:= server/main.c server/config.c server/listen.c server/loop.c \
	   server/slots.c server/sv.c server/zyglink.c server/wstatus.c \
	   server/memstat.c server/cow.c server/cowmap.c server/cowreport.c \
	   server/cowtally.c server/cowfault.c server/admin.c \
	   server/admincmd.c server/park.c server/upgrade.c server/notify.c server/doctor.c server/zygfail.c server/zygready.c
# The workers' HTTP engine, linked into forkd-zygote (and the unit tests).
HTTP	:= http/http_parse.c http/http_resp.c http/http_conn.c \
	   http/http_util.c http/accesslog.c
PRELOAD	:= preload/main.c preload/zygote.c preload/worker.c preload/sandbox.c \
	   preload/seal.c preload/warmup.c preload/pack.c \
	   preload/py_embed.c preload/py_warmup.c preload/cowreg.c \
	   preload/ready.c
PYHOOKS	:= pyhooks/module.c pyhooks/wsgi.c pyhooks/walk.c \
	   pyhooks/immortal.c pyhooks/warmup.c pyhooks/bytecode.c \
	   pyhooks/pack.c pyhooks/holes.c pyhooks/watch.c pyhooks/arena.c \
	   pyhooks/cowindex.c

obj	= $(patsubst %.c,$(BUILD)/obj/%.o,$(1))

# Pure modules the C unit tests link against (no main, no Python).
UNITLIB	:= $(call obj,$(COMMON) $(HTTP) server/config.c server/listen.c \
	   server/loop.c server/admin.c \
	   server/wstatus.c server/sv.c server/memstat.c server/cowmap.c \
	   server/cowreport.c server/cowtally.c server/zygfail.c \
	   server/zygready.c)
UNITS	:= $(patsubst tests/%.c,$(BUILD)/tests/%,$(wildcard tests/t*.c))

all: $(BUILD)/forkd $(BUILD)/forkd-zygote $(BUILD)/forkctl

# The CPython boundary, enforced by the include path: only these objects
# can include <Python.h>.
$(BUILD)/obj/preload/py_%.o $(BUILD)/obj/pyhooks/%.o: \
	CPPFLAGS += $(PY_INC) -DFORKD_PYTHON='"$(PYTHON_EXE)"'

# A build directory remembers the interpreter it was built against, and
# what saw <Python.h> is rebuilt when that changes.
PYSTAMP	:= $(BUILD)/python.stamp
ifneq ($(MAKECMDGOALS),deps)
$(shell mkdir -p $(BUILD) && { [ "$$(cat $(PYSTAMP) 2>/dev/null)" = "$(PYTHON_EXE)" ] || echo "$(PYTHON_EXE)" > $(PYSTAMP); })
endif
$(call obj,$(filter preload/py_%,$(PRELOAD)) $(PYHOOKS)): $(PYSTAMP)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

# The supervisor never links libpython.
$(BUILD)/forkd: $(call obj,$(SERVER) $(COMMON))
	$(CC) $(LDFLAGS) -o $@ $^ -luring

# The admin socket's client (doc/admin.md).
$(BUILD)/forkctl: $(call obj,ctl/forkctl.c common/json.c)
	$(CC) $(LDFLAGS) -o $@ $^

$(BUILD)/forkd-zygote: $(call obj,$(PRELOAD) $(PYHOOKS) $(HTTP) $(COMMON))
	@test -n "$(PYCONFIG)" || { echo "no CPython >= 3.11 with headers found: run make deps" >&2; exit 100; }
	@test -n "$(PY_EMBED)" || { scripts/find-python.sh --embed "$(PYTHON)" >/dev/null; exit 100; }
	$(CC) $(LDFLAGS) -o $@ $^ $(PY_EMBED) -lseccomp

$(BUILD)/tests/%: tests/%.c $(UNITLIB)
	@mkdir -p $(@D) $(BUILD)/obj/tests
	$(CC) $(CPPFLAGS) -MF $(BUILD)/obj/tests/$*.d -Itests $(CFLAGS) $(LDFLAGS) -o $@ $< $(UNITLIB) -luring

units: $(UNITS)

deps:
	@scripts/deps.sh

run: deps all
	@echo "forkd: serving examples/hello at http://127.0.0.1:8000/ (Ctrl-C stops)"
	$(BUILD)/forkd --app app:app --chdir examples/hello -w 2 -b 127.0.0.1:8000

test: deps
	@scripts/run-tests.sh

asan:
	@FORKD_ASAN=1 scripts/run-tests.sh

# libFuzzer over the request parser and the chunked decoder, for
# FUZZ_SECONDS (fuzz/README.md).  Needs clang; the corpus grows in
# $(BUILD)/fuzz/corpus, a crashing input is saved as $(BUILD)/fuzz/crash-*.
FUZZ_SECONDS	?= 60
FUZZ_CC		?= clang

$(BUILD)/fuzz/http_parse_fuzz: fuzz/http_parse_fuzz.c http/http_parse.c \
	    http/http_parse.h
	@mkdir -p $(@D)
	$(FUZZ_CC) -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined \
	    -fno-sanitize-recover=all $(WARN) -D_GNU_SOURCE -Ihttp \
	    -o $@ fuzz/http_parse_fuzz.c http/http_parse.c

fuzz: $(BUILD)/fuzz/http_parse_fuzz
	@mkdir -p $(BUILD)/fuzz/corpus
	$(BUILD)/fuzz/http_parse_fuzz -max_total_time=$(FUZZ_SECONDS) \
	    -timeout=10 -print_final_stats=1 -artifact_prefix=$(BUILD)/fuzz/ \
	    $(BUILD)/fuzz/corpus fuzz/seeds

# Benchmarks: by hand, not tests.  Results land in bench/results/.
bench-hello: deps
	bench/hello.sh

bench-memory: deps
	bench/memory.sh

HTTP_PARTS ?= direct proxy
bench-http: deps
	bench/http.sh -p "$(HTTP_PARTS)"

# Installs like a system program: PREFIX (/usr/local) and DESTDIR as
# usual.  forkd finds forkd-zygote beside itself; the units' paths are
# rewritten to PREFIX.
PREFIX	?= /usr/local
BINDIR	 = $(DESTDIR)$(PREFIX)/bin
UNITDIR	 = $(DESTDIR)$(PREFIX)/lib/systemd/system
MANDIR	 = $(DESTDIR)$(PREFIX)/share/man/man1
DOCDIR	 = $(DESTDIR)$(PREFIX)/share/doc/forkd

install: all
	install -d $(BINDIR) $(UNITDIR) $(MANDIR) $(DOCDIR)
	install -m 0755 $(BUILD)/forkd $(BUILD)/forkd-zygote $(BUILD)/forkctl \
	    $(BINDIR)/
	for u in forkd@.service forkd@.socket; do \
		sed 's|/usr/local/bin/|$(PREFIX)/bin/|g' systemd/$$u > \
		    $(UNITDIR)/$$u && chmod 0644 $(UNITDIR)/$$u || exit 1; \
	done
	install -m 0644 doc/man/forkd.1 doc/man/forkctl.1 $(MANDIR)/
	install -m 0644 systemd/forkd.env.example doc/deploy.md $(DOCDIR)/

uninstall:
	rm -f $(BINDIR)/forkd $(BINDIR)/forkd-zygote $(BINDIR)/forkctl \
	    $(UNITDIR)/forkd@.service $(UNITDIR)/forkd@.socket \
	    $(MANDIR)/forkd.1 $(MANDIR)/forkctl.1 \
	    $(DOCDIR)/forkd.env.example $(DOCDIR)/deploy.md
	-rmdir $(DOCDIR) 2>/dev/null

clean:
	rm -rf build

.PHONY: all units deps run test asan fuzz clean bench-hello bench-memory \
	install uninstall
-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
