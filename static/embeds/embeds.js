// Click-to-load embeds (embeds/render.py): nothing is requested from a provider until the reader presses the
// placeholder's button; then its iframe (on a host the CSP's frame-src allows) replaces the button.
document.addEventListener("click", (event) => {
  const button = event.target.closest(".embed-load");
  if (!button) return;
  const frame = button.closest(".embed-frame");
  const src = frame && frame.dataset.embedSrc;
  if (!src || !src.startsWith("https://")) return;
  const iframe = document.createElement("iframe");
  iframe.src = src;
  iframe.title = frame.dataset.embedTitle || "Embedded content";
  iframe.allow = "autoplay; encrypted-media; fullscreen; picture-in-picture";
  iframe.allowFullscreen = true;
  iframe.referrerPolicy = "strict-origin-when-cross-origin";
  iframe.className = "embed-iframe";
  if (frame.dataset.embedHeight) iframe.height = frame.dataset.embedHeight;
  frame.replaceChildren(iframe);
  frame.classList.add("embed-loaded");
  iframe.focus();
});
