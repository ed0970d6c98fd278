"""Sample Moroccan outlets served on this machine for the demo, the tests and the benchmarks (see publisher.py)."""
