"""The site's command-line reference (site/docs/cli.md) is generated from `--help` and stays true."""

from __future__ import annotations

from cli.reference import commands, help_text, page
from tests.conftest import REPO


def test_the_cli_reference_page_is_the_help_of_every_command() -> None:
    assert (REPO / "site" / "docs" / "cli.md").read_text(encoding="utf-8") == page(), (
        "a command or its help changed: run python -m cli.reference > site/docs/cli.md"
    )


def test_every_command_has_help_and_is_on_the_page() -> None:
    text = (REPO / "site" / "docs" / "cli.md").read_text(encoding="utf-8")
    paths = list(commands())
    assert ("claim", "list") in paths and ("search",) in paths and ("schema",) in paths
    for path in paths:
        assert f"## kb {' '.join(path)}\n" in text
        usage, _, rest = help_text(path).partition("\n\n")
        assert usage.startswith(f"Usage: kb {' '.join(path)}")
        assert rest.strip() and not rest.startswith("Options:"), f"kb {' '.join(path)} has no help text"
    assert "cli.md" in (REPO / "site" / "mkdocs.yml").read_text(encoding="utf-8")
