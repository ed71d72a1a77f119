"""The published site: Jinja2 templates (kb/templates/) rendered from the knowledge base and the
aggregator's results into a plain MkDocs project under build/ (kb.render.builder), built by MkDocs
Material or Zensical (kb.render.project). The only part of kb that imports jinja2."""
