"""``python -m newsclean.pipeline.demo``: serve the demo news site until Ctrl-C."""

from __future__ import annotations

import argparse
import threading

from newsclean.pipeline.demo.server import DemoSite


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m newsclean.pipeline.demo",
        description="Serve the bundled demo news site on 127.0.0.1 until Ctrl-C.",
        epilog="Example: python -m newsclean.pipeline.demo --port 8000 --slow-delay 1",
    )
    parser.add_argument("--port", type=int, default=0, help="port (default: any free port)")
    parser.add_argument(
        "--slow-delay", type=float, default=3.0, help="seconds the slow article waits (3)"
    )
    args = parser.parse_args(argv)
    with DemoSite(slow_delay=args.slow_delay, port=args.port) as site:
        print(f"Demo news site at {site.base_url}/", flush=True)
        print(f"  feed:    {site.feed_url}")
        print(f"  sitemap: {site.sitemap_url}")
        print(f"  robots:  {site.robots_url}")
        print(f"  {len(site.article_urls)} articles; slow: {site.slow_url}")
        print("Press Ctrl-C to stop.", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            print("\nStopped.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
