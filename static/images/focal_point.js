// Focal point picker for the image admin: click the photo to fill the focal_x/focal_y fields (fractions
// 0-1 from the top left). Loaded as form Media, so the admin gives it the CSP nonce; no inline script.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const field = (axis) => document.querySelector(`input[data-focal="${axis}"]`);
  for (const picker of document.querySelectorAll("[data-focal-picker]")) {
    const img = picker.querySelector("img");
    const marker = picker.querySelector(".focal-marker");
    const x = field("x");
    const y = field("y");
    if (!img || !marker || !x || !y) continue;

    const show = () => {
      const fx = parseFloat(x.value);
      const fy = parseFloat(y.value);
      const valid = fx >= 0 && fx <= 1 && fy >= 0 && fy <= 1;
      marker.hidden = !valid;
      if (valid) {
        // CSSOM writes are allowed under a strict style-src (only style attributes in markup are not).
        marker.style.left = `${fx * 100}%`;
        marker.style.top = `${fy * 100}%`;
      }
    };

    img.addEventListener("click", (event) => {
      const box = img.getBoundingClientRect();
      const clamp = (v) => Math.min(1, Math.max(0, v));
      x.value = clamp((event.clientX - box.left) / box.width).toFixed(3);
      y.value = clamp((event.clientY - box.top) / box.height).toFixed(3);
      x.dispatchEvent(new Event("change", { bubbles: true }));
      show();
    });
    x.addEventListener("input", show);
    y.addEventListener("input", show);
    show();
  }
});
