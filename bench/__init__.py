"""The benchmark of the release pipeline; run it as `python bench/run.py` (see run.py)."""
