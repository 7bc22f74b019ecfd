"""newsclean: news pages in, clean articles and analysis-ready Parquet datasets out.

The package tree is the pipeline::

    scraper/  ->  cleaners/  ->  output/
       ^             ^             ^
       +------ pipeline/ (config, run loop, state, CLI) ------+

Dependencies point one way: ``scraper`` <- ``cleaners`` <- ``output`` <- ``pipeline``.
"""

from __future__ import annotations

__version__ = "0.1.0"
