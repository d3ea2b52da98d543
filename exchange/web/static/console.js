// The console's shared script: small, no framework. Pages add their own modules.
"use strict";
// Confirm before a form marked data-confirm is sent (buying, deciding, ending a class).
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
});
