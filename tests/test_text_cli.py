"""`kb text add` and `kb text grep` through the real CLI on real files: plain text, HTML and PDF
(written by the tests themselves), every refusal leaving the knowledge base as it was, and the
grep's locators accepted by `kb claim add`."""

from __future__ import annotations

import hashlib
import json
import re
import shlex
from pathlib import Path

import pytest
from fpdf import FPDF
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from kb.convert import convert
from kb.errors import AlreadyExists
from kb.grep import quote_around
from kb.models import QUOTE_MAX
from kb.records import _write_all
from kb.texts import ArchivedText, normalise
from tests.conftest import run, snapshot

SOURCE = "cognitive-revolution-berg-2026"  # a source the fixture knowledge base holds


def write_pdf(path: Path, paragraphs: list[str]) -> Path:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=11)
    for text in paragraphs:
        pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return path


HTML = """<!doctype html><html><head><title>A lab blog</title></head><body>
<nav><a href="/">Home</a> | <a href="/about">About</a> | <a href="/login">Log in</a></nav>
<article><h1>Do models notice injected concepts?</h1>
<p>We injected a concept vector into three models and asked whether anything felt unusual to them.</p>
<p>The largest model named the concept in 18 of 100 trials, before it could have read it in its own output.</p>
</article>
<footer>Copyright 2026 Example Lab. All rights reserved. Cookie settings.</footer>
</body></html>"""


def text_record(root: Path, id: str) -> dict[str, object]:
    """The text's record as `kb text list -f json` gives it."""
    records = json.loads(run(CliRunner(), root, "text", "list", "-f", "json").stdout)
    return next(r for r in records if r["id"] == id)  # type: ignore[no-any-return]


def test_a_text_file_is_archived_byte_for_byte_with_its_record(runner: CliRunner, kb_root: Path, tmp_path: Path) -> None:
    src = tmp_path / "notes.md"
    src.write_bytes("# Notes\n\nThe model said “I notice something”.\n".encode())
    result = run(runner, kb_root, "text", "add", str(src), "--source", SOURCE, "--id", "notes", "--licence", "CC0-1.0")
    assert result.exit_code == 0, result.output
    assert result.stderr == "added claims/texts/notes.txt (3 lines, as is) and claims/texts/notes.yaml\n"
    assert (kb_root / "claims/texts/notes.txt").read_bytes() == src.read_bytes()
    record = text_record(kb_root, "notes")
    sha = hashlib.sha256(src.read_bytes()).hexdigest()
    assert record["path"] == "claims/texts/notes.txt"
    assert (record["sha256"], record["original_sha256"], record["lines"]) == (sha, sha, 3)
    assert (record["conversion"], record["licence"], record["source"]) == ("as is", "CC0-1.0", SOURCE)
    assert run(runner, kb_root, "check").exit_code == 0


def test_crlf_text_gets_lf_line_breaks_and_keeps_the_original_sha256(runner: CliRunner, kb_root: Path, tmp_path: Path) -> None:
    src = tmp_path / "win.txt"
    src.write_bytes(b"first line\r\nsecond line\r\nno final newline")
    assert run(runner, kb_root, "text", "add", str(src), "--source", SOURCE, "--id", "win").exit_code == 0
    assert (kb_root / "claims/texts/win.txt").read_bytes() == b"first line\nsecond line\nno final newline\n"
    record = text_record(kb_root, "win")
    assert record["original_sha256"] == hashlib.sha256(src.read_bytes()).hexdigest() != record["sha256"]
    assert record["conversion"] == "text (line breaks normalised to LF)"


def test_html_is_reduced_to_its_main_text(runner: CliRunner, kb_root: Path, tmp_path: Path) -> None:
    src = tmp_path / "post.html"
    src.write_text(HTML, encoding="utf-8")
    result = run(
        runner, kb_root, "text", "add", str(src), "--source", SOURCE, "--id", "post", "--retrieved-from", "https://example.org/post"
    )
    assert result.exit_code == 0, result.output
    text = (kb_root / "claims/texts/post.txt").read_text(encoding="utf-8")
    assert "The largest model named the concept in 18 of 100 trials" in text
    assert "Log in" not in text and "Cookie settings" not in text
    record = text_record(kb_root, "post")
    assert str(record["conversion"]).startswith("html->text (trafilatura ")
    assert record["retrieved_from"] == "https://example.org/post"
    assert run(runner, kb_root, "check").exit_code == 0


