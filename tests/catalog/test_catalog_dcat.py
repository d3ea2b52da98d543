"""The DCAT-AP 3 export parses as JSON-LD with the classes and required properties."""

from __future__ import annotations

from typing import Any

import httpx
from catalog_helpers import bound_department, create_elements, item_body, publish
from pyld import jsonld

from support import Actor, MakeParticipant

DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"
KEYWORDS = {"@context", "@id", "@type", "@value", "@language", "@graph"}
REQUIRED = {  # DCAT-AP 3 mandatory properties per class, as expanded IRIs
    DCAT + "Catalog": {DCT + "title", DCT + "description", DCT + "publisher"},
    DCAT + "Dataset": {DCT + "title", DCT + "description"},
    DCAT + "Distribution": {DCAT + "accessURL"},
    FOAF + "Agent": {FOAF + "name"},
}


def expand(term: str, context: dict[str, Any]) -> str:
    """A compact IRI expanded with the document's own prefixes (JSON-LD §4.1.5)."""
    prefix, colon, local = term.partition(":")
    assert colon, f"{term!r} is not a compact IRI"
    if local.startswith("//"):
        return term
    assert isinstance(context.get(prefix), str), f"prefix {prefix!r} is not in @context"
    return str(context[prefix]) + local


def nodes(value: Any, context: dict[str, Any]) -> list[tuple[set[str], set[str], dict[str, Any]]]:
    """Every node object: (expanded types, expanded property IRIs, the node)."""
    found = []
    if isinstance(value, list):
        for v in value:
            found.extend(nodes(v, context))
    elif isinstance(value, dict) and "@value" not in value:
        types = value.get("@type", [])
        types = [types] if isinstance(types, str) else types
        props = {expand(k, context) for k in value if k not in KEYWORDS}
        found.append(({expand(t, context) for t in types}, props, value))
        for key, v in value.items():
            if key != "@context":
                found.extend(nodes(v, context))
    return found


def literal(value: Any) -> bool:
    values = value if isinstance(value, list) else [value]
    return all(
        (isinstance(v, dict) and isinstance(v.get("@value"), str) and v["@value"])
        or (isinstance(v, str) and v)
        for v in values
    ) and bool(values)


def _no_network(url: str, options: dict[str, Any]) -> Any:
    raise AssertionError(f"the export must not need a remote context: {url}")


def flattened(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """The document's node objects as pyld flattens them (full IRIs, no remote loads)."""
    result = jsonld.flatten(doc, None, {"documentLoader": _no_network})
    return list(result if isinstance(result, list) else result["@graph"])


async def test_dcat_export_is_json_ld_with_dcat_ap_classes(
    client: httpx.AsyncClient, admin: Actor, make_participant: MakeParticipant
) -> None:
    hrss, _ = await bound_department(
        client, admin, make_participant, code="HRSS", name="广东省人力资源和社会保障厅"
    )
    await create_elements(client, hrss)
    hidden = await publish(client, hrss, item_body())  # not open: not exported
    opened = []
    for i in range(3):
        opened.append(
            await publish(
                client,
                hrss,
                item_body(
                    name_zh=f"养老保险待遇发放统计数据{i}",
                    name_en=f"Pension statistics {i}",
                    description="按月统计的养老保险待遇发放人数与金额。",
                    grade="general",
                    personal_info=False,
                    sharing="unconditional",
                    opening="unconditional",
                    usage_methods=["api", "file"],
                    fields=[{"code": "stat_period", "name_zh": "统计期"}],
                    unique_key=[],
                    timeliness_field=None,
                ),
            )
        )
    r = await client.get("/v1/catalog/dcat", params={"page_size": 2})  # no key needed
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/ld+json")
    doc = r.json()
    context = doc["@context"]
    assert context["dcat"] == DCAT and context["dct"] == DCT and context["foaf"] == FOAF
    found = nodes(doc, context)
    by_type: dict[str, list[tuple[set[str], dict[str, Any]]]] = {}
    for types, props, node in found:
        for t in types:
            by_type.setdefault(t, []).append((props, node))
    for cls, required in REQUIRED.items():
        assert by_type.get(cls), f"no {cls} node"
        for props, node in by_type[cls]:
            assert required <= props, f"{cls} lacks {required - props}"
            for prop in required:
                short = next(k for k in node if k not in KEYWORDS and expand(k, context) == prop)
                if prop == DCAT + "accessURL":
                    assert str(node[short]).startswith("http")
                elif prop != DCT + "publisher":
                    assert literal(node[short]), f"{cls} {prop} is empty"
    datasets = [node for _props, node in by_type[DCAT + "Dataset"]]
    assert len(datasets) == 2
    exported = {d["dct:identifier"] for d in datasets}
    assert exported <= {o["code"] for o in opened} and hidden["code"] not in exported
    first = datasets[0]
    assert {"@value": "养老保险待遇发放统计数据0", "@language": "zh"} in first["dct:title"]
    assert len(first["dcat:distribution"]) == 2  # one per usage method
    assert first["dct:accrualPeriodicity"]["@id"].endswith("frequency/DAILY")
    assert first["dct:publisher"]["foaf:name"][0]["@value"] == "广东省人力资源和社会保障厅"
    # A real JSON-LD processor (offline: the context is inline) reads the same graph.
    graph = flattened(doc)
    for cls, required in REQUIRED.items():
        typed = [n for n in graph if cls in n.get("@type", [])]
        assert typed, f"the JSON-LD processor finds no {cls}"
        for node in typed:
            assert required <= set(node), f"{cls} {node['@id']} lacks {required - set(node)}"
    assert len([n for n in graph if DCAT + "Dataset" in n.get("@type", [])]) == 2
    view = doc["hydra:view"]
    assert view["hydra:totalItems"] == 3 and view["hydra:next"].endswith("page=2&page_size=2")
    last = (await client.get("/v1/catalog/dcat", params={"page": 2, "page_size": 2})).json()
    assert len(last["dcat:dataset"]) == 1 and "hydra:next" not in last["hydra:view"]
