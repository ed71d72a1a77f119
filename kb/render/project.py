"""The plain site project under build/: build/mkdocs.yml, written from the hand-written
site/mkdocs.yml, next to build/docs/ (ordinary Markdown files), and the engines that build it.

Nothing here reaches into MkDocs or its theme: the engine runs as its own command (`mkdocs build
--strict` or `zensical build --strict`) on a configuration that uses only documented settings, so
the same project builds with MkDocs Material and with Zensical, which reads `mkdocs.yml` but runs
no MkDocs plugins or hooks. Folders in the written config are relative to it (Zensical requires
that); the hand-written config is never built directly."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Collection, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import yaml

from kb.errors import KbError

SITE_SRC = "site"
ENGINES = ("mkdocs", "zensical")
SHIM = "javascripts/vendor/iframe-worker-shim.js"  # what the offline plugin would fetch from unpkg.com, vendored
LICENCE = "MIT licence"


class SiteBuildFailed(KbError):
    """The engine refused the generated site (strict mode turns every warning into a failure)."""


@dataclass(frozen=True)
class Version:
    """Which portfolio a build shows: the commit of claims/ (None outside git), and when it was built."""

    commit: str | None
    committed: str | None
    built: str

    def line(self) -> str:
        at = f"commit {self.commit[:10]} ({self.committed})" if self.commit and self.committed else "an uncommitted working tree"
        return f"Portfolio at {at}, built {self.built} UTC · {LICENCE}"


def site_project(root: Path) -> Path:
    """The hand-written MkDocs project: the repository's site/, or, for a knowledge base elsewhere
    (e.g. one made by `kb synth`), the site/ of the repository this package was installed from."""
    for candidate in (root / SITE_SRC, Path(__file__).resolve().parents[2] / SITE_SRC):
        if (candidate / "mkdocs.yml").is_file():
            return candidate
    raise SiteBuildFailed(f"{root / SITE_SRC / 'mkdocs.yml'}: (file): no MkDocs project found")


def _nav_exists(entry: Any, docs: Path, generated: Collection[str]) -> bool:
    if isinstance(entry, dict):
        return all(_nav_exists(v, docs, generated) for v in entry.values())
    if isinstance(entry, list):
        return any(_nav_exists(v, docs, generated) for v in entry)
    return "://" in str(entry) or str(entry) in generated or (docs / str(entry)).is_file()


def _relative(path: Path, start: Path) -> str:
    return Path(os.path.relpath(path.resolve(), start.resolve())).as_posix()


def write_config(src: Path, docs: Path, site: Path, target: Path, version: Version, generated: Collection[str] = ()) -> Path:
    """`target` (build/mkdocs.yml): the hand-written config with the docs and site folders relative
    to it, the version line as the footer's `copyright`, the vendored shim as the only polyfill,
    and nav entries whose page does not exist (in docs/, or among the `generated` pages) left out."""
    config = yaml.safe_load(src.read_text(encoding="utf-8")) or {}
    config["docs_dir"] = _relative(docs, target.parent)
    config["site_dir"] = _relative(site, target.parent)
    config["copyright"] = version.line()
    extra = config.setdefault("extra", {})
    extra["polyfills"] = [SHIM]  # the offline plugin adds unpkg.com's copy unless one is named here
    if "nav" in config:
        pages = set(generated)
        config["nav"] = [e for e in config["nav"] if _nav_exists(e, docs, pages)]
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return target


def _command(engine: str, verb: str, config: Path, *flags: str) -> list[str]:
    if engine not in ENGINES:
        raise SiteBuildFailed(f"--engine {engine!r}: not one of {', '.join(ENGINES)}")
    return [sys.executable, "-m", engine, verb, *(flags or ("--strict",)), "-f", str(config)]


def _refusal(engine: str, output: str) -> SiteBuildFailed:
    lines = [ln.strip() for ln in output.splitlines() if ln.lstrip().startswith(("WARNING", "ERROR", "Error", "Aborted", "Warning"))]
    return SiteBuildFailed(f"{engine} build failed: " + (" | ".join(lines[:10]) or output.strip()[-500:]))


def _engine(cmd: list[str], engine: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}  # Material's banner about MkDocs 2.0 is not a build problem
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    except FileNotFoundError as exc:
        raise SiteBuildFailed(f"{engine}: not installed ({exc})") from None
    if proc.returncode != 0:
        if "No module named" in proc.stderr:
            raise SiteBuildFailed(f"{engine}: not installed (pip install 'ai-consciousness-evidence[{engine}]')")
        raise _refusal(engine, proc.stdout + proc.stderr)
    return proc


def run(config: Path, engine: str = "mkdocs", *, changed: Collection[str] | None = None) -> bool:
    """Build the project `config` with `engine` (strict); raise SiteBuildFailed with its warnings if
    it refuses. With `changed` (the docs/ files whose bytes changed since the last build of the
    same project, kb.render.staging), MkDocs and that build's search index in place, only the
    pages among them are built again (`rebuild`). Returns whether they were."""
    index = _site_dir(config) / SEARCH_INDEX
    if changed is not None and engine == "mkdocs" and index.is_file():
        rebuild(config, changed, index)
        return True
    _engine(_command(engine, "build", config), engine)
    return False


SEARCH_INDEX = "search/search_index.json"
DIRTY_NOTICE = "A 'dirty' build is being performed"


def shape(config: Path) -> str:
    """The written configuration but the footer's version line (`copyright`), in a fixed form."""
    settings = yaml.safe_load(config.read_text(encoding="utf-8")) or {}
    settings.pop("copyright", None)
    return json.dumps(settings, sort_keys=True)


