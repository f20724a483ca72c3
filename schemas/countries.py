"""The countries table: the join keys to other country datasets."""

import pandas as pd
import pandera.pandas as pandera
from pandera.typing import Series

from schemas import fields as f
from schemas import vocabulary as v
from schemas.spec import Table


class CountriesSchema(pandera.DataFrameModel):
    iso3: Series[str] = f.key(
        "ISO 3166-1 alpha-3 code; the key of every state.", v.ISO3, raw_name="iso3"
    )
    iso2: Series[str] = pandera.Field(
        description="ISO 3166-1 alpha-2 code.",
        unique=True,
        str_matches=r"^[A-Z]{2}$",
        metadata=f.raw("iso2"),
    )
    name: Series[str] = f.text("English short name.", raw_name="name")
    name_ru: Series[str] = f.text(
        "Russian short name (the United Nations' official short name in Russian).",
        raw_name="name_ru",
    )
    cow_code: Series[pd.Int64Dtype] = pandera.Field(
        description="Correlates of War state number (`ccode`), as in COW, ATOP and SIPRI "
        "data keyed by COW.",
        unique=True,
        ge=2,
        le=999,
        metadata=f.raw("cow_code"),
    )
    cow_abbr: Series[str] = f.code(
        "Correlates of War state abbreviation (`stateabb`).", raw_name="cow_abbr"
    )
    gw_code: Series[pd.Int64Dtype] = pandera.Field(
        description="Gleditsch-Ward state number (`gwcode`), as in data keyed by the "
        "Gleditsch-Ward system; it differs from the COW number for Germany (260 against "
        "255) and Serbia (340 against 345).",
        unique=True,
        ge=2,
        le=999,
        metadata=f.raw("gw_code"),
    )
    m49: Series[str] = f.code(
        "United Nations M49 numeric code, three digits with leading zeros kept.",
        r"^[0-9]{3}$",
        raw_name="m49",
    )
    wikidata_id: Series[str] = pandera.Field(
        description="Wikidata item of the state.",
        unique=True,
        str_matches=r"^Q[1-9][0-9]*$",
        metadata=f.raw("wikidata"),
    )
    source_ids: Series[str] = f.source_ids("sources")
    note: Series[str] = f.note()

    class Config:
        strict = True


TABLE = Table(
    name="countries",
    title="Countries",
    description="Every state in the dataset with its ISO, Correlates of War and Wikidata codes.",
    model=CountriesSchema,
    primary_key=("iso3",),
    position=20,
)
