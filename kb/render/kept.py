"""Pages kept from the last render instead of rendered again: the pages of findings, of the
records that list findings (confounds, models, works, texts) and of hypotheses, which at 10k
findings take most of the rendering. Each is rendered under a content key (Renderer.findings_key
and listing_key: the findings it shows, by their files' digests, with their contributions as
shown; Renderer.hypothesis_key: its results, explanation, drift, linked findings and the
credences of its rivals) salted with what every such page reads besides (`salt`, from the caller:
every record file but the findings, and the code; and here, which page each finding is on).
build/cache/pages.json maps each such page's path to the key it was last rendered under; a page
whose key is unchanged is linked from the last render (build/docs/) into the new one instead of
rendered.

The map is removed before the new render takes the last one's place and written once it has
(`commit`), so it never names a page that a failed build left half replaced.

    keeper = KeptPages(build, salt, files)
    render_docs(data, src, build / "docs.next", database, keeper=keeper)
    keeper.forget(); replace_tree(build / "docs.next", build / "docs"); keeper.commit()"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Mapping
from pathlib import Path

from kb.render.pages import FindingLayout
from kb.render.sizes import SEARCHED_UP_TO

MANIFEST = "cache/pages.json"


class KeptPages:
    """The last render's keys (`before`), the ones this render used (`keys`)."""

    def __init__(self, build: Path, salt: str, files: Mapping[str, bytes] | None = None, *, fresh: bool = False) -> None:
        self.manifest = build / MANIFEST
        self.last = build / "docs"
        self.given = salt
        self.salt = salt
        self.files = files  # the sha256 of each finding's file, by path from the root (Renderer.files)
        self.keys: dict[str, str] = {}
        self.made: set[str] = set()  # the folders `reuse` has made
        try:
            self.before: dict[str, str] = json.loads(self.manifest.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.before = {}
        if fresh or not isinstance(self.before, dict):  # fresh: keep nothing (`kb build --force`)
            self.before = {}

    def place(self, layout: FindingLayout, n_findings: int) -> None:
        """Salt the keys with which page each finding is on (its links and the counts shown) and
        whether finding pages are searched."""
        where = repr(layout.groups) if layout.grouped else repr(n_findings > SEARCHED_UP_TO)
        self.salt = hashlib.sha256(f"{self.given}\0{where}".encode()).hexdigest()

    def reuse(self, path: str, content: str, docs: Path) -> bool:
        """Record the key `path` is rendered under (its `content` key, salted) and put the last
        render's `path` into `docs` if it was rendered under the same; whether it was."""
        key = self.keys[path] = hashlib.sha256(f"{self.salt}\0{content}".encode()).hexdigest()
        if self.before.get(path) != key:
            return False
        old, target = f"{self.last}/{path}", f"{docs}/{path}"  # strings: 1,400 Paths cost 0.05 s at 10k
        folder = target.rsplit("/", 1)[0]
        if folder not in self.made:
            os.makedirs(folder, exist_ok=True)
            self.made.add(folder)
        try:
            os.link(old, target)  # the same file: staging leaves it where it is
        except FileNotFoundError:
            return False  # the last render has no such page
        except OSError:
            if not os.path.isfile(old):
                return False
            shutil.copyfile(old, target)
        return True

    def forget(self) -> None:
        self.manifest.unlink(missing_ok=True)

    def commit(self) -> None:
        """Record this render's keys: call once its pages are in place of the last render's."""
        self.manifest.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.manifest.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.keys, sort_keys=True), encoding="utf-8")
        tmp.replace(self.manifest)
