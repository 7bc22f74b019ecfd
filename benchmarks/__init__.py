"""Measurements of newsclean against baselines; run as modules, e.g. ``python -m benchmarks.wcxb``.

Not part of the installed package: benchmarks read ``../shared/data`` and may be slow.
"""
