"""The sample publisher: local copies of Moroccan outlets for the demo, the tests and the benchmarks (see publisher.py)."""
