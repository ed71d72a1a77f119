"""The SQLite schema, declared once with SQLModel. Each record keeps its full public JSON in `data`;
the other columns are what queries filter and join on."""

from __future__ import annotations

from sqlmodel import Field, SQLModel


class ClaimRow(SQLModel, table=True):
    __tablename__ = "claim"
    id: str = Field(primary_key=True)
    title: str
    statement: str
    kind: str = Field(index=True)
    stream: str = Field(index=True)
    status: str = Field(index=True)
    tier: str
    origin: str | None = Field(default=None, index=True)
    channel: str = Field(index=True)
    study: str | None = None
    date: str | None = None
    path: str
    data: str


class LinkRow(SQLModel, table=True):
    __tablename__ = "link"
    claim_id: str = Field(primary_key=True, foreign_key="claim.id")
    position: int = Field(primary_key=True)
    hypothesis: str = Field(index=True)
    bearing: str
    strength: str
    rationale: str


class ClaimConfoundRow(SQLModel, table=True):
    __tablename__ = "claim_confound"
    claim_id: str = Field(primary_key=True, foreign_key="claim.id")
    position: int = Field(primary_key=True)
    type: str = Field(index=True)
    controlled: str
    detail: str


class ClaimModelRow(SQLModel, table=True):
    __tablename__ = "claim_model"
    claim_id: str = Field(primary_key=True, foreign_key="claim.id")
    position: int = Field(primary_key=True)
    model: str = Field(index=True)
    as_written: str


class LocatorRow(SQLModel, table=True):
    __tablename__ = "locator"
    claim_id: str = Field(primary_key=True, foreign_key="claim.id")
    position: int = Field(primary_key=True)
    text: str = Field(index=True)
    start: int
    end: int
    quote: str
    speaker: str


class HypothesisRow(SQLModel, table=True):
    __tablename__ = "hypothesis"
    id: str = Field(primary_key=True)
    title: str
    stream: str
    prior: float
    path: str
    data: str


class ConfoundTypeRow(SQLModel, table=True):
    __tablename__ = "confound_type"
    id: str = Field(primary_key=True)
    name: str
    grp: str
    severity: str
    path: str
    data: str


class ModelRow(SQLModel, table=True):
    __tablename__ = "model"
    id: str = Field(primary_key=True)
    name: str
    developer: str
    path: str
    data: str


class SourceRow(SQLModel, table=True):
    __tablename__ = "source"
    id: str = Field(primary_key=True)
    title: str
    type: str
    path: str
    data: str


class TextRow(SQLModel, table=True):
    __tablename__ = "text"
    id: str = Field(primary_key=True)
    source: str
    file: str
    sha256: str
    lines: int
    path: str
    data: str


class DiscrepancyRow(SQLModel, table=True):
    __tablename__ = "discrepancy"
    id: str = Field(primary_key=True)
    title: str
    subject: str
    path: str
    data: str


class QuestionRow(SQLModel, table=True):
    __tablename__ = "question"
    id: str = Field(primary_key=True)
    title: str
    path: str
    data: str


class MetaRow(SQLModel, table=True):
    __tablename__ = "meta"
    key: str = Field(primary_key=True)
    value: str


class FileRow(SQLModel, table=True):
    """Every file under claims/ as of the build, for incremental rebuilds."""

    __tablename__ = "file"
    path: str = Field(primary_key=True)
    size: int
    mtime_ns: int
    claim_id: str | None = None


class ProblemRow(SQLModel, table=True):
    """The knowledge base's problems as of the build (the database then holds the valid records)."""

    __tablename__ = "problem"
    path: str = Field(primary_key=True)
    line: int = Field(primary_key=True)
    field: str = Field(primary_key=True)
    message: str = Field(primary_key=True)


def ddl() -> str:
    """The CREATE statements SQLModel generates for these tables, as kb/schema.sql freezes them."""
    from sqlalchemy.dialects import sqlite
    from sqlalchemy.schema import CreateIndex, CreateTable

    dialect = sqlite.dialect()
    statements: list[str] = []
    for table in SQLModel.metadata.sorted_tables:
        statements.append(str(CreateTable(table).compile(dialect=dialect)).strip())
        statements += [
            str(CreateIndex(index).compile(dialect=dialect)).strip() for index in sorted(table.indexes, key=lambda i: str(i.name))
        ]
    return "".join(f"{s};\n" for s in statements)


if __name__ == "__main__":  # python -m kb.tables > kb/schema.sql
    print(ddl(), end="")
