# Shortcuts; each is also a plain command in the README.
UV := python3 -m uv

.PHONY: demo test lint format bench
demo:        ## consult a bundled example
	$(UV) run lumbar consult examples/strained_muscle.yaml
test:        ## everything CI runs (ruff included)
	$(UV) run --locked pytest
lint:
	$(UV) run ruff check . && $(UV) run ruff format --check .
format:
	$(UV) run ruff check --fix . && $(UV) run ruff format .
bench:       ## figures, not assertions: medians and ratios
	$(UV) run python bench/bench.py
