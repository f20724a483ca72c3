"""The sources table: every document a row of the dataset cites."""

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from schemas import fields as f
from schemas import vocabulary as v
from schemas.spec import RawField, Table


class SourcesSchema(pa.DataFrameModel):
    source_id: Series[str] = f.key("Id of the source, cited by `source_ids` in every table.")
    title: Series[str] = f.text("Title of the page or document as published.")
    publisher: Series[str] = f.text("Who published it.")
    url: Series[str] = f.code("Address where the curators read it.", v.HTTP_URL)
    published_date: Series[pd.Timestamp] = f.date(
        "Publication date (first day of the period); empty where the source shows none.",
        nullable=True,
    )
    published_precision: Series[str] = f.precision("published_date", nullable=True)
    language: Series[str] = f.code("ISO 639-1 code of the language read.", r"^[a-z]{2}$")
    kind: Series[str] = f.choice(
        "`official` (a government or the CSTO), `news`, `reference` (encyclopaedia), "
        "`dataset` or `scholarly`.",
        v.SOURCE_KINDS,
    )
    note: Series[str] = f.note()

    class Config:
        strict = True


TABLE = Table(
    name="sources",
    title="Sources",
    description="Every source cited by any row, with its address and publication date.",
    model=SourcesSchema,
    primary_key=("source_id",),
    raw_file="sources.yaml",
    raw_fields=(
        RawField("id", "text", "source_id", required=True),
        RawField("title", "text", "title", required=True),
        RawField("publisher", "text", "publisher", required=True),
        RawField("url", "text", "url", required=True),
        RawField("published", "date", "published_date"),
        RawField("language", "text", "language", required=True),
        RawField("kind", "text", "kind", required=True),
        RawField("note", "text", "note"),
    ),
)
