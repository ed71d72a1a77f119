"""A strict MkDocs build in a process started before its project exists (kb.render.mkdocs_process.MkDocsRun).

    python -m kb.render.mkdocs_runner HAND_WRITTEN_MKDOCS_YML

While `kb site build` aggregates and renders, this process imports MkDocs, loads the hand-written
config (which imports the theme and plugins) and compiles the theme's templates into
kb.render.chrome.BYTECODE, where the real build's environment finds them (kb.render.mkdocs_hooks).
Then it reads one line from stdin, the generated build/mkdocs.yml, and builds it as `mkdocs build
--strict` would: warnings and errors go to stderr, and the exit code is 1 if MkDocs refused. An
empty stdin ends it without building. Imports nothing from kb beyond kb.render.chrome."""

from __future__ import annotations

import logging
import sys
import traceback

from kb.render.chrome import BYTECODE

LOG_FORMAT = "%(levelname)-7s -  %(message)s"  # as the mkdocs command prints them


def warm(config_file: str) -> None:
    """Import and compile what the build will need; any failure here is left for the build to report."""
    from mkdocs.commands import build  # noqa: F401  (the import is the point)
    from mkdocs.config import load_config

    logging.disable(logging.CRITICAL)
    try:
        config = load_config(config_file)
        env = config.theme.get_env()
        env.bytecode_cache = BYTECODE
        languages = {f"partials/languages/{config.theme['language']}.html", "partials/languages/en.html"}
        for name in env.list_templates(extensions=["html", "xml"]):
            if name.startswith(".icons/") or ("/languages/" in name and name not in languages):
                continue
            try:
                env.get_template(name)
            except Exception:  # noqa: BLE001, S112  (a template this theme's config cannot compile, e.g. the blog's)
                continue
    except Exception:  # noqa: BLE001, S110  (the real build reports it)
        pass
    finally:
        logging.disable(logging.NOTSET)


def build(config_file: str) -> int:
    from mkdocs import exceptions, utils
    from mkdocs.commands import build
    from mkdocs.config import load_config

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    handler.setLevel(logging.WARNING)
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    build.log.addFilter(utils.DuplicateFilter())  # as the mkdocs command does
    try:
        config = load_config(config_file, strict=True)
        config.plugins.on_startup(command="build", dirty=False)
        try:
            build.build(config, dirty=False)
        finally:
            config.plugins.on_shutdown()
    except exceptions.MkDocsException as e:  # Abort (strict mode), ConfigurationError, BuildError
        print(f"Error: {e}", file=sys.stderr)
        return 1
    except Exception:  # noqa: BLE001  (a plugin or hook failing: its traceback is the message)
        traceback.print_exc()
        return 1
    return 0


def main(argv: list[str]) -> int:
    warm(argv[0])
    config_file = sys.stdin.readline().strip()
    return build(config_file) if config_file else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
