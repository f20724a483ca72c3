"""The countries table: the join keys to other country datasets."""

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from schemas import fields as f
from schemas import vocabulary as v
from schemas.spec import ForeignKey, RawField, Table


class CountriesSchema(pa.DataFrameModel):
    iso3: Series[str] = f.key("ISO 3166-1 alpha-3 code; the key of every state.", v.ISO3)
    iso2: Series[str] = pa.Field(
        description="ISO 3166-1 alpha-2 code.", unique=True, str_matches=r"^[A-Z]{2}$"
    )
    name: Series[str] = f.text("English short name.")
    cow_code: Series[pd.Int64Dtype] = pa.Field(
        description="Correlates of War state number (`ccode`), as in COW, ATOP and SIPRI "
        "data keyed by COW.",
        unique=True,
        ge=2,
        le=999,
    )
    cow_abbr: Series[str] = f.code("Correlates of War state abbreviation (`stateabb`).")
    wikidata_id: Series[str] = pa.Field(
        description="Wikidata item of the state.", unique=True, str_matches=r"^Q[1-9][0-9]*$"
    )
    source_ids: Series[str] = f.source_ids()
    note: Series[str] = f.note()

    class Config:
        strict = True


TABLE = Table(
    name="countries",
    title="Countries",
    description="Every state in the dataset with its ISO, Correlates of War and Wikidata codes.",
    model=CountriesSchema,
    primary_key=("iso3",),
    raw_file="countries.yaml",
    raw_fields=(
        RawField("iso3", "text", "iso3", required=True),
        RawField("iso2", "text", "iso2", required=True),
        RawField("name", "text", "name", required=True),
        RawField("cow_code", "integer", "cow_code", required=True),
        RawField("cow_abbr", "text", "cow_abbr", required=True),
        RawField("wikidata", "text", "wikidata_id", required=True),
        RawField("sources", "id_list", "source_ids", required=True),
        RawField("note", "text", "note"),
    ),
    foreign_keys=(ForeignKey("source_ids", "sources", "source_id", ";"),),
)