def test_pdf_text_layer_is_archived(runner: CliRunner, kb_root: Path, tmp_path: Path) -> None:
    src = write_pdf(tmp_path / "paper.pdf", ["Injected concepts", "In 18 of 100 trials the model named the concept."])
    result = run(runner, kb_root, "text", "add", str(src), "--source", SOURCE, "--id", "paper", "--retrieved-on", "2026-12-01")
    assert result.exit_code == 0, result.output
    assert (kb_root / "claims/texts/paper.txt").read_text(
        encoding="utf-8"
    ) == "Injected concepts\nIn 18 of 100 trials the model named the concept.\n"
    record = text_record(kb_root, "paper")
    assert str(record["conversion"]).startswith("pdf->text (pypdf ")
    assert record["retrieved_on"] == "2026-12-01"
    assert record["original_sha256"] == hashlib.sha256(src.read_bytes()).hexdigest()


@pytest.mark.parametrize(
    "case",
    ["unknown-source", "duplicate", "converted-duplicate", "empty-pdf", "not-a-pdf", "not-utf8", "empty-html", "missing", "taken-id"],
)
def test_bad_inputs_are_refused_in_one_line_and_nothing_is_written(runner: CliRunner, kb_root: Path, tmp_path: Path, case: str) -> None:
    existing = kb_root / "claims/texts" / f"{SOURCE}.txt"
    args = ["--source", SOURCE, "--id", "new-text"]
    if case == "unknown-source":
        src, args = tmp_path / "a.txt", ["--source", "no-such-source"]
        src.write_text("words\n", encoding="utf-8")
        expected = f"Error: {src}: source: unknown source 'no-such-source' (text id no-such-source); add it first with 'kb source add'"
    elif case == "duplicate":
        src = tmp_path / "copy.txt"
        src.write_bytes(existing.read_bytes())
        expected = f"Error: {src}: file: the same text is already archived as '{SOURCE}' (claims/texts/{SOURCE}.yaml); nothing written"
    elif case == "converted-duplicate":  # the same text with CRLF line breaks converts to the archived one
        src = tmp_path / "crlf.txt"
        src.write_bytes(existing.read_bytes().replace(b"\n", b"\r\n"))
        expected = f"Error: {src}: file: the same text is already archived as '{SOURCE}' (claims/texts/{SOURCE}.yaml); nothing written"
    elif case == "empty-pdf":
        src = write_pdf(tmp_path / "scan.pdf", [])
        expected = f"Error: {src}: file: no text layer (a scanned or image-only PDF? run OCR first); nothing written"
    elif case == "not-a-pdf":
        src = tmp_path / "broken.pdf"
        src.write_bytes(b"%PDF-1.4\nthis is not really a pdf\n")
        expected = None
    elif case == "not-utf8":
        src = tmp_path / "latin1.txt"
        src.write_bytes("café\n".encode("latin-1"))
        expected = f"Error: {src}: file: not UTF-8 text (byte 3); convert it to UTF-8 first; nothing written"
    elif case == "empty-html":
        src = tmp_path / "empty.html"
        src.write_text("<html><body><img src=scan.png><script>var x = 1;</script></body></html>", encoding="utf-8")
        expected = f"Error: {src}: file: no main text found in the HTML; nothing written"
    elif case == "missing":
        src = tmp_path / "nowhere.pdf"
        expected = f"Error: {src}: file: cannot read: No such file or directory; nothing written"
    else:
        src, args = tmp_path / "b.txt", ["--source", SOURCE]
        src.write_text("other words\n", encoding="utf-8")
        expected = f"Error: claims/texts/{SOURCE}.yaml: id: a record with id '{SOURCE}' already exists; choose another id"
    before = snapshot(kb_root)
    result = run(runner, kb_root, "text", "add", str(src), *args)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output
    if expected is None:
        assert lines[0].startswith(f"Error: {src}: file: not a readable PDF (") and lines[0].endswith("; nothing written")
    else:
        assert lines[0] == expected
    assert snapshot(kb_root) == before


def test_a_failed_second_write_removes_the_first(tmp_path: Path) -> None:
    first, second = tmp_path / "t.txt", tmp_path / "t.yaml"
    second.write_text("already here\n", encoding="utf-8")
    with pytest.raises(AlreadyExists):
        _write_all(tmp_path, "t", {first: b"text\n", second: b"id: t\n"}, "claims/texts/t.yaml")
    assert not first.exists()
    assert second.read_text(encoding="utf-8") == "already here\n"


