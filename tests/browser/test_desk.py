"""The regulator's desk in a real browser: a held customs case decided, an entry's inclusion
proof checked by the page's own script (and a tampered entry caught), the RFC 6962 vectors
run through that script, the desk's main pages at a desk's and a phone's width."""

from __future__ import annotations

import hashlib
import json
import re
import time
from pathlib import Path
from typing import Any

import httpx
from support_browser import PHONE, DemoServer, ShotFn, sign_in

VECTORS = Path(__file__).resolve().parents[1] / "audit" / "vectors" / "rfc6962"


def proof_state(page: Any) -> str:
    """The page's verdict once its script has finished (pending while it runs)."""
    page.wait_for_function(
        "() => !['pending', undefined].includes("
        "document.getElementById('proof-result')?.dataset.state)",
        timeout=10_000,
    )
    state: str = page.get_attribute("#proof-result", "data-state")
    return state


def open_covered_entry(page: Any, index: int) -> None:
    """Open an entry's page once a signed checkpoint covers it (one is signed a second after
    the entry is written)."""
    for _ in range(20):
        page.goto(f"/desk/entries/{index}")
        if page.get_attribute("#proof-result", "data-state") != "not-covered":
            return
        time.sleep(0.3)
    raise AssertionError(f"entry {index} was not covered by a checkpoint in 6 s")


def test_the_regulator_decides_customs_and_checks_a_proof_in_the_page(
    browser: Any, demo_server: DemoServer, shot: ShotFn
) -> None:
    page = sign_in(browser, demo_server, "regulator")
    page.on("dialog", lambda dialog: dialog.accept())  # "send this decision?"
    page.goto("/desk")
    assert page.inner_text("h1") == "监管台"
    assert "运行中：无停机" in page.inner_text("main")
    origin = httpx.get(f"{demo_server.url}/v1/audit/public-key").json()["origin"]
    assert page.inner_text("#checkpoint-note").splitlines()[0] == origin
    shot(page, "desk")

    page.goto("/desk/customs")
    card = page.locator("article.case[data-status='pending']").filter(
        has_text=demo_server.names["foreign_buyer"]
    )
    case_id = card.get_attribute("id").removeprefix("case-")
    shot(page, "desk-customs")
    card.locator("input[value='approve']").check()
    card.locator("textarea[name='reason']").fill("已通过数据出境安全评估，准予放行")
    card.locator("button[type='submit']").click()
    page.wait_for_url(re.compile(r"/desk/customs\?done=approve"))
    assert "已放行，订单已结算" in page.inner_text("#decided")
    assert page.locator(f"#case-{case_id}").count() == 0  # no longer waiting

    page.goto(f"/desk/entries?action=customs.case_decided&subject_id={case_id}")
    rows = page.locator("#entries tbody tr")
    assert rows.count() == 1
    shot(page, "desk-entries")
    index = int(rows.first.get_attribute("data-index"))
    open_covered_entry(page, index)
    assert proof_state(page) == "verified"
    assert page.inner_text("#root-check").startswith("✓")
    assert page.inner_text("#signature-check").startswith("✓")
    leaf = page.input_value("#proof-leaf")
    assert json.loads(leaf)["payload"]["reason"] == "已通过数据出境安全评估，准予放行"
    computed = page.inner_text("#computed-leaf-hash")
    assert computed == hashlib.sha256(b"\0" + leaf.encode()).hexdigest()
    shot(page, "desk-entry-proof")

    # Tampering with the entry's bytes in the page: the recomputed root no longer matches.
    page.fill("#proof-leaf", leaf.replace("准予放行", "不予放行"))
    page.click("#proof-recheck")
    assert proof_state(page) == "mismatch"
    assert page.inner_text("#leaf-hash-check").startswith("✗")
    assert page.inner_text("#root-check").startswith("✗")
    # The true bytes check again; a forged signature on the checkpoint does not.
    page.fill("#proof-leaf", leaf)
    page.click("#proof-recheck")
    assert proof_state(page) == "verified"
    signed = page.input_value("#proof-note")
    body, _, signature_line = signed.rpartition("\n\n")
    name, _, encoded = signature_line.removeprefix("\u2014 ").rstrip("\n").partition(" ")
    forged = encoded[:10] + ("A" if encoded[10] != "A" else "B") + encoded[11:]
    page.fill("#proof-note", f"{body}\n\n\u2014 {name} {forged}\n")
    page.click("#proof-recheck")
    assert proof_state(page) == "bad-signature"
    assert page.inner_text("#signature-check").startswith("✗")
    page.context.close()


