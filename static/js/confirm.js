// A form marked data-confirm asks before it is sent: the text names the action (and, for a bulk form,
// data-confirm-rows names the checked rows: "批复 3 张表：…"). Cancel sends nothing. Plain confirm()
// dialogs, because the CSP forbids inline handlers and a dialog is what a user cannot miss.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!form.matches("form[data-confirm]")) return;
  let text = form.dataset.confirm;
  const submitter = event.submitter;
  if (submitter && submitter.dataset.confirm) text = submitter.dataset.confirm;
  if (form.dataset.confirmChoice) {
    // The review page: the checked decision names the action ("批复“…”？").
    const choice = document.querySelector(`input[name="${form.dataset.confirmChoice}"][form="${form.id}"]:checked`);
    const label = choice ? document.querySelector(`label[for="${choice.id}"]`) : null;
    if (label) text = `确定${label.textContent.trim()}“${form.dataset.confirmName}”？`;
  }
  if (form.dataset.confirmRows !== undefined) {
    const boxes = [...document.querySelectorAll(`input[type=checkbox][name=selected][form="${form.id}"]:checked, #${form.id} input[type=checkbox][name=selected]:checked`)];
    const names = boxes.map((box) => box.dataset.name || box.value);
    const action = form.querySelector("select[name=action]");
    const label = action && action.selectedOptions.length ? action.selectedOptions[0].textContent.trim() : text;
    if (action && !action.value) {
      event.preventDefault();
      window.alert("请先选择要执行的操作。");
      return;
    }
    if (!names.length) {
      event.preventDefault();
      window.alert("请先勾选要处理的表。");
      return;
    }
    const shown = names.slice(0, 15).map((name) => `· ${name}`).join("\n");
    const more = names.length > 15 ? `\n……另有 ${names.length - 15} 张` : "";
    text = `确定${label} ${names.length} 张表？\n${shown}${more}`;
  }
  if (!window.confirm(text)) event.preventDefault();
});
