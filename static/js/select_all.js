// The header checkbox of a list selects or clears every row's checkbox: rows named "selected" for a
// header of class select-all, or rows named by the header's data-select-all="name".
document.addEventListener("change", (event) => {
  const header = event.target;
  if (!header.matches("input.select-all, input[data-select-all]")) return;
  const name = header.dataset.selectAll || "selected";
  header.closest("table").querySelectorAll(`tbody input[type=checkbox][name="${name}"]`).forEach((box) => {
    box.checked = header.checked;
  });
});
