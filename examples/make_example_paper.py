"""Writes examples/example-paper.pdf, the invented one-page paper of the README's tour (needs
fpdf2, a test dependency). The creation date is fixed so the file comes out byte for byte the same."""

import datetime as dt
from pathlib import Path

from fpdf import FPDF

PARAGRAPHS = [
    "Noticing an injected concept: a worked example",
    "A. Example and B. Sample (2026). An invented paper for the README tour of the evidence portfolio; it reports no real experiment.",
    "Abstract",
    "We inject a concept vector into the residual stream of three open-weight models and ask each whether it notices anything unusual.",
    "In 18 of 100 trials the largest model named the injected concept before the concept could have influenced its own output.",
    "The two smaller models never named it above the rate of a control condition with no injection.",
    "When the injection strength was doubled, the models described the concept in their answers but rarely reported noticing it.",
]


def main() -> None:
    pdf = FPDF()
    pdf.set_creator("examples/make: fpdf2")
    pdf.set_creation_date(dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    pdf.add_page()
    pdf.set_font("helvetica", size=11)
    for paragraph in PARAGRAPHS:
        pdf.multi_cell(0, 6, paragraph)
        pdf.ln(3)
    pdf.output(str(Path(__file__).with_name("example-paper.pdf")))


if __name__ == "__main__":
    main()
