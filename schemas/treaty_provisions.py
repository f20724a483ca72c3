"""The treaty_provisions table: the obligations and institutional provisions of the treaty,
phase by phase, as ATOP codes them, with the article each rests on."""

import pandas as pd
import pandera.pandas as pandera
from pandera.typing import Series

from schemas import fields as f
from schemas.spec import Table


class TreatyProvisionsSchema(pandera.DataFrameModel):
    provision_id: Series[str] = pandera.Field(
        description="Id of the row: `phase:variable`.", unique=True
    )
    phase: Series[pd.Int64Dtype] = pandera.Field(
        description="ATOP's phase of alliance 4220: 1 from 15 May 1992 to 7 October 2002 "
        "(the treaty), 2 from 7 October 2002 (the treaty and the CSTO Charter).",
        ge=1,
        metadata=f.raw("phase"),
    )
    variable: Series[str] = f.code(
        "ATOP's variable, in lower case as in its files.", r"^[a-z0-9]+$", raw_name="variable"
    )
    value: Series[pd.Int64Dtype] = pandera.Field(
        description="ATOP's value for the phase (`atop5_1aph.csv`).", metadata=f.raw("value")
    )
    definition: Series[str] = f.text(
        "What the variable records: the first sentence of its entry in ATOP's codebook.",
        raw_name="definition",
    )
    value_meaning: Series[str] = f.text(
        "What the value means: `yes` or `no` for a dummy, else the codebook's sentence for "
        "it; empty where the codebook gives it only in a table or a number.",
        nullable=True,
        raw_name="value_meaning",
    )
    article: Series[str] = f.text(
        "The article of the treaty, the Charter or a protocol the provision rests on, where a "
        "source read shows it; empty otherwise.",
        nullable=True,
        raw_name="article",
    )
    dataset_reading: Series[str] = f.text(
        "Where this dataset's reading of the texts differs from ATOP's, what it reads.",
        nullable=True,
        raw_name="dataset_reading",
    )
    source_ids: Series[str] = f.source_ids("sources")
    note: Series[str] = f.note()

    class Config:
        strict = True


TABLE = Table(
    name="treaty_provisions",
    title="Treaty provisions (ATOP)",
    description="Every provision variable of ATOP 5.1 for the treaty (alliance 4220), phase "
    "by phase: its value, what it means in ATOP's codebook, and the article it rests on.",
    model=TreatyProvisionsSchema,
    primary_key=("provision_id",),
    position=76,
    derived_key=("phase", "variable"),
    notes=(
        "Values are copied from ATOP's alliance-phase file and meanings quoted from its "
        "codebook of 9 August 2022 (public copies; see the sources). Articles are given where "
        "a text read shows them: Articles 1 to 4 and 11 of the treaty and the 1999 extension "
        "protocol. Where they were checked, no reading of the texts was found to differ "
        "from ATOP's, so `dataset_reading` is empty; the other variables were not checked "
        "against the texts."
    ),
)
