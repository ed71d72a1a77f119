"""The published site: Jinja2 templates (kb/templates/) rendered from the knowledge base and the
aggregator's results, then built by MkDocs Material. The only part of kb that imports jinja2."""

from kb.render.builder import SiteBuildFailed, build_site, run_mkdocs

__all__ = ["SiteBuildFailed", "build_site", "run_mkdocs"]
