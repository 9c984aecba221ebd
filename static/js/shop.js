// Small progressive enhancements; every page works without this file.
(function () {
  'use strict';

  // Enter in the discount code box applies the code (without this file it places the
  // order, and "Place order" applies a typed code first: checkout/routes.py).
  document.addEventListener('keydown', function (event) {
    var input = event.target;
    if (event.key !== 'Enter' || !input.matches || !input.matches('#checkout-form input[name="code"]')) {
      return;
    }
    var apply = input.form && input.form.querySelector('[data-apply-code]');
    if (apply) {
      event.preventDefault();
      apply.click();
    }
  });

  // Copy buttons: <button data-copy="TEXT" hidden>Copy</button>, shown once they work.
  function setUpCopyButtons(root) {
    if (!navigator.clipboard) { return; }
    root.querySelectorAll('button[data-copy]').forEach(function (button) {
      button.hidden = false;
    });
  }
  document.addEventListener('click', function (event) {
    var button = event.target.closest && event.target.closest('button[data-copy]');
    if (!button) { return; }
    var label = button.textContent;
    var status = document.getElementById(button.getAttribute('aria-describedby') || '');
    navigator.clipboard.writeText(button.getAttribute('data-copy')).then(function () {
      button.textContent = 'Copied';
      if (status) { status.textContent = 'Code copied to the clipboard.'; }
      setTimeout(function () { button.textContent = label; }, 2000);
    }, function () {
      if (status) { status.textContent = 'Could not copy: select the code and copy it.'; }
    });
  });
  // The phone menu: the header's links fold behind "Menu" (CSS shows the button only
  // at phone width); Escape closes it and gives focus back to the button.
  function setUpMenu() {
    var header = document.querySelector('.site-header');
    var toggle = header && header.querySelector('.menu-toggle');
    if (!toggle) { return; }
    function setOpen(open) {
      header.classList.toggle('menu-open', open);
      toggle.setAttribute('aria-expanded', open ? 'true' : 'false');
    }
    header.classList.add('js-menu');
    toggle.hidden = false;
    toggle.addEventListener('click', function () {
      setOpen(toggle.getAttribute('aria-expanded') !== 'true');
    });
    header.addEventListener('keydown', function (event) {
      if (event.key === 'Escape' && header.classList.contains('menu-open')) {
        setOpen(false);
        toggle.focus();
      }
    });
  }

  function setUp() {
    setUpCopyButtons(document);
    setUpMenu();
  }
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', setUp);
  } else {
    setUp();
  }
})();
