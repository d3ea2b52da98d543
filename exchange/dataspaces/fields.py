"""Request fields data spaces and consents share: ids, field names, reasons, scopes."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from exchange.dataspaces.vocabulary import ConsentPurpose, RecordType

Id = Annotated[str, StringConstraints(min_length=1, max_length=36)]
FieldName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,63}$", examples=["insured_status"])]
Reason = Annotated[str, StringConstraints(min_length=1, max_length=1000)]
Message = Annotated[str, StringConstraints(max_length=2000)]

RecordIds = Annotated[
    list[Id], Field(max_length=200, description="Records of your data space, by id")
]
RecordTypes = Annotated[
    list[RecordType],
    Field(max_length=4, description="Every record of these types (社保、纳税、营业执照、信用)"),
]
FieldNames = Annotated[
    list[FieldName],
    Field(max_length=50, description="The fields disclosed; empty: every field of the records"),
]
Purposes = Annotated[
    list[ConsentPurpose],
    Field(min_length=1, max_length=6, description="What the grantee may use the records for"),
]
ConsentIds = Annotated[
    list[Id],
    Field(max_length=200, description="The consents a product relies on (lawful_basis consent)"),
]
