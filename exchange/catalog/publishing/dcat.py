"""The catalog as DCAT-AP 3 JSON-LD (dcat:Catalog, dcat:Dataset, dcat:Distribution); pure.

Harvesters of the open-data world (CKAN's DCAT harvester, data-space connectors) read
this. Every class carries the properties DCAT-AP 3 makes mandatory (Catalogue: title,
description, publisher; Dataset: title, description; Distribution: access URL; Agent:
name) and most recommended ones, and every value carries the class DCAT-AP 3 expects of
it (the official SHACL shapes, mandatory and class-range, pass with no violation: a
validator cannot load the EU vocabularies, so the types are stated here). Formats,
rights, licences and places are written so that ckanext-dcat reads a format label
(`CSV`), the rights text, the licence IRI and the place name. Pages are linked with a
Hydra PartialCollectionView, the way ckanext-dcat pages its catalog.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from exchange.catalog.vocabulary import UpdateFrequency, UsageMethod
from exchange.clock import rfc3339
from exchange.vocabulary import OPENING_LABELS, Opening

CONTEXT: dict[str, Any] = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "adms": "http://www.w3.org/ns/adms#",
    "dcatap": "http://data.europa.eu/r5r/",
    "hydra": "http://www.w3.org/ns/hydra/core#",
    "dct:issued": {"@type": "xsd:dateTime"},
    "dct:modified": {"@type": "xsd:dateTime"},
    "dcat:accessURL": {"@type": "@id"},
    "dcat:downloadURL": {"@type": "@id"},
    "hydra:first": {"@type": "@id"},
    "hydra:last": {"@type": "@id"},
    "hydra:next": {"@type": "@id"},
    "hydra:previous": {"@type": "@id"},
}

_EU = "http://publications.europa.eu/resource/authority/"
_IANA = "https://www.iana.org/assignments/media-types/"
FREQUENCY_URIS: dict[UpdateFrequency, str] = {
    UpdateFrequency.REAL_TIME: _EU + "frequency/UPDATE_CONT",
    UpdateFrequency.DAILY: _EU + "frequency/DAILY",
    UpdateFrequency.WEEKLY: _EU + "frequency/WEEKLY",
    UpdateFrequency.MONTHLY: _EU + "frequency/MONTHLY",
    UpdateFrequency.QUARTERLY: _EU + "frequency/QUARTERLY",
    UpdateFrequency.YEARLY: _EU + "frequency/ANNUAL",
    UpdateFrequency.IRREGULAR: _EU + "frequency/IRREG",
}
ACCESS_RIGHTS_URIS: dict[Opening, str] = {
    Opening.UNCONDITIONAL: _EU + "access-right/PUBLIC",
    Opening.CONDITIONAL: _EU + "access-right/RESTRICTED",
    Opening.NOT_OPEN: _EU + "access-right/NON_PUBLIC",
}
_RIGHTS_EN: dict[Opening, str] = {
    Opening.UNCONDITIONAL: "Open to the public without conditions",
    Opening.CONDITIONAL: "Open to the public on the conditions set by the department",
    Opening.NOT_OPEN: "Not open to the public",
}
# Unconditionally open items are reused under CC BY 4.0 (attribute the department). The
# English title is CKAN's own licence title, so a CKAN harvest sets the dataset's licence.
# Conditionally open items have no public licence: their conditions are the rights statement.
OPEN_LICENCE: dict[str, Any] = {
    "@id": "https://creativecommons.org/licenses/by/4.0/",
    "@type": "dct:LicenseDocument",
    "dct:title": [
        {"@value": "知识共享署名 4.0 国际许可协议（CC BY 4.0）", "@language": "zh"},
        {"@value": "Creative Commons Attribution", "@language": "en"},
    ],
}
_FORMATS: dict[UsageMethod, tuple[str, str, str]] = {
    UsageMethod.API: ("JSON", "application/json", "接口调用 API"),
    UsageMethod.FILE: ("CSV", "text/csv", "文件下载 file download"),
    UsageMethod.QUERY: ("HTML", "text/html", "在线查询核验 online query"),
    UsageMethod.PRIVACY_COMPUTING: ("JSON", "application/json", "隐私计算 privacy computing"),
}


@dataclass(frozen=True, slots=True)
class DatasetEntry:
    """What the export needs to know about one catalog item."""

    id: str
    code: str
    name_zh: str
    name_en: str
    description: str
    department_id: str
    department_name: str
    division_name: str
    frequency: UpdateFrequency
    opening: Opening
    opening_conditions: str
    usage: tuple[UsageMethod, ...]
    keywords: tuple[str, ...]
    version: int
    issued: datetime
    modified: datetime


def _text(zh: str, en: str) -> list[dict[str, str]]:
    values = [{"@value": zh, "@language": "zh"}]
    if en:
        values.append({"@value": en, "@language": "en"})
    return values


def _format(method: UsageMethod) -> dict[str, Any]:
    """The file type (EU vocabulary) as a dct:MediaTypeOrExtent with its plain label."""
    label, media_type, _ = _FORMATS[method]
    # ckanext-dcat takes the label (`CSV`) of a format whose first type is dct:IMT, else
    # keeps the IRI as the format's name; dct:MediaTypeOrExtent is what DCAT-AP checks.
    return {
        "@id": f"{_EU}file-type/{label}",
        "@type": ["dct:IMT", "dct:MediaTypeOrExtent"],
        "rdfs:label": label,
        "rdf:value": media_type,
    }


def _media_type(method: UsageMethod) -> dict[str, Any]:
    """The IANA media type as a dct:MediaType; its label is what CKAN stores as mimetype."""
    media_type = _FORMATS[method][1]
    return {"@id": _IANA + media_type, "@type": "dct:MediaType", "rdfs:label": media_type}


def _rights(opening: Opening, conditions: str) -> dict[str, Any]:
    """The opening attribute (and its conditions) as a dct:RightsStatement."""
    zh = OPENING_LABELS[opening] + (f"：{conditions}" if conditions else "")
    return {
        "@type": "dct:RightsStatement",
        "rdfs:label": [
            {"@value": zh, "@language": "zh"},
            {"@value": _RIGHTS_EN[opening], "@language": "en"},
        ],
    }


def _document(url: str) -> dict[str, str]:
    """A web page (landing page, homepage) as a foaf:Document."""
    return {"@id": url, "@type": "foaf:Document"}


def _place(name: str) -> dict[str, Any]:
    """A dct:Location named the way ckanext-dcat reads a place (skos:prefLabel)."""
    return {"@type": "dct:Location", "skos:prefLabel": {"@value": name, "@language": "zh"}}


def dataset_node(entry: DatasetEntry, base_url: str) -> dict[str, Any]:
    """One dcat:Dataset with its distributions (one per usage method)."""
    item_url = f"{base_url}/v1/catalog/items/{entry.id}"
    distributions = []
    for method in entry.usage:
        distribution: dict[str, Any] = {
            "@id": f"{item_url}#distribution-{method.value}",
            "@type": "dcat:Distribution",
            "dct:title": _text(f"{entry.name_zh}（{_FORMATS[method][2]}）", ""),
            "dcat:accessURL": item_url,
            "dct:format": _format(method),
            "dcat:mediaType": _media_type(method),
            "dct:rights": _rights(entry.opening, entry.opening_conditions),
        }
        if entry.opening == Opening.UNCONDITIONAL:
            distribution["dct:license"] = OPEN_LICENCE
        distributions.append(distribution)
    return {
        # The item's URL is a document about the dataset (its landing page, a foaf:Document);
        # the dataset itself is named by a fragment of it, so no IRI carries both classes.
        "@id": f"{item_url}#dataset",
        "@type": "dcat:Dataset",
        "dct:identifier": entry.code,
        "dct:title": _text(entry.name_zh, entry.name_en),
        "dct:description": _text(entry.description or entry.name_zh, ""),
        "dct:publisher": {
            "@id": f"{base_url}/v1/departments/{entry.department_id}",
            "@type": "foaf:Agent",
            "foaf:name": _text(entry.department_name, ""),
        },
        "dcat:contactPoint": {
            "@type": ["vcard:Organization", "vcard:Kind"],
            "vcard:fn": entry.department_name,
        },
        "dct:spatial": _place(entry.division_name),
        "dct:accrualPeriodicity": {
            "@id": FREQUENCY_URIS[entry.frequency],
            "@type": "dct:Frequency",
        },
        "dct:accessRights": {
            "@id": ACCESS_RIGHTS_URIS[entry.opening],
            "@type": "dct:RightsStatement",
        },
        "dcat:keyword": [{"@value": k, "@language": "zh"} for k in entry.keywords],
        "dcat:landingPage": _document(item_url),
        "dcat:version": str(entry.version),
        "dct:issued": rfc3339(entry.issued),
        "dct:modified": rfc3339(entry.modified),
        "dcat:distribution": distributions,
    }


def catalog_document(
    *,
    base_url: str,
    entries: list[DatasetEntry],
    limit: int,
    offset: int,
    total: int,
    modified: datetime | None,
) -> dict[str, Any]:
    """A page of the catalog as one JSON-LD document."""
    catalog_url = f"{base_url}/v1/catalog/dcat"
    last = max(0, (total - 1) // limit * limit)

    def page_url(start: int) -> str:
        return f"{catalog_url}?limit={limit}&offset={start}"

    view: dict[str, Any] = {
        "@id": page_url(offset),
        "@type": "hydra:PartialCollectionView",
        "hydra:totalItems": total,
        "hydra:itemsPerPage": limit,
        "hydra:first": page_url(0),
        "hydra:last": page_url(last),
    }
    if offset + limit < total:
        view["hydra:next"] = page_url(offset + limit)
    if offset > 0:
        view["hydra:previous"] = page_url(min(max(0, offset - limit), last))
    doc: dict[str, Any] = {
        "@context": CONTEXT,
        "@id": catalog_url,
        "@type": "dcat:Catalog",
        "dct:title": _text("广东省公共数据资源目录", "Guangdong public data resource catalogue"),
        "dct:description": _text(
            "一数一源一标准：省、市、县联动的公共数据资源目录（开放清单）。",
            "One datum, one source, one standard: the open items of the province, "
            "prefecture cities and counties.",
        ),
        "dct:publisher": {
            "@id": f"{base_url}/v1/departments",
            "@type": "foaf:Agent",
            "foaf:name": _text(
                "广东省政务服务数据管理局", "Guangdong Government Service Data Administration"
            ),
        },
        "foaf:homepage": _document(f"{base_url}/docs"),
        "dct:language": {"@id": f"{_EU}language/ZHO", "@type": "dct:LinguisticSystem"},
        "dct:spatial": _place("广东省"),
        "dcat:dataset": [dataset_node(e, base_url) for e in entries],
        "hydra:view": view,
    }
    if modified is not None:
        doc["dct:modified"] = rfc3339(modified)
    return doc
