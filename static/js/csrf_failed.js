// On the "page expired" page: remember which editor's submission was refused, so that the editor,
// opened again after logging in, offers to send the draft it kept (static/js/editor.js).
(function () {
  "use strict";
  const notice = document.getElementById("csrf-failed");
  if (!notice) return;
  try {
    sessionStorage.setItem("perfgoals-refused-submit", notice.dataset.path);
  } catch (error) {
    // storage disabled: nothing to offer later
  }
})();