def _site_dir(config: Path) -> Path:
    return config.parent / str((yaml.safe_load(config.read_text(encoding="utf-8")) or {}).get("site_dir", "site"))


def _url(page: str) -> str:
    """A page's URL as the theme's search index names it (use_directory_urls is off)."""
    return page[: -len(".md")] + ".html"


def rebuild(config: Path, changed: Collection[str], index: Path) -> None:
    """`mkdocs build --dirty` on the last build of the same project (same `shape`, kb.pipeline):
    MkDocs rebuilds the pages whose Markdown is newer than their HTML (those in `changed`:
    kb.render.staging leaves the others' modification time alone) and copies the changed data
    files; every other page is the same as a full build would make it but for the version line in
    its footer (that of the build that last changed it). Strict still: any warning but MkDocs' own
    notice about dirty builds refuses the build. The theme's search index, which a dirty build fills
    with the rebuilt pages only, is then merged back: the last index's entries for every page not
    rebuilt, and the new entries (search_index.json, and search_index.js that the offline plugin
    inlines it into for reading from disk; `index` is the former). The last index is read while
    MkDocs runs (orjson: at 10k findings it is 4 MB)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        last = pool.submit(lambda: orjson.loads(index.read_bytes()))
        proc = _engine(_command("mkdocs", "build", config, "--dirty", "--no-strict"), "mkdocs")
        before = last.result()
    output = proc.stdout + proc.stderr
    if any(DIRTY_NOTICE not in line for line in output.splitlines() if line.lstrip().startswith(("WARNING", "ERROR"))):
        raise _refusal("mkdocs", "\n".join(line for line in output.splitlines() if DIRTY_NOTICE not in line))
    after = orjson.loads(index.read_bytes())
    rebuilt = {_url(p) for p in changed if p.endswith(".md")} | {e["location"].split("#")[0] for e in after["docs"]}
    kept = [e for e in before["docs"] if e["location"].split("#")[0] not in rebuilt]
    text = orjson.dumps({**after, "docs": kept + after["docs"]})
    index.write_bytes(text)
    index.with_suffix(".js").write_bytes(b"var __index = " + text)


NEEDED = ("Serving on", "Detected", "Reloading", "Building", "WARNING", "ERROR", "Error")


def serve_lines(lines: Iterator[str]) -> Iterator[str]:
    """The development server's output a person needs: the address, rebuild notices, problems."""
    for line in lines:
        if any(word in line for word in NEEDED) and "not included in the" not in line:
            yield line.rstrip("\n").replace("INFO    -  ", "")


def serve(config: Path, addr: str, engine: str = "mkdocs") -> None:
    """The engine's development server on `config` (strict), until interrupted; prints only serve_lines."""
    cmd = _command(engine, "serve", config) + ["-a", addr]
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env) as proc:
        assert proc.stdout is not None
        try:
            for line in serve_lines(iter(proc.stdout.readline, "")):
                print(line, file=sys.stderr, flush=True)
        except KeyboardInterrupt:
            proc.terminate()
