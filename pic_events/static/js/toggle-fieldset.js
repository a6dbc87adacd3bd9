// Show a fieldset only while a <select> has a given value:
// <fieldset data-toggle-select="SELECT_ID" data-toggle-value="VALUE">. Without JS it stays visible.
(function () {
  "use strict";
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
