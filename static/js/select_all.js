// The header checkbox of a list selects or clears every row's checkbox.
document.addEventListener("change", (event) => {
  if (!event.target.matches("input.select-all")) return;
  const table = event.target.closest("table");
  table.querySelectorAll("tbody input[type=checkbox][name=selected]").forEach((box) => {
    box.checked = event.target.checked;
  });
});
