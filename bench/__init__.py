"""Benchmarks of the warehouse against plain DuckDB doing the same work (`python3 tasks.py
bench`). Every figure is the median of several runs on one machine, with the peak memory
of the whole process tree."""
