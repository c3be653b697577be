// Keep what was typed in a form when the session expires before it is sent.
//
// While someone types, each form's fields are saved in sessionStorage: this browser tab
// only, gone when the tab closes. If sending the form leads to the sign-in page, after
// signing in the same form is shown again with what was typed. Drafts are cleared when
// a page confirms a save, and never kept for sign-in forms, hidden fields (such as the
// record version a stale-edit check relies on) or files.
(function () {
  "use strict";
  var store;
  try { store = window.sessionStorage; } catch (e) { return; }
  if (!store) { return; }
  var PREFIX = "draft:";

  if (document.querySelector(".govuk-notification-banner--success")) {
    Object.keys(store).forEach(function (key) {
      if (key.indexOf(PREFIX) === 0) { store.removeItem(key); }
    });
  }

  function fields(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && ["hidden", "password", "file", "submit", "button"].indexOf(el.type) === -1;
    });
  }

  function save(form, key) {
    var data = {};
    fields(form).forEach(function (el) {
      if (el.type === "checkbox" || el.type === "radio") {
        data[el.name + "=" + el.value] = el.checked;
      } else if (el.multiple) {
        data[el.name] = Array.prototype.filter.call(el.options, function (o) { return o.selected; })
          .map(function (o) { return o.value; });
      } else {
        data[el.name] = el.value;
      }
    });
    store.setItem(key, JSON.stringify(data));
  }

  function restore(form, data) {
    fields(form).forEach(function (el) {
      if (el.type === "checkbox" || el.type === "radio") {
        var k = el.name + "=" + el.value;
        if (k in data) { el.checked = data[k]; }
      } else if (el.name in data) {
        if (el.multiple) {
          Array.prototype.forEach.call(el.options, function (o) {
            o.selected = data[el.name].indexOf(o.value) !== -1;
          });
        } else {
          el.value = data[el.name];
        }
      }
    });
  }

  var hasErrors = !!document.querySelector(".govuk-error-summary");
  Array.prototype.forEach.call(document.querySelectorAll("form[method=post]"), function (form, i) {
    if (form.querySelector("input[type=password]") || form.hasAttribute("data-no-draft")) { return; }
    var key = PREFIX + window.location.pathname + "#" + i;
    var saved = store.getItem(key);
    // A page re-shown with errors already holds what was sent; otherwise bring back a draft.
    if (saved && !hasErrors) {
      try { restore(form, JSON.parse(saved)); } catch (e) { store.removeItem(key); }
    }
    form.addEventListener("input", function () { save(form, key); });
    form.addEventListener("change", function () { save(form, key); });
  });
})();
