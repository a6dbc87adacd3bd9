// Ask before destructive organiser actions (forms marked .js-confirm with data-confirm).
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (form.classList && form.classList.contains("js-confirm")) {
    if (!window.confirm(form.getAttribute("data-confirm") || "?")) {
      event.preventDefault();
    }
  }
});
