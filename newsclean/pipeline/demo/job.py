"""``newsclean demo``: serve the bundled site on 127.0.0.1 and run the real batch path on it."""

from __future__ import annotations

import errno
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from newsclean.pipeline.config import Config, load_config
from newsclean.pipeline.demo.server import DemoSite
from newsclean.pipeline.run import RunOptions, run
from newsclean.pipeline.summary import RunSummary

#: a fixed port keeps the site's URLs (and so the article ids) the same from one demo to the
#: next, which lets a second `newsclean demo` show an incremental run; 0 = any free port
DEMO_PORT: Final = 8765


@dataclass(frozen=True, slots=True)
class DemoOutcome:
    summary: RunSummary
    config_path: Path
    dataset: Path
    base_url: str


def demo_config_text(site: DemoSite) -> str:
    """A real config file for the demo site, the kind a user writes for their own sources."""
    return f"""\
# Written by `newsclean demo`: the bundled sample site at {site.base_url}
[output]
dataset = "dataset"

[fetch]
concurrency = 8
per_host_concurrency = 4
per_host_delay = 0.02        # seconds; be gentler with real sites (default 1.0)
timeout = 10.0               # the demo's slow page answers after a few seconds
max_retries = 2
allow_private_addresses = true   # the demo site runs on 127.0.0.1

[[sources]]
type = "feed"
name = "demo-feed"
url = "{site.home_url}"      # a homepage: the RSS feed is found by autodiscovery

[[sources]]
type = "robots"
name = "demo-sitemaps"
url = "{site.base_url}"      # follows the Sitemap: lines of robots.txt (a news sitemap)
"""


def start_site(slow_delay: float) -> DemoSite:
    site = DemoSite(slow_delay=slow_delay, port=DEMO_PORT)
    try:
        site.start()
    except OSError as exc:
        if exc.errno != errno.EADDRINUSE:
            raise
        site = DemoSite(slow_delay=slow_delay)
        site.start()
    return site


def run_demo(
    output: Path, *, slow_delay: float = 2.0, options: RunOptions | None = None
) -> DemoOutcome:
    """Start the site, write ``output/demo.toml``, run it into ``output/dataset``."""
    output.mkdir(parents=True, exist_ok=True)
    site = start_site(slow_delay)
    try:
        config_path = output / "demo.toml"
        config_path.write_text(demo_config_text(site), encoding="utf-8")
        config: Config = load_config(config_path)
        summary = run(config, options)
    finally:
        site.stop()
    return DemoOutcome(summary, config_path, config.output.dataset, site.base_url)
