# Side-by-side benchmarks (included from the top-level Makefile). Not a test: never gates CI.
#   make bench                     full run, writes benchmarks/RESULTS.md and results.png
#   make bench BENCH_ARGS=--quick  smoke run (smaller T, fewer calls)
BENCH_ARGS ?=

.PHONY: bench bench-peers
bench-peers:
	bash benchmarks/setup_peers.sh

bench: .venv/.installed bench-peers
	.venv/bin/python benchmarks/run.py $(BENCH_ARGS)
