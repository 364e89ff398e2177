# Shortcuts; each is also a plain command in the README.
UV := python3 -m uv

.PHONY: demo test quick lint format bench check diagrams explorer screenshot
demo:        ## consult a bundled example
	$(UV) run lumbar consult examples/strained_muscle.yaml
test:        ## everything CI runs (ruff included), on every core
	$(UV) run --locked pytest -n auto
quick:       ## the loop while editing: everything but the tests marked slow
	$(UV) run --locked pytest -n auto -m "not slow"
lint:
	$(UV) run ruff check . && $(UV) run ruff format --check .
format:
	$(UV) run ruff check --fix . && $(UV) run ruff format .
bench:       ## figures, not assertions: medians and ratios
	$(UV) run python bench/bench.py && $(UV) run python bench/interview.py
check:       ## the knowledge base: anomalies, examples (exit 1 on any problem)
	$(UV) run lumbar kb check
diagrams:    ## regenerate diagrams/ and schemas/ after a knowledge change (commit them)
	$(UV) run lumbar diagrams && $(UV) run lumbar kb schema
explorer:    ## the browsable explorer in out/explorer (open out/explorer/index.html)
	$(UV) run lumbar diagrams --html out/explorer
screenshot:  ## diagrams/explorer.png (needs Debian chromium + chromium-driver)
	$(UV) run python scripts/screenshot_explorer.py
