# 承诺通 — two commands: `make run` (portal with demo data) and `make test`.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test lint bench faults system-packages browser messages clean

install: $(STAMP) system-packages

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

# Debian's Chromium for the browser tests (Playwright drives it; it downloads no browser).
browser:
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    (apt-get install -y -q chromium || (apt-get update -q && apt-get install -y -q chromium)) >/dev/null; \
	  else echo "浏览器测试需要 Chromium：sudo apt-get install -y chromium（未安装时这些测试会跳过）"; fi; }

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo ""
	@echo "承诺通已启动：http://$(HOST):$(PORT)/   （Ctrl+C 停止；Celery worker 和 beat 同时运行）"
	@trap 'kill 0' EXIT INT TERM; \
	$(BIN)/celery -A portal worker --beat --loglevel=WARNING --concurrency=2 & \
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/lint-imports

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
