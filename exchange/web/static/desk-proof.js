// The regulator's desk: an audit log entry's inclusion proof, checked in this browser.
//
// Nothing here takes the server's word. From the entry's bytes (the text area, UTF-8), the
// audit path and the signed checkpoint (the C2SP note), the page itself:
//   1. hashes the leaf:        SHA-256(0x00 || entry bytes)                  (RFC 6962 §2.1)
//   2. climbs the audit path:  SHA-256(0x01 || left || right) per level      (RFC 9162 §2.1.3.2)
//   3. compares the root it reached with the root in the checkpoint note's body;
//   4. verifies the note's Ed25519 signature with the log's public key (the one published,
//      or one the regulator pinned and pastes), where this browser's WebCrypto has Ed25519.
// SHA-256 is WebCrypto's (crypto.subtle.digest); a page served over plain HTTP to another
// machine has no crypto.subtle, so a small SHA-256 of our own stands in for it there.
// No library, nothing fetched: everything comes from the page.
"use strict";

(() => {
  const encoder = new TextEncoder();

  function concat(...parts) {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }

  function equal(a, b) {
    if (!(a instanceof Uint8Array) || !(b instanceof Uint8Array) || a.length !== b.length) {
      return false;
    }
    let diff = 0;
    for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
    return diff === 0;
  }

  function hex(bytes) {
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function unhex(text) {
    if (typeof text !== "string" || !/^(?:[0-9a-f]{2})*$/.test(text)) return null;
    const out = new Uint8Array(text.length / 2);
    for (let i = 0; i < out.length; i++) out[i] = parseInt(text.substr(2 * i, 2), 16);
    return out;
  }

  function b64encode(bytes) {
    let binary = "";
    for (const b of bytes) binary += String.fromCharCode(b);
    return btoa(binary);
  }

  // Canonical standard base64 only (as exchange/audit/note.py): one spelling per value.
  function b64decode(text) {
    if (typeof text !== "string" || text.length % 4 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) {
      return null;
    }
    let binary;
    try {
      binary = atob(text);
    } catch (_) {
      return null;
    }
    const out = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    return b64encode(out) === text ? out : null;
  }

  // --- SHA-256 --------------------------------------------------------------------------

  const K = new Uint32Array([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
  ]);

  // FIPS 180-4 SHA-256, for pages without WebCrypto (plain HTTP to another machine).
  function sha256Own(message) {
    const bits = message.length * 8;
    const padded = new Uint8Array((((message.length + 9 + 63) >> 6) << 6));
    padded.set(message);
    padded[message.length] = 0x80;
    const view = new DataView(padded.buffer);
    view.setUint32(padded.length - 8, Math.floor(bits / 2 ** 32));
    view.setUint32(padded.length - 4, bits >>> 0);
    const h = new Uint32Array([
      0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
    ]);
    const w = new Uint32Array(64);
    const rotr = (x, n) => (x >>> n) | (x << (32 - n));
    for (let block = 0; block < padded.length; block += 64) {
      for (let t = 0; t < 16; t++) w[t] = view.getUint32(block + 4 * t);
      for (let t = 16; t < 64; t++) {
        const s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >>> 3);
        const s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >>> 10);
        w[t] = (w[t - 16] + s0 + w[t - 7] + s1) >>> 0;
      }
      let [a, b, c, d, e, f, g, k] = h;
      for (let t = 0; t < 64; t++) {
        const t1 = (k + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[t] + w[t]) >>> 0;
        const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) >>> 0;
        k = g;
        g = f;
        f = e;
        e = (d + t1) >>> 0;
        d = c;
        c = b;
        b = a;
        a = (t1 + t2) >>> 0;
      }
      h[0] += a; h[1] += b; h[2] += c; h[3] += d;
      h[4] += e; h[5] += f; h[6] += g; h[7] += k;
    }
    const out = new Uint8Array(32);
    const outView = new DataView(out.buffer);
    h.forEach((word, i) => outView.setUint32(4 * i, word));
    return out;
  }

  const subtle = globalThis.crypto && globalThis.crypto.subtle;

  async function sha256(bytes) {
    if (subtle) return new Uint8Array(await subtle.digest("SHA-256", bytes));
    return sha256Own(bytes);
  }

  // --- RFC 6962 / RFC 9162 --------------------------------------------------------------

  const LEAF = new Uint8Array([0x00]);
  const NODE = new Uint8Array([0x01]);

  function leafHash(bytes) {
    return sha256(concat(LEAF, bytes));
  }

  function nodeHash(left, right) {
    return sha256(concat(NODE, left, right));
  }

  function asIndex(value) {
    try {
      const n = BigInt(value);
      return n >= 0n ? n : null;
    } catch (_) {
      return null;
    }
  }

  // The root an inclusion proof implies (RFC 9162 §2.1.3.2), or null if it is malformed.
  // BigInt, so that indexes past 2^31 climb correctly (JavaScript's bit operators are 32-bit).
  async function rootFromInclusionProof(leaf, index, size, proof) {
    const fnStart = asIndex(index);
    const sizeN = asIndex(size);
    if (!(leaf instanceof Uint8Array) || leaf.length !== 32 || fnStart === null || sizeN === null) {
      return null;
    }
    if (!Array.isArray(proof) || fnStart >= sizeN) return null;
    if (!proof.every((p) => p instanceof Uint8Array && p.length === 32)) return null;
    let fn = fnStart;
    let sn = sizeN - 1n;
    let r = leaf;
    for (const p of proof) {
      if (sn === 0n) return null; // longer than the tree is tall
      if ((fn & 1n) === 1n || fn === sn) {
        r = await nodeHash(p, r);
        while ((fn & 1n) === 0n && fn !== 0n) {
          fn >>= 1n;
          sn >>= 1n;
        }
      } else {
        r = await nodeHash(r, p);
      }
      fn >>= 1n;
      sn >>= 1n;
    }
    return sn === 0n ? r : null; // sn > 0: too short to reach the root
  }

  async function verifyInclusion(leaf, index, size, proof, root) {
    const computed = await rootFromInclusionProof(leaf, index, size, proof);
    return computed !== null && root instanceof Uint8Array && root.length === 32 && equal(computed, root);
  }

  // --- C2SP signed notes and checkpoints ---------------------------------------------------

  const SIGNATURE_PREFIX = "\u2014 "; // EM DASH, space

  // Split a signed note at its last blank line into the text and its signature lines.
  function parseNote(text) {
    const split = text.lastIndexOf("\n\n");
    if (split < 0) throw new Error("no blank line before the signatures");
    const body = text.slice(0, split + 1);
    const block = text.slice(split + 2);
    if (!block.endsWith("\n")) throw new Error("the signatures do not end with a newline");
    const signatures = block.slice(0, -1).split("\n").map((line) => {
      if (!line.startsWith(SIGNATURE_PREFIX)) throw new Error(`malformed signature line ${line}`);
      const rest = line.slice(SIGNATURE_PREFIX.length);
      const space = rest.indexOf(" ");
      const raw = space > 0 ? b64decode(rest.slice(space + 1)) : null;
      if (raw === null || raw.length <= 4) throw new Error(`malformed signature line ${line}`);
      return { name: rest.slice(0, space), keyId: raw.slice(0, 4), signature: raw.slice(4) };
    });
    return { body, signatures };
  }

  // The checkpoint body: origin, decimal tree size, base64 root (then extension lines).
  function parseCheckpoint(body) {
    const lines = body.slice(0, -1).split("\n");
    if (lines.length < 3 || !lines[0]) throw new Error("a checkpoint needs origin, size and root");
    if (!/^(?:0|[1-9][0-9]*)$/.test(lines[1])) throw new Error("the size is not a decimal");
    const root = b64decode(lines[2]);
    if (root === null || root.length !== 32) throw new Error("the root is not base64 of 32 bytes");
    return { origin: lines[0], size: BigInt(lines[1]), root };
  }

  // SHA-256(key name || 0x0A || 0x01 || public key)[:4], the C2SP Ed25519 key ID.
  async function keyId(name, publicKey) {
    const digest = await sha256(concat(encoder.encode(name), new Uint8Array([0x0a, 0x01]), publicKey));
    return digest.slice(0, 4);
  }

  async function importEd25519(publicKey) {
    if (!subtle) return null;
    try {
      return await subtle.importKey("raw", publicKey, { name: "Ed25519" }, false, ["verify"]);
    } catch (_) {
      return null; // this browser's WebCrypto has no Ed25519
    }
  }

  // The note's signature by this key: "ok", "bad", "missing" (none by this key) or
  // "unsupported" (no Ed25519 here). Signatures by other keys (witnesses) are ignored.
  async function verifyNoteSignature(noteText, keyName, publicKeyB64) {
    const publicKey = b64decode(publicKeyB64.trim());
    if (publicKey === null || publicKey.length !== 32) return { state: "bad", detail: "public key" };
    const { body, signatures } = parseNote(noteText);
    const id = await keyId(keyName, publicKey);
    const mine = signatures.filter((s) => s.name === keyName && equal(s.keyId, id));
    if (!mine.length) return { state: "missing", keyId: hex(id) };
    const key = await importEd25519(publicKey);
    if (key === null) return { state: "unsupported", keyId: hex(id) };
    for (const s of mine) {
      const valid = s.signature.length === 64
        && await subtle.verify({ name: "Ed25519" }, key, s.signature, encoder.encode(body));
      if (!valid) return { state: "bad", keyId: hex(id) };
    }
    return { state: "ok", keyId: hex(id) };
  }

  // --- the page ----------------------------------------------------------------------------

  // Check an entry: its bytes, the path and tree size the page carries, a note and a key.
  async function checkEntry({ leafText, leafHashStored, index, treeSize, auditPath, note, keyName, publicKey }) {
    const result = { leafHash: null, leafMatches: false, root: null, rootMatches: false, signature: null };
    const leaf = await leafHash(encoder.encode(leafText));
    result.leafHash = hex(leaf);
    result.leafMatches = result.leafHash === leafHashStored;
    const { body } = parseNote(note);
    const checkpoint = parseCheckpoint(body);
    result.sizeMatches = checkpoint.size === BigInt(treeSize);
    const path = auditPath.map(unhex);
    const root = await rootFromInclusionProof(leaf, index, treeSize, path);
    result.root = root === null ? null : hex(root);
    result.rootMatches = root !== null && result.sizeMatches && equal(root, checkpoint.root);
    result.signature = await verifyNoteSignature(note, keyName, publicKey);
    if (!result.rootMatches) result.state = "mismatch";
    else if (result.signature.state === "ok") result.state = "verified";
    else if (result.signature.state === "unsupported") result.state = "verified-unsigned";
    else result.state = "bad-signature";
    return result;
  }

  function setUp() {
    const dataNode = document.getElementById("proof-data");
    const button = document.getElementById("proof-recheck");
    const outcome = document.getElementById("proof-result");
    if (!dataNode || !button || !outcome) return;
    const data = JSON.parse(dataNode.textContent);
    const text = JSON.parse(document.getElementById("proof-text").textContent);
    const leafArea = document.getElementById("proof-leaf");
    const noteArea = document.getElementById("proof-note");
    leafArea.value = data.leaf; // exactly the served bytes, whatever the HTML parser did
    noteArea.value = data.checkpoint;
    const show = (id, value, className) => {
      const node = document.getElementById(id);
      if (className === undefined) {
        node.textContent = value;
        return;
      }
      const badge = document.createElement("span");
      badge.className = className;
      badge.textContent = value;
      node.replaceChildren(badge);
    };
    const run = async () => {
      outcome.dataset.state = "pending";
      outcome.className = "flash";
      outcome.textContent = text.checking;
      let result;
      try {
        result = await checkEntry({
          leafText: leafArea.value,
          leafHashStored: data.leaf_hash,
          index: data.index,
          treeSize: data.tree_size,
          auditPath: data.audit_path,
          note: noteArea.value,
          keyName: document.getElementById("proof-key-name").value.trim(),
          publicKey: document.getElementById("proof-key").value,
        });
      } catch (error) {
        outcome.dataset.state = "error";
        outcome.className = "flash error";
        outcome.textContent = `${text.error}: ${error.message}`;
        return;
      }
      const mark = (ok) => (ok ? ["match", "badge ok"] : ["differs", "badge bad"]);
      show("computed-leaf-hash", result.leafHash);
      const [leafWord, leafClass] = mark(result.leafMatches);
      show("leaf-hash-check", text[leafWord], leafClass);
      show("computed-root", result.root || "—");
      const [rootWord, rootClass] = mark(result.rootMatches);
      show("root-check", result.sizeMatches ? text[rootWord] : text.size_differs, rootClass);
      const sig = result.signature;
      const sigText = {
        ok: `${text.sig_ok} ${sig.keyId}`,
        bad: text.sig_bad,
        missing: text.sig_missing,
        unsupported: text.sig_unsupported,
      }[sig.state];
      const sigClass = { ok: "badge ok", unsupported: "badge warn" }[sig.state] || "badge bad";
      show("signature-check", sigText, sigClass);
      const headline = {
        verified: [text.verified, "flash ok"],
        "verified-unsigned": [text.verified_unsigned, "flash warn"],
        mismatch: [text.mismatch, "flash error"],
        "bad-signature": [text.bad_signature, "flash error"],
      }[result.state];
      outcome.dataset.state = result.state;
      outcome.className = headline[1];
      outcome.textContent = headline[0];
    };
    button.addEventListener("click", run);
    run();
  }

  window.deskProof = {
    sha256,
    sha256Own,
    leafHash,
    nodeHash,
    rootFromInclusionProof,
    verifyInclusion,
    parseNote,
    parseCheckpoint,
    keyId,
    verifyNoteSignature,
    checkEntry,
    hex,
    unhex,
    b64decode,
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUp);
  else setUp();
})();