def test_statistics_at_a_phone_width_and_the_desk_in_english(
    browser: Any, demo_server: DemoServer, shot: ShotFn
) -> None:
    phone = sign_in(browser, demo_server, "regulator", viewport=PHONE)
    for path in ("/desk", "/desk/entries", "/desk/customs", "/desk/entries/0", "/desk/stats"):
        phone.goto(path)
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{path} scrolls sideways on a phone ({width}px)"
    assert phone.locator("svg.chart").count() == 4
    shot(phone, "desk-stats-phone")
    phone.context.close()

    english = sign_in(browser, demo_server, "admin", lang="en-US")
    english.goto("/desk/stats")
    assert english.inner_text("h1") == "Market statistics"
    assert "Read-only for admins" in english.inner_text("main")
    assert english.locator("svg.chart title").first.text_content() == "Turnover by exchange"
    shot(english, "desk-stats-en")
    english.goto("/desk/entries/0")
    assert proof_state(english) == "verified"
    english.context.close()


def test_without_webcrypto_the_page_still_proves_inclusion(
    browser: Any, demo_server: DemoServer
) -> None:
    """Served over plain HTTP to another machine a page has no crypto.subtle: the page's own
    SHA-256 proves inclusion, and says the signature was not checked in this browser."""
    page = sign_in(browser, demo_server, "regulator", lang="en-US")
    page.context.add_init_script(
        "Object.defineProperty(globalThis.crypto, 'subtle', { get: () => undefined });"
    )
    page.goto("/desk/entries/1")
    assert page.evaluate("globalThis.crypto.subtle") is None
    assert proof_state(page) == "verified-unsigned"
    assert page.inner_text("#root-check").startswith("✓")
    assert page.inner_text("#signature-check") == (
        "not checked in this browser (no Ed25519 in its WebCrypto)"
    )
    page.fill("#proof-leaf", page.input_value("#proof-leaf").replace('"seq":1', '"seq":2'))
    page.click("#proof-recheck")
    assert proof_state(page) == "mismatch"
    page.context.close()


def test_the_pages_proof_checker_passes_the_rfc6962_vectors(
    browser: Any, demo_server: DemoServer
) -> None:
    """desk-proof.js accepts every happy path of the public inclusion vectors and rejects
    every damaged one; its own SHA-256 (for pages without WebCrypto) agrees with WebCrypto's."""
    cases = []
    for path in sorted((VECTORS / "testdata" / "inclusion").rglob("*.json")):
        vector = json.loads(path.read_text(encoding="utf-8"))
        cases.append({"name": str(path.relative_to(VECTORS)), **vector})
    assert len(cases) > 50 and any(not c["wantErr"] for c in cases)
    reference = json.loads((VECTORS / "reference-tree.json").read_text(encoding="utf-8"))
    context = browser.new_context(base_url=demo_server.url)
    page = context.new_page()
    page.goto("/sign-in")
    page.add_script_tag(url="/static/desk-proof.js")
    verdicts = page.evaluate(
        """async (cases) => {
          const p = window.deskProof;
          const b64 = (s) => (typeof s === "string" ? p.b64decode(s) : null);
          const out = {};
          for (const c of cases) {
            const proof = (c.proof || []).map(b64);
            out[c.name] = await p.verifyInclusion(
              b64(c.leafHash), c.leafIdx, c.treeSize, proof, b64(c.root));
          }
          return out;
        }""",
        cases,
    )
    wrong = [c["name"] for c in cases if verdicts[c["name"]] == c["wantErr"]]
    assert not wrong, wrong
    leaf_hashes = page.evaluate(
        """async (inputs) => Promise.all(inputs.map(async (h) =>
             window.deskProof.hex(await window.deskProof.leafHash(window.deskProof.unhex(h)))))""",
        reference["leaf_inputs_hex"],
    )
    assert leaf_hashes == [
        hashlib.sha256(b"\0" + bytes.fromhex(h)).hexdigest() for h in reference["leaf_inputs_hex"]
    ]
    agree = page.evaluate(
        """async () => {
          const p = window.deskProof;
          const lengths = [0, 1, 3, 55, 56, 63, 64, 65, 119, 120, 1000, 100000];
          const results = [];
          for (const n of lengths) {
            const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 31 + n) & 255);
            const own = p.hex(p.sha256Own(bytes));
            const web = p.hex(await p.sha256(bytes));
            results.push([n, own === web, own]);
          }
          return results;
        }"""
    )
    for n, same, digest in agree:
        assert same, n
        data = bytes((i * 31 + n) & 255 for i in range(n))
        assert digest == hashlib.sha256(data).hexdigest(), n
    context.close()
