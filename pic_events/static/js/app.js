// The site's one script, loaded by templates/base.html on every page (the CSP forbids inline
// scripts). Behaviour is attached by markup:
// - <form class="js-confirm" data-confirm="Question?">: ask before submitting;
// - <form class="js-once">: send only once (no double clicks);
// - <fieldset data-toggle-select="SELECT_ID" data-toggle-value="VALUE">: shown only while
//   the select has that value (without JS it stays visible).
(function () {
  "use strict";

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList) {
      return;
    }
    if (form.classList.contains("js-confirm")) {
      if (!window.confirm(form.getAttribute("data-confirm") || "?")) {
        event.preventDefault();
        return;
      }
    }
    if (form.classList.contains("js-once")) {
      form.querySelectorAll("button[type=submit]").forEach(function (button) {
        button.disabled = true;
      });
    }
  });

  document.querySelectorAll("[data-toggle-select]").forEach(function (fieldset) {
    var select = document.getElementById(fieldset.dataset.toggleSelect);
    if (!select) {
      return;
    }
    var update = function () {
      var shown = select.value === fieldset.dataset.toggleValue;
      fieldset.classList.toggle("d-none", !shown);
      fieldset.disabled = !shown;
    };
    select.addEventListener("change", update);
    update();
  });
})();
