"use strict";
// Article admin helpers (loaded as form media, so it carries the CSP nonce).
// 1. The prose editor's contenteditable has no accessible name (axe: aria-input-field-name):
//    give it the text of the body field's <label>.
// 2. Tag input suggestions: fill a <datalist> with existing tag names for the name being typed.
// 3. The autocomplete fields' select2 comboboxes (lead image, byline authors, pinned stories) are named by
//    the current choice only, which is empty on a new row (axe: aria-input-field-name): give each the name
//    of its <select>, from its <label> or, in table rows, its aria-label (set by the admin's inlines).
(function () {
  function labelComboboxes() {
    document.querySelectorAll("select.admin-autocomplete").forEach(function (select) {
      var container = select.nextElementSibling;
      var combobox = container && container.querySelector('.select2-selection[role="combobox"]');
      if (!combobox || combobox.hasAttribute("aria-label")) return;
      var label = select.id ? document.querySelector('label[for="' + select.id + '"]') : null;
      var name = select.getAttribute("aria-label") || (label ? label.textContent.replace(/:$/, "").trim() : "");
      if (!name) return;
      combobox.setAttribute("aria-label", name);
      // The choice shown inside it is a read-only textbox of its own, named by the same label.
      var shown = combobox.querySelector('.select2-selection__rendered[role="textbox"]');
      if (shown) shown.setAttribute("aria-label", name);
    });
  }

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
    labelComboboxes();
    new MutationObserver(function () {
      labelEditors();
      labelComboboxes();
    }).observe(document.body, { childList: true, subtree: true });
  });
})();
