"use strict";
// Article admin helpers (loaded as form media, so it carries the CSP nonce).
// 1. The prose editor's contenteditable has no accessible name (axe: aria-input-field-name):
//    give it the text of the body field's <label>.
// 2. Tag input suggestions: fill a <datalist> with existing tag names for the name being typed.
(function () {
  function labelEditors() {
    document.querySelectorAll(".prose-editor .ProseMirror[contenteditable]").forEach(function (editable) {
      if (editable.hasAttribute("aria-label")) return;
      var container = editable.closest(".form-row, .fieldBox, div");
      var textarea = editable.closest(".prose-editor") && editable.closest(".prose-editor").querySelector("textarea");
      var label = textarea && textarea.id ? document.querySelector('label[for="' + textarea.id + '"]') : null;
      var name = label ? label.textContent.replace(/:$/, "").trim() : "Body";
      editable.setAttribute("aria-label", name || "Body");
      editable.setAttribute("aria-multiline", "true");
      if (container) container.dataset.editorLabelled = "1";
    });
  }

  function setUpTagInput(input) {
    var list = document.getElementById(input.getAttribute("list"));
    if (!list) {
      list = document.createElement("datalist");
      list.id = input.getAttribute("list");
      input.after(list);
    }
    var url = input.dataset.suggestionsUrl;
    var timer = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var value = input.value;
        var cut = value.lastIndexOf(",");
        var done = cut >= 0 ? value.slice(0, cut + 1) + " " : "";
        var current = value.slice(cut + 1).trim();
        if (current.length < 1) { list.replaceChildren(); return; }
        fetch(url + "?q=" + encodeURIComponent(current), { credentials: "same-origin" })
          .then(function (response) { return response.json(); })
          .then(function (data) {
            list.replaceChildren.apply(list, data.results.map(function (name) {
              var option = document.createElement("option");
              option.value = done + name;
              return option;
            }));
          });
      }, 150);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input.tag-input[list]").forEach(setUpTagInput);
    labelEditors();
    new MutationObserver(labelEditors).observe(document.body, { childList: true, subtree: true });
  });
})();
