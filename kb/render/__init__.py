"""The published site: Jinja2 templates (kb/templates/) rendered from the knowledge base and the
aggregator's results, then built by MkDocs Material (kb.render.builder). The only part of kb that
imports jinja2. Nothing is imported here: MkDocs loads kb.render.mkdocs_hooks and kb.render.chrome
without the renderer."""
