# 承诺通 — two commands: `make run` (portal with demo data) and `make test`.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run otp test lint audit bench faults system-packages browser messages clean

install: $(STAMP) system-packages
	$(BIN)/python manage.py build_pdf_fonts
	$(BIN)/python manage.py seal_certificates --ca-only

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

# A CJK font and HarfBuzz subsetting for PDF letters (Debian packages). Installed when we are
# root with apt; otherwise we stop and print the one command that fixes it.
SYSTEM_PACKAGES := fonts-noto-cjk libharfbuzz-subset0
system-packages:
	@missing=""; \
	fc-list 2>/dev/null | grep -qiE 'Noto (Serif|Sans) CJK|WenQuanYi' || missing="$$missing fonts-noto-cjk"; \
	ldconfig -p 2>/dev/null | grep -q libharfbuzz-subset.so.0 || missing="$$missing libharfbuzz-subset0"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing system packages:$$missing"; \
	    (apt-get install -y -q $$missing || (apt-get update -q && apt-get install -y -q $$missing)) >/dev/null; \
	  else \
	    echo "缺少系统软件包:$$missing"; echo "请运行: sudo apt-get install -y$$missing"; exit 1; \
	  fi; \
	fi

# Debian's Chromium for the browser tests (Playwright drives it; it downloads no browser), and
# poppler's pdftotext and pdfsig, which the PDF tests read and check sealed letters with.
browser:
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    (apt-get install -y -q chromium || (apt-get update -q && apt-get install -y -q chromium)) >/dev/null; \
	  else echo "浏览器测试需要 Chromium：sudo apt-get install -y chromium（未安装时这些测试会跳过）"; fi; }
	@command -v pdftotext >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    (apt-get install -y -q poppler-utils || (apt-get update -q && apt-get install -y -q poppler-utils)) >/dev/null; \
	  else echo "PDF 文字检查需要 pdftotext：sudo apt-get install -y poppler-utils（未安装时这些检查会跳过）"; fi; }

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py seal_certificates
	@echo ""
	@echo "承诺通已启动：http://$(HOST):$(PORT)/   （Ctrl+C 停止；Celery worker 和 beat 同时运行）"
	@# Ctrl+C reaches runserver; the trap then stops the worker (and beat) and waits for it. The trap
	@# clears itself first: a 'kill 0' would signal this shell too and re-fire the trap endlessly.
	@trap 'trap - EXIT INT TERM; kill -TERM $$worker 2>/dev/null; wait $$worker 2>/dev/null; echo "承诺通已停止。"' EXIT INT TERM; \
	$(BIN)/celery -A chengnuo worker --beat --loglevel=WARNING --concurrency=2 & worker=$$!; \
	$(BIN)/python manage.py runserver $(HOST):$(PORT); status=$$?; \
	exit $$([ $$status -eq 130 ] && echo 0 || echo $$status)

# The current 6-digit code of a demo two-factor account (DEBUG only): make otp LOGIN=credit
LOGIN ?= approver
otp:
	@$(BIN)/python manage.py demo_otp_code $(LOGIN)

# Static checks, then the security checks: bandit fails on a high-severity finding (.bandit);
# pip-audit runs when the advisory service answers and otherwise says it was skipped (docs/security.md).
lint: install
	$(BIN)/ruff check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/lint-imports
	$(BIN)/bandit --ini .bandit -lll --quiet
	@if $(BIN)/python -c "$$ADVISORY_PROBE"; then $(MAKE) --no-print-directory audit; \
	else echo "pip-audit skipped: no network (PyPI's vulnerability API is unreachable from here; docs/security.md)"; fi

# Known vulnerabilities in every installed package (pinned from the venv), from PyPI's advisory
# data. Needs the network; --strict fails when a package cannot be checked instead of passing it.
AUDIT_REQUIREMENTS := $(VENV)/audit-requirements.txt
audit: install
	$(BIN)/python -m pip freeze --exclude-editable > $(AUDIT_REQUIREMENTS)
	$(BIN)/pip-audit --strict --desc on --progress-spinner off --no-deps --disable-pip -r $(AUDIT_REQUIREMENTS)

# Exit 0 when PyPI's JSON API answers, within 5 seconds, what pip-audit asks: the vulnerabilities of one
# installed version (a mirror that serves only the project pages, as here, does not count).
define ADVISORY_PROBE
import json, sys, urllib.request
from importlib.metadata import version
try:
    with urllib.request.urlopen(f"https://pypi.org/pypi/pip/{version('pip')}/json", timeout=5) as answer:
        sys.exit(0 if "vulnerabilities" in json.load(answer) else 1)
except Exception:
    sys.exit(1)
endef
export ADVISORY_PROBE

test: install browser lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: install
	RUN_BENCH=1 $(BIN)/python -m pytest tests/bench -s -p no:cacheprovider $(PYTEST_ARGS)

faults: install
	@if [ -d tests/faults ]; then RUN_FAULTS=1 $(BIN)/python -m pytest tests/faults -s $(PYTEST_ARGS); \
	else echo "tests/faults: no fault scripts yet"; fi

messages: install
	$(BIN)/python manage.py makemessages -l en --ignore=.venv --ignore=var
	$(BIN)/python manage.py compilemessages --ignore=.venv

clean:
	rm -rf var/celery var/staticfiles .pytest_cache
