// A control marked data-autosubmit submits its form when changed (the CSP forbids inline handlers).
document.addEventListener("change", (event) => {
  if (event.target.matches("[data-autosubmit]")) event.target.form.requestSubmit();
});
