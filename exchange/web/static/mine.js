// "Mine" pages: show a chosen package's SHA-256 (the asset's fingerprint) before it is sent.
"use strict";
document.addEventListener("change", async (event) => {
  const input = event.target;
  if (!(input instanceof HTMLInputElement) || !input.dataset.fingerprintTarget) return;
  const target = document.getElementById(input.dataset.fingerprintTarget);
  const file = input.files && input.files[0];
  if (!target || !file || !window.crypto || !window.crypto.subtle) return;
  const digest = await window.crypto.subtle.digest("SHA-256", await file.arrayBuffer());
  target.value = Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
});
