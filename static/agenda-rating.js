// Likelihood ratings on a panel's agenda save as soon as one is chosen, without reloading
// the page, and say so in the row's live region. Without JavaScript (or if this script
// fails to load) each rating is a small form with its own button that posts and returns.
(function () {
  "use strict";

  function announce(status, text) {
    // Cleared first so that a second "Saved" in a row is announced again.
    status.textContent = "";
    window.setTimeout(function () { status.textContent = text; }, 50);
  }

  function save(form, status) {
    announce(status, "Saving…");
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        return response.json().then(function (data) {
          if (response.ok) {
            announce(status, "Saved");
          } else {
            announce(status, data.error || "Not saved. Try again.");
          }
        });
      })
      .catch(function () {
        announce(status, "Not saved. Reload the page and try again.");
      });
  }

  document.querySelectorAll("form[data-rate-item]").forEach(function (form) {
    var status = form.querySelector("[data-rate-status]");
    var button = form.querySelector("[data-rate-button]");
    if (!status || !window.fetch) {
      return;
    }
    if (button) {
      // .govuk-button sets display, which would override the hidden attribute.
      button.classList.add("govuk-!-display-none");
    }
    form.addEventListener("change", function () { save(form, status); });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      save(form, status);
    });
  });
})();
