// The progress page of a background task: asks its JSON status every 1.5 s until the task is done or
// failed, and updates the bar, the counts, the time left, the download link and the errors.
(function () {
  "use strict";
  var root = document.getElementById("task-progress");
  if (!root) { return; }
  var url = root.getAttribute("data-status-url");
  var title = document.title;
  function part(name) { return root.querySelector('[data-part="' + name + '"]'); }
  function timeLeft(seconds) {
    if (seconds === null || seconds === undefined) { return ""; }
    if (seconds < 60) { return "，预计还需 " + seconds + " 秒"; }
    return "，预计还需 " + Math.ceil(seconds / 60) + " 分钟";
  }
  function show(status) {
    var bar = part("bar");
    bar.style.width = status.percent + "%";
    bar.textContent = status.percent + "%";
    root.querySelector('[role="progressbar"]').setAttribute("aria-valuenow", status.percent);
    part("state-label").textContent = status.state_label;
    part("done").textContent = status.done;
    part("total").textContent = status.total;
    part("todo").textContent = Math.max(0, status.total - status.done);
    part("left").textContent = timeLeft(status.seconds_left);
    part("waiting").hidden = status.state !== "queued";
    var download = part("download");
    if (status.download) {
      download.querySelector("a").setAttribute("href", status.download);
      download.hidden = false;
    }
    part("expired").hidden = !status.expired;
    var errors = part("errors");
    if (status.errors && status.errors.length) {
      var list = document.createElement("ul");
      list.className = "mb-0";
      status.errors.forEach(function (text) {
        var item = document.createElement("li");
        item.textContent = text;
        list.appendChild(item);
      });
      errors.replaceChildren(list);
      errors.hidden = false;
    }
    if (status.finished) {
      bar.classList.add(status.state === "done" ? "bg-success" : "bg-danger");
      document.title = (status.state === "done" ? "✓ 已完成 · " : "✗ 失败 · ") + title;
      // A recheck's or an import's results are drawn by the server: once, when the task ends.
      if (root.hasAttribute("data-reload-when-done")) { window.location.reload(); }
    }
  }
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
      .then(function (status) {
        show(status);
        if (!status.finished) { window.setTimeout(poll, 1500); }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  poll();
}());
