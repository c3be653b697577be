// Keep what was typed in a form when the session expires before it is sent.
//
// While someone types, each form's fields are saved in sessionStorage: this browser tab
// only, gone when the tab closes. If sending the form leads to the sign-in page, after
// signing in the same form is shown again with what was typed, under a banner saying so,
// so nobody saves text they have not checked. Never kept for sign-in forms, hidden fields
// (such as the record version a stale-edit check relies on) or files.
//
// Invariants:
// - a restored value replaces a field's value only while the field is empty or still
//   holds what the server sent: it never adds to, or overwrites, anything else;
// - a draft is cleared once its form has been sent and the next page is not the sign-in
//   page or the same form shown with errors (so a saved form is never offered again),
//   and every draft is cleared when a page confirms a save.
(function () {
  "use strict";
  var store;
  try { store = window.sessionStorage; } catch (e) { return; }
  if (!store) { return; }
  var PREFIX = "draft:";
  var SENT = "draft-sent";

  var hasErrors = !!document.querySelector(".govuk-error-summary");
  var isSignIn = !!document.querySelector("input[type=password]");

  if (document.querySelector(".govuk-notification-banner--success")) {
    Object.keys(store).forEach(function (key) {
      if (key.indexOf(PREFIX) === 0 || key === SENT) { store.removeItem(key); }
    });
  }

  // The form sent last time: kept through the sign-in page and an error page; anywhere
  // else the send went through, so its draft is done with.
  var sent = store.getItem(SENT);
  if (sent && !isSignIn) {
    var sentPath = sent.slice(PREFIX.length).split("#")[0];
    if (!(hasErrors && sentPath === window.location.pathname)) {
      if (sentPath !== window.location.pathname) { store.removeItem(sent); }
      store.removeItem(SENT);
    }
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

  function selectedValues(el, fromServer) {
    var values = Array.prototype.filter.call(el.options, function (o) {
      return fromServer ? o.defaultSelected : o.selected;
    }).map(function (o) { return o.value; });
    // A single select the server marked nothing in shows its first option.
    if (fromServer && !values.length && !el.multiple && el.options.length) {
      values = [el.options[0].value];
    }
    return values.join("\n");
  }

  // Whether the field still shows what the page came with (or nothing), so a draft may
  // take its place without losing anything.
  function untouched(el) {
    if (el.type === "checkbox" || el.type === "radio") { return el.checked === el.defaultChecked; }
    if (el.options) {
      var now = selectedValues(el, false);
      return now === "" || now === selectedValues(el, true);
    }
    return el.value === "" || el.value === el.defaultValue;
  }

  // Puts the draft back; returns how many fields it changed.
  function restore(form, data) {
    var changed = 0;
    fields(form).forEach(function (el) {
      if (!untouched(el)) { return; }
      if (el.type === "checkbox" || el.type === "radio") {
        var k = el.name + "=" + el.value;
        if (k in data && el.checked !== data[k]) { el.checked = data[k]; changed += 1; }
      } else if (el.name in data) {
        if (el.multiple) {
          var wanted = data[el.name];
          if (!Array.isArray(wanted)) { return; }
          var before = selectedValues(el, false);
          Array.prototype.forEach.call(el.options, function (o) {
            o.selected = wanted.indexOf(o.value) !== -1;
          });
          if (selectedValues(el, false) !== before) { changed += 1; }
        } else if (typeof data[el.name] === "string" && el.value !== data[el.name]) {
          el.value = data[el.name];  // replaces, never appends
          changed += 1;
        }
      }
    });
    return changed;
  }

  function announce(form) {
    var banner = document.createElement("div");
    banner.className = "govuk-notification-banner";
    banner.setAttribute("role", "alert");
    banner.setAttribute("aria-labelledby", "draft-restored-title");
    banner.setAttribute("data-draft-restored", "");
    banner.innerHTML =
      '<div class="govuk-notification-banner__header">' +
      '<h2 class="govuk-notification-banner__title" id="draft-restored-title">Important</h2></div>' +
      '<div class="govuk-notification-banner__content">' +
      '<p class="govuk-notification-banner__heading">We restored what you typed before you ' +
      "were signed out – check it and save.</p></div>";
    form.parentNode.insertBefore(banner, form);
  }

  var announced = false;
  Array.prototype.forEach.call(document.querySelectorAll("form[method=post]"), function (form, i) {
    if (form.querySelector("input[type=password]") || form.hasAttribute("data-no-draft")) { return; }
    var key = PREFIX + window.location.pathname + "#" + i;
    var saved = store.getItem(key);
    // A page re-shown with errors already holds what was sent; otherwise bring back a draft.
    if (saved && !hasErrors) {
      var changed = 0;
      try { changed = restore(form, JSON.parse(saved)); } catch (e) { store.removeItem(key); }
      if (changed && !announced) {
        announce(form);
        announced = true;
      }
    }
    form.addEventListener("input", function () { save(form, key); });
    form.addEventListener("change", function () { save(form, key); });
    form.addEventListener("submit", function () {
      if (store.getItem(key) !== null) { store.setItem(SENT, key); }
    });
  });
})();
