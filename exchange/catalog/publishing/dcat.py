"""The catalog as DCAT-AP 3 JSON-LD (dcat:Catalog, dcat:Dataset, dcat:Distribution); pure.

Harvesters of the open-data world (CKAN's DCAT harvester, data-space connectors) read
this. Every class carries the properties DCAT-AP 3 makes mandatory (Catalogue: title,
description, publisher; Dataset: title, description; Distribution: access URL; Agent:
name) and most recommended ones. Pages are linked with a Hydra PartialCollectionView,
the way ckanext-dcat pages its catalog.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from exchange.catalog.vocabulary import UpdateFrequency, UsageMethod
from exchange.clock import rfc3339
from exchange.vocabulary import Opening

CONTEXT: dict[str, Any] = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "adms": "http://www.w3.org/ns/adms#",
    "dcatap": "http://data.europa.eu/r5r/",
    "hydra": "http://www.w3.org/ns/hydra/core#",
    "dct:issued": {"@type": "xsd:dateTime"},
    "dct:modified": {"@type": "xsd:dateTime"},
    "dcat:accessURL": {"@type": "@id"},
    "dcat:downloadURL": {"@type": "@id"},
    "foaf:homepage": {"@type": "@id"},
    "dcat:landingPage": {"@type": "@id"},
    "hydra:first": {"@type": "@id"},
    "hydra:last": {"@type": "@id"},
    "hydra:next": {"@type": "@id"},
    "hydra:previous": {"@type": "@id"},
}

_EU = "http://publications.europa.eu/resource/authority/"
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


def dataset_node(entry: DatasetEntry, base_url: str) -> dict[str, Any]:
    """One dcat:Dataset with its distributions (one per usage method)."""
    item_url = f"{base_url}/v1/catalog/items/{entry.id}"
    distributions = [
        {
            "@id": f"{item_url}#distribution-{method.value}",
            "@type": "dcat:Distribution",
            "dct:title": _text(f"{entry.name_zh}（{_FORMATS[method][2]}）", ""),
            "dcat:accessURL": item_url,
            "dct:format": {"@id": f"{_EU}file-type/{_FORMATS[method][0]}"},
            "dcat:mediaType": {
                "@id": f"https://www.iana.org/assignments/media-types/{_FORMATS[method][1]}"
            },
            "dct:rights": {"@id": ACCESS_RIGHTS_URIS[entry.opening]},
        }
        for method in entry.usage
    ]
    return {
        "@id": item_url,
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
            "@type": "vcard:Organization",
            "vcard:fn": entry.department_name,
        },
        "dct:spatial": {"@type": "dct:Location", "dct:title": entry.division_name},
        "dct:accrualPeriodicity": {"@id": FREQUENCY_URIS[entry.frequency]},
        "dct:accessRights": {"@id": ACCESS_RIGHTS_URIS[entry.opening]},
        "dcat:keyword": [{"@value": k, "@language": "zh"} for k in entry.keywords],
        "dcat:landingPage": item_url,
        "dcat:version": str(entry.version),
        "dct:issued": rfc3339(entry.issued),
        "dct:modified": rfc3339(entry.modified),
        "dcat:distribution": distributions,
    }


def catalog_document(
    *,
    base_url: str,
    entries: list[DatasetEntry],
    page: int,
    page_size: int,
    total: int,
    modified: datetime | None,
) -> dict[str, Any]:
    """A page of the catalog as one JSON-LD document."""
    catalog_url = f"{base_url}/v1/catalog/dcat"
    last = max(1, -(-total // page_size))

    def page_url(n: int) -> str:
        return f"{catalog_url}?page={n}&page_size={page_size}"

    view: dict[str, Any] = {
        "@id": page_url(page),
        "@type": "hydra:PartialCollectionView",
        "hydra:totalItems": total,
        "hydra:itemsPerPage": page_size,
        "hydra:first": page_url(1),
        "hydra:last": page_url(last),
    }
    if page < last:
        view["hydra:next"] = page_url(page + 1)
    if page > 1:
        view["hydra:previous"] = page_url(min(page - 1, last))
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
        "foaf:homepage": f"{base_url}/docs",
        "dct:language": {"@id": f"{_EU}language/ZHO"},
        "dct:spatial": {"@type": "dct:Location", "dct:title": "广东省"},
        "dcat:dataset": [dataset_node(e, base_url) for e in entries],
        "hydra:view": view,
    }
    if modified is not None:
        doc["dct:modified"] = rfc3339(modified)
    return doc
