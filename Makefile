# Two entry points: `make run` starts the bot, `make test` runs the whole suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: run test lint check eval bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

# The test suite runs the voice-note tests too, so it installs the voice extra.
$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,voice]'
	touch $@ $(VENV)/.installed $(VENV)/.installed-voice

$(VENV)/.installed-voice: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[voice]'
	touch $@ $(VENV)/.installed

# VOICE=on (environment, make's command line or .env) makes `make run` install the voice extra.
VOICE ?= $(shell sed -n 's/^[[:space:]]*VOICE[[:space:]]*=[[:space:]]*//p' .env 2>/dev/null | tail -n 1)

## Start the bot: Telegram when TELEGRAM_BOT_TOKEN is set (environment or .env), else the terminal chat.
run: $(VENV)/.installed $(if $(filter on ON On,$(strip $(VOICE))),$(VENV)/.installed-voice)
	$(BIN)/sciatica-bot run --chat-without-token

## Run the whole test suite, plus lint, the type check and the content check.
test: $(VENV)/.installed-test
	$(BIN)/ruff check bench bot tests
	$(BIN)/mypy
	$(BIN)/sciatica-bot check
	$(BIN)/python -m pytest -q

lint: $(VENV)/.installed-test
	$(BIN)/ruff check bench bot tests
	$(BIN)/ruff format --check bench bot tests
	$(BIN)/mypy

check: $(VENV)/.installed
	$(BIN)/sciatica-bot check

eval: $(VENV)/.installed
	$(BIN)/sciatica-bot eval tests/data/questions.yml

$(VENV)/.installed-bench: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	touch $@ $(VENV)/.installed

## Accuracy against baselines, matcher latency at 1x/10x/100x, pipeline throughput -> bench/RESULTS.md
bench: $(VENV)/.installed-bench $(VENV)/.installed-test
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache build *.egg-info