@settings(max_examples=60, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cs",)), max_size=400))
def test_converting_a_text_is_stable(tmp_path_factory: pytest.TempPathFactory, body: str) -> None:
    """Whatever the line breaks, the archived text is UTF-8 with LF breaks and one final newline,
    and archiving it again changes nothing (stable line numbers and sha256)."""
    folder = tmp_path_factory.mktemp("convert")
    src = folder / "in.txt"
    src.write_bytes(body.encode("utf-8"))
    if not body.strip():
        with pytest.raises(Exception, match="no text"):
            convert(src)
        return
    archived = convert(src).text
    assert "\r" not in archived and archived.endswith("\n") and not archived.endswith("\n\n")
    again = folder / "again.txt"
    again.write_bytes(archived.encode("utf-8"))
    second = convert(again)
    assert (second.text, second.conversion) == (archived, "as is")


# --- grep -------------------------------------------------------------------------------------


def test_grep_prints_numbered_lines_and_locators_that_claim_add_accepts(runner: CliRunner, kb_root: Path) -> None:
    result = run(runner, kb_root, "text", "grep", "model misses it", "--text", SOURCE)
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"{SOURCE}:355: Most of the time the model misses it.\n"
        f"    --text {SOURCE} --lines 355 --quote 'Most of the time the model misses it.'\n"
    )
    locator = shlex.split(result.stdout.splitlines()[1])
    added = run(
        runner, kb_root, "claim", "add", "--id", "from-grep", "--title", "T", "--statement", "Steered models seldom notice drift.",
        "--kind", "testimony", "--stream", "introspection", "--method", "Interview.", "--tier", "second-hand-report",
        "--channel", SOURCE, *locator,
    )  # fmt: skip
    assert added.exit_code == 0, added.output


def test_grep_json_long_lines_and_no_hits(runner: CliRunner, kb_root: Path, tmp_path: Path) -> None:
    long_line = " ".join(f"word{i}" for i in range(200)) + " needle " + " ".join(f"tail{i}" for i in range(200))
    src = tmp_path / "long.txt"
    src.write_text(f"short needle line\n\n{long_line}\n", encoding="utf-8")
    assert run(runner, kb_root, "text", "add", str(src), "--source", SOURCE, "--id", "long").exit_code == 0
    hits = json.loads(run(runner, kb_root, "text", "grep", "needle", "--text", "long", "-f", "json").stdout)
    assert [(h["line"], h["truncated"]) for h in hits] == [(1, False), (3, True)]
    assert len(hits[1]["quote"]) <= QUOTE_MAX and "needle" in hits[1]["quote"]
    archived = ArchivedText.read(kb_root / "claims/texts/long.txt")
    assert all(archived.quote_at(h["quote"], h["line"], h["line"]) for h in hits)
    none = run(runner, kb_root, "text", "grep", "no such words anywhere")
    assert (none.exit_code, none.stdout, none.stderr) == (0, "", "no matching lines\n")


def test_grep_refuses_an_unknown_text_and_a_bad_pattern(runner: CliRunner, kb_root: Path) -> None:
    unknown = run(runner, kb_root, "text", "grep", "x", "--text", "nope")
    assert (unknown.exit_code, unknown.stderr) == (1, "Error: no text with id 'nope'\n")
    bad = run(runner, kb_root, "text", "grep", "(unclosed")
    assert bad.exit_code == 2 and "not a valid regular expression" in bad.stderr


_WORDS = st.text(st.sampled_from("abc xyz.,'\t"), min_size=1, max_size=12)


@settings(max_examples=200, deadline=None)
@given(st.lists(_WORDS, min_size=1, max_size=120).map("".join), st.sampled_from(["a", "b c", "x", "z.", r"\w+", "^", "$"]))
def test_every_suggested_quote_verifies_at_its_line_and_fits(line: str, pattern: str) -> None:
    """The grep's quote is at most QUOTE_MAX characters, verbatim at its line (after whitespace
    normalisation, as `kb check` compares), and holds the match when the match fits."""
    compiled = re.compile(pattern)
    found = quote_around(line, compiled)
    flat = normalise(line)
    match = compiled.search(flat)
    if not flat or match is None:
        assert found is None
        return
    assert found is not None
    quote, truncated = found
    assert 1 <= len(quote) <= QUOTE_MAX
    assert truncated == (len(flat) > QUOTE_MAX)
    assert ArchivedText(Path("t.txt"), (line + "\n").encode()).quote_at(quote, 1, 1)
    if len(match.group()) <= QUOTE_MAX // 2:
        assert compiled.search(quote) is not None or match.group().strip() in quote


def test_grep_reads_nothing_outside_the_knowledge_base(runner: CliRunner, kb_root: Path) -> None:
    (kb_root / "outside.txt").write_text("a secret needle\n", encoding="utf-8")
    record = kb_root / "claims/texts" / f"{SOURCE}.yaml"
    record.write_text(re.sub(r"(?m)^path: .*$", "path: outside.txt", record.read_text(encoding="utf-8")), encoding="utf-8")
    result = run(runner, kb_root, "text", "grep", "needle", "--text", SOURCE)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == f"Error: claims/texts/{SOURCE}.yaml: path: 'outside.txt' is not a file under claims/ (id {SOURCE})\n"
