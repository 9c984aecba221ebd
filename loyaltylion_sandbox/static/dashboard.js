// The dashboard's one script: forms with data-confirm ask before they submit (the
// Content-Security-Policy allows no inline handlers).
document.querySelectorAll('form[data-confirm]').forEach(function (form) {
  form.addEventListener('submit', function (event) {
    if (!window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  });
});
