"""The sources table: every document a row of the dataset cites."""

import pandas as pd
import pandera.pandas as pandera
from pandera.typing import Series

from schemas import fields as f
from schemas import vocabulary as v
from schemas.spec import Table


class SourcesSchema(pandera.DataFrameModel):
    source_id: Series[str] = f.key(
        "Id of the source, cited by `source_ids` in every table.", raw_name="id"
    )
    title: Series[str] = f.text("Title of the page or document as published.", raw_name="title")
    publisher: Series[str] = f.text("Who published it.", raw_name="publisher")
    url: Series[str] = f.code("Address where the curators read it.", v.HTTP_URL, raw_name="url")
    published_date: Series[pd.Timestamp] = f.date(
        "Publication date (first day of the period); empty where the source shows none.",
        nullable=True,
        raw_name="published",
    )
    published_precision: Series[str] = f.precision("published_date", nullable=True)
    language: Series[str] = f.code(
        "ISO 639-1 code of the language read.", r"^[a-z]{2}$", raw_name="language"
    )
    kind: Series[str] = f.choice(
        "`official` (a government or the CSTO), `news`, `reference` (encyclopaedia), "
        "`dataset` or `scholarly`.",
        v.SOURCE_KINDS,
        raw_name="kind",
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
    position=10,
)
