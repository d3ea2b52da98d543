"""The DCAT-AP 3 export: JSON-LD with the classes and required properties, accepted whole by
the official DCAT-AP 3 SHACL shapes, and read by CKAN's harvester with its format, rights,
licence and place."""

from __future__ import annotations

import itertools
import os
from pathlib import Path
from typing import Any

import httpx
import pytest
from catalog_helpers import bound_department, create_elements, item_body, publish
from pyld import jsonld
from pyshacl import validate
from rdflib import RDF, RDFS, SH, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import SKOS

from exchange.catalog.vocabulary import UpdateFrequency, UsageMethod
from exchange.vocabulary import Opening, Sharing
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
                    personal_information=False,
                    sharing="unconditional",
                    opening="unconditional",
                    usage_methods=["api", "file"],
                    fields=[{"code": "stat_period", "name_zh": "统计期"}],
                    unique_key=[],
                    timeliness_field=None,
                ),
            )
        )
    r = await client.get("/v1/catalog/dcat", params={"limit": 2})  # no key needed
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
    assert view["hydra:totalItems"] == 3 and view["hydra:next"].endswith("limit=2&offset=2")
    assert view["hydra:last"].endswith("limit=2&offset=2") and "hydra:previous" not in view
    last = (await client.get("/v1/catalog/dcat", params={"limit": 2, "offset": 2})).json()
    assert len(last["dcat:dataset"]) == 1 and "hydra:next" not in last["hydra:view"]
    assert last["hydra:view"]["hydra:previous"].endswith("limit=2&offset=0")


def _shapes_dir() -> Path:
    """The official DCAT-AP 3.0.1 shapes: $EXCHANGE_DCAT_AP_SHAPES, else the copy kept in
    ../shared/testdata beside the repository (CC-BY 4.0, README alongside)."""
    override = os.environ.get("EXCHANGE_DCAT_AP_SHAPES")
    if override:
        return Path(override)
    root = Path(__file__).resolve().parents[2]
    return root.parent / "shared" / "testdata" / "dcat-ap-3.0.1"


SHAPES = _shapes_dir()
SHAPE_FILES = ("shapes.ttl", "range.ttl")  # mandatory shapes and class ranges
DCT_NS = Namespace(DCT)
DCAT_NS = Namespace(DCAT)
FOAF_NS = Namespace(FOAF)
FREQUENCIES = {
    UpdateFrequency.REAL_TIME: "UPDATE_CONT",
    UpdateFrequency.DAILY: "DAILY",
    UpdateFrequency.WEEKLY: "WEEKLY",
    UpdateFrequency.MONTHLY: "MONTHLY",
    UpdateFrequency.QUARTERLY: "QUARTERLY",
    UpdateFrequency.YEARLY: "ANNUAL",
    UpdateFrequency.IRREGULAR: "IRREG",
}


def shacl_violations(data: Graph) -> list[str]:
    """The messages of every sh:Violation the official shapes report on the graph."""
    shapes = Graph()
    for name in SHAPE_FILES:
        shapes.parse(SHAPES / name, format="turtle")
    _conforms, report, _text = validate(data, shacl_graph=shapes, inference="none")
    assert isinstance(report, Graph)
    messages = []
    for result in report.subjects(SH.resultSeverity, SH.Violation):
        parts = [report.value(result, p) for p in (SH.focusNode, SH.resultPath, SH.resultMessage)]
        messages.append(" | ".join(str(p) for p in parts))
    return messages


def ckan_format(g: Graph, distribution: URIRef) -> tuple[str, str]:
    """(mimetype, format) the way ckanext-dcat reads a distribution (profiles/base.py
    `_distribution_format`, before CKAN's own format normalisation)."""
    imt = g.value(distribution, DCAT_NS.mediaType)
    fmt = g.value(distribution, DCT_NS["format"])
    assert isinstance(fmt, URIRef), "dct:format is an IRI of the EU file-type vocabulary"
    # ckanext-dcat looks at the first type only: a label is read from a dct:IMT format.
    label = g.value(fmt, RDFS.label) if next(g.objects(fmt, RDF.type)) == DCT_NS.IMT else fmt
    return str(imt), str(label)


