"""The bundled demo news site: ~50 articles in real-world boilerplate, feeds, and traps.

``newsclean demo`` starts it on 127.0.0.1 and runs the real batch path against it;
``python -m newsclean.pipeline.demo`` serves it until Ctrl-C. Everything is generated from the
bundled ``stories.txt`` (original, fictional texts) with a fixed seed, so every run of the demo
sees the same bytes::

    plan.py           which story lives at which URL, in which layout, listed where
    stories.py        the bundled stories
    phrases.py        the boilerplate strings (rows of boilerplate-phrases.tsv)
    templates.py      three article layouts (WordPress "press", news "daily", "europa" de/fr)
    special_pages.py  home, listings, login, consent wall, soft 404, paywall, 500
    feeds.py          RSS 2.0, Google News sitemap, robots.txt
    site.py           every page as bytes, with ETag and Last-Modified (DemoContent)
    server.py         the HTTP server (DemoSite): 304s, gzip, slow and failing URLs

What the site holds (see :class:`DemoSite` for the URLs):

* 51 articles (44 English, 4 German, 3 French) in three layouts, one of them SLOW;
* a FAILING URL (500 always) and a robots.txt-DISALLOWED one, both listed in the feed;
* 200-answered non-articles: a consent wall, a soft 404, a paywall teaser, a section page,
  a tag page, a login page, the home page;
* /feed.xml (30 items), /news-sitemap.xml (the other 29 URLs), /robots.txt with a Sitemap line.
"""

from __future__ import annotations

from newsclean.pipeline.demo.server import DemoSite, RequestRecord
from newsclean.pipeline.demo.site import DemoArticle, DemoContent, DemoPage

__all__ = ["DemoArticle", "DemoContent", "DemoPage", "DemoSite", "RequestRecord"]
