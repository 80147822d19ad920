"""Benchmark harness: data generator (`python -m bench.generate`) and load runner (`python -m bench.run`)."""
