// The product page's own check of its certificate, in the browser (no trust in the server's
// verdict): Ed25519 over the signed canonical JSON bytes, with the registry's public key,
// by WebCrypto; and the document's fingerprint compared with the product's package.
"use strict";
(() => {
  const box = document.getElementById("browser-check");
  if (!box) return;
  const say = (ok, text) => {
    box.textContent = text;
    box.classList.add("verdict", ok ? "ok" : "bad");
    box.dataset.result = ok ? "valid" : "invalid";
  };
  const zh = document.documentElement.lang.startsWith("zh");
  const bytes = (b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  if (!window.crypto || !window.crypto.subtle) {
    box.dataset.result = "unavailable";
    box.textContent = zh ? "此浏览器无法核验（需要 HTTPS 或本机地址）。" : "This browser cannot check it here (it needs HTTPS or localhost).";
    return;
  }
  (async () => {
    try {
      const documentBytes = bytes(box.dataset.document);
      const key = await crypto.subtle.importKey("raw", bytes(box.dataset.publicKey), { name: "Ed25519" }, false, ["verify"]);
      const signed = await crypto.subtle.verify({ name: "Ed25519" }, key, bytes(box.dataset.signature), documentBytes);
      const stated = JSON.parse(new TextDecoder().decode(documentBytes)).fingerprint || {};
      const same = String(stated.value || "").toLowerCase() === box.dataset.fingerprint.toLowerCase();
      if (signed && same) {
        say(true, zh ? "浏览器核验：Ed25519 签名有效，凭证指纹与本产品数据包一致。" : "Checked in this browser: the Ed25519 signature verifies and the fingerprint is this product's package.");
      } else if (!signed) {
        say(false, zh ? "浏览器核验：签名无效！" : "Checked in this browser: the signature does NOT verify!");
      } else {
        say(false, zh ? "浏览器核验：凭证指纹与本产品数据包不一致！" : "Checked in this browser: the fingerprint is NOT this product's package!");
      }
    } catch (error) {
      box.dataset.result = "unavailable";
      box.textContent = (zh ? "此浏览器无法核验：" : "This browser cannot check it: ") + error.message;
    }
  })();
})();