# rdflib's JSON-LD parser still builds a ConjunctiveGraph internally (rdflib 7).
@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
async def test_dcat_export_passes_the_official_dcat_ap_3_shapes(
    client: httpx.AsyncClient, admin: Actor, make_participant: MakeParticipant
) -> None:
    if not SHAPES.is_dir():
        pytest.skip(f"DCAT-AP 3 shapes not found at {SHAPES}; set EXCHANGE_DCAT_AP_SHAPES")
    departments = [
        await bound_department(
            client, admin, make_participant, code=code, name=name, division=division
        )
        for code, name, division in (
            ("HRSS", "广东省人力资源和社会保障厅", "440000"),
            ("GZ-HRSS", "广州市人力资源和社会保障局", "440100"),
            ("TH-HRSS", "广州市天河区人力资源和社会保障局", "440106"),
        )
    ]
    # Every sharing and opening attribute; every update frequency and usage method among
    # the open items (the only ones exported).
    open_pairs = [(s, o) for s, o in itertools.product(Sharing, Opening) if o != Opening.NOT_OPEN]
    specs = [(*open_pairs[i % len(open_pairs)], f) for i, f in enumerate(UpdateFrequency)]
    specs += [(s, Opening.NOT_OPEN, UpdateFrequency.DAILY) for s in Sharing]
    methods = list(UsageMethod)
    for i, (sharing, opening, frequency) in enumerate(specs):
        actor, _department = departments[i % len(departments)]
        await publish(
            client,
            actor,
            item_body(
                name_zh=f"就业登记统计数据{i}",
                name_en=f"Employment registration statistics {i}" if i % 2 else "",
                description="按月统计的就业登记人数。" if i % 3 else "",
                update_frequency=frequency,
                usage_methods=methods[: 1 + i % len(methods)],
                grade="general",
                personal_information=False,
                sharing=sharing,
                sharing_conditions="仅限就业服务使用" if sharing == Sharing.CONDITIONAL else "",
                opening=opening,
                opening_conditions="须签署数据使用承诺书" if opening == Opening.CONDITIONAL else "",
                fields=[{"code": "stat_period", "name_zh": "统计期"}],
                unique_key=[],
                timeliness_field=None,
            ),
        )
    r = await client.get("/v1/catalog/dcat", params={"limit": 100})
    assert r.status_code == 200
    # rdflib reads JSON-LD as CKAN's harvester does; the context is inline (no fetch).
    g = Graph().parse(data=r.text, format="json-ld")
    datasets = set(g.subjects(RDF.type, DCAT_NS.Dataset))
    assert len(datasets) == len(UpdateFrequency)  # the open items, not the closed ones
    assert {str(o).rsplit("/", 1)[1] for o in g.objects(None, DCT_NS.accrualPeriodicity)} == set(
        FREQUENCIES.values()
    )

    violations = shacl_violations(g)
    assert not violations, f"{len(violations)} violations, first: " + "\n".join(violations[:5])

    # What a CKAN harvest keeps: format as a label (CSV), the IANA media type, the rights
    # text, the licence of unconditionally open data and the place each dataset covers.
    distributions = list(g.subjects(RDF.type, DCAT_NS.Distribution))
    formats = {ckan_format(g, d) for d in distributions}
    assert formats == {
        ("https://www.iana.org/assignments/media-types/application/json", "JSON"),
        ("https://www.iana.org/assignments/media-types/text/csv", "CSV"),
        ("https://www.iana.org/assignments/media-types/text/html", "HTML"),
    }
    for distribution in distributions:
        rights = g.value(distribution, DCT_NS.rights)
        assert isinstance(rights, BNode)
        assert next(g.objects(rights, RDF.type)) == DCT_NS.RightsStatement
        labels = {str(v) for v in g.objects(rights, RDFS.label)}
        dataset = next(g.subjects(DCAT_NS.distribution, distribution))
        access = g.value(dataset, DCT_NS.accessRights)
        licence = g.value(distribution, DCT_NS.license)
        if str(access).endswith("access-right/PUBLIC"):
            assert "无条件开放" in labels
            assert licence == URIRef("https://creativecommons.org/licenses/by/4.0/")
            assert (licence, RDF.type, DCT_NS.LicenseDocument) in g
            # CKAN's register matches a licence by its title: cc-by.
            assert Literal("Creative Commons Attribution", lang="en") in set(
                g.objects(licence, DCT_NS.title)
            )
        else:
            assert str(access).endswith("access-right/RESTRICTED")
            assert "有条件开放：须签署数据使用承诺书" in labels and licence is None
    places = set()
    for dataset in datasets:
        place = g.value(dataset, DCT_NS.spatial)
        assert (place, RDF.type, DCT_NS.Location) in g
        places.add(str(g.value(place, SKOS.prefLabel)))
        page = g.value(dataset, DCAT_NS.landingPage)
        assert page != dataset and (page, RDF.type, FOAF_NS.Document) in g
    assert places == {"广东省", "广州市", "天河区"}
