// The indicator library in the editors: a 从指标库选择 button on every 二级 and suggestions while a 三级
// name is typed. Each suggestion shows how approved tables of the region set it; picking one fills the
// row (name, description, basis, the unit as a hint) and keeps its link in the hidden library_entry field.
(function () {
  "use strict";
  const picker = document.getElementById("library-picker");
  const grid = document.getElementById("indicator-grid");
  if (!picker || !grid) return;
  const form = document.getElementById("editor");
  const search = picker.querySelector(".library-picker-search");
  const category = picker.querySelector(".library-picker-category");
  const results = picker.querySelector(".library-picker-results");
  const note = picker.querySelector(".library-picker-note");
  document.body.appendChild(picker); // placed by page coordinates, whatever the editor's layout
  let target = null; // {level2, row (null: add a row to the group), anchor}
  let timer = null;
  let request = 0;

  function field(row, name) {
    return row.querySelector(`[name="${row.dataset.prefix}-${name}"]`);
  }

  function pageValue(id) {
    const element = document.getElementById(id);
    return element ? element.value : "";
  }

  function text(tag, className, content) {
    const element = document.createElement(tag);
    if (className) element.className = className;
    if (content !== undefined) element.textContent = content;
    return element;
  }

  // A 从指标库选择 button beside each group's 添加一行.
  grid.querySelectorAll("tr.group-header .add-row").forEach((add) => {
    const button = text("button", "btn btn-sm btn-outline-success ms-1 py-0 library-pick d-print-none", "从指标库选择");
    button.type = "button";
    button.dataset.level2 = add.dataset.level2;
    add.after(button);
  });

  function place(anchor) {
    const box = anchor.getBoundingClientRect();
    picker.style.top = `${window.scrollY + box.bottom + 2}px`;
    picker.style.left = `${Math.max(4, Math.min(window.scrollX + box.left, window.scrollX + document.documentElement.clientWidth - picker.offsetWidth - 8))}px`;
  }

  function open(level2, row, anchor, words) {
    target = { level2, row, anchor };
    const group = grid.querySelector(`tbody.indicator-group[data-level2="${level2}"]`);
    const name = group ? group.querySelector(".level2-name").textContent : "";
    picker.querySelector(".library-picker-title").textContent = `指标库 · ${name}`;
    search.value = words || "";
    picker.classList.remove("d-none");
    place(anchor);
    load();
  }

  function close() {
    picker.classList.add("d-none");
    target = null;
  }

  function load() {
    if (!target) return;
    const params = new URLSearchParams({ level2: target.level2, q: search.value.trim() });
    // The name as typed (a new table, or a renamed one), else the saved table's; the same for the year.
    params.set("name", pageValue("id_name") || picker.dataset.name || "");
    params.set("year", pageValue("id_year") || picker.dataset.year || "");
    if (category.value) params.set("category", category.value);
    const mine = ++request;
    fetch(`${picker.dataset.suggestUrl}?${params}`, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
      .then((data) => {
        if (mine === request) show(data);
      })
      .catch(() => {
        if (mine === request) {
          results.replaceChildren(text("li", "list-group-item text-danger small", "指标库暂时无法查询，请稍后再试。"));
        }
      });
  }

  function show(data) {
    note.textContent = data.category_label ? `项目类别：${data.category_label}（核心指标排在前面）` : "";
    results.replaceChildren();
    if (!data.entries.length) {
      results.appendChild(text("li", "list-group-item small text-muted", "指标库中没有匹配的指标，可以换个关键词，或直接填写。"));
      return;
    }
    data.entries.forEach((entry) => {
      const item = text("li", "list-group-item library-choice d-flex gap-2");
      item.tabIndex = 0;
      item.dataset.entry = entry.id;
      const left = text("div", "flex-grow-1");
      const title = text("div");
      title.appendChild(text("span", "library-entry-name", entry.name));
      if (entry.is_core) title.appendChild(text("span", "badge text-bg-warning ms-1", "核心"));
      title.appendChild(text("span", "badge text-bg-light border ms-1 fw-normal", entry.category || entry.kind));
      left.appendChild(title);
      const meta = [entry.nature && `性质 ${entry.nature}`, entry.unit && `单位 ${entry.unit}`, entry.basis].filter(Boolean).join(" · ");
      left.appendChild(text("div", "library-entry-meta", meta));
      if (entry.description) left.appendChild(text("div", "library-entry-meta", entry.description));
      const right = text("div", "library-usage");
      right.appendChild(text("div", "", entry.tables ? `已批复 ${entry.tables} 张表使用` : "尚无已批复的表使用"));
      if (entry.figures) right.appendChild(text("div", "figures", entry.figures));
      if (entry.last_year) right.appendChild(text("div", "text-muted", `本单位上年：${entry.last_year}`));
      item.append(left, right);
      item.addEventListener("click", () => pick(entry));
      item.addEventListener("keydown", (event) => {
        if (event.key === "Enter") {
          event.preventDefault();
          pick(entry);
        }
      });
      results.appendChild(item);
    });
  }

  function set(element, value) {
    if (!element) return;
    element.value = value;
    element.dispatchEvent(new Event("input", { bubbles: true }));
    element.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function pick(entry) {
    let row = target.row;
    if (!row) {
      const group = grid.querySelector(`tbody.indicator-group[data-level2="${target.level2}"]`);
      group.querySelector("tr.group-header .add-row").click(); // editor.js adds a numbered row to the group
      const rows = group.querySelectorAll("tr.indicator-row:not(.d-none)");
      row = rows[rows.length - 1];
    }
    set(field(row, "name"), entry.name);
    if (entry.description) set(field(row, "description"), entry.description);
    const basis = field(row, "basis");
    if (basis && entry.basis) {
      const option = Array.from(basis.options).find((candidate) => candidate.textContent.trim() === entry.basis);
      if (option) set(basis, option.value);
      else set(field(row, "basis_text"), entry.basis);
    }
    field(row, "library_entry").value = entry.id;
    row.dataset.libraryName = entry.name;
    hint(row, entry);
    close();
    const value = field(row, "value_text");
    if (value) value.focus();
  }

  // Below the 指标值: the unit to write and the region's common values, each a click away.
  function hint(row, entry) {
    const value = field(row, "value_text");
    if (!value) return;
    value.placeholder = `${entry.nature && entry.nature !== "定性" ? entry.nature : ""} 数值 ${entry.unit}`.trim();
    let box = row.querySelector(".library-hint");
    if (!box) {
      box = text("div", "library-hint");
      value.after(box);
    }
    box.replaceChildren(text("span", "badge text-bg-success library-linked me-1", "来自指标库"));
    if (entry.unit) box.appendChild(text("span", "me-1", `单位：${entry.unit}`));
    if (entry.figures) {
      box.appendChild(text("span", "me-1", `已批复 ${entry.tables} 张：`));
      entry.figures.split(", ").forEach((figure) => {
        const chip = text("span", "value-chip", figure);
        chip.title = "点击填入这个指标值";
        chip.addEventListener("click", () => set(value, figure.split(": ")[0]));
        box.appendChild(chip);
      });
    }
    if (entry.last_year) box.appendChild(text("span", "text-muted", `本单位上年：${entry.last_year}`));
  }

  grid.addEventListener("click", (event) => {
    const button = event.target.closest(".library-pick");
    if (button) open(button.dataset.level2, null, button, "");
  });

  // Typing a 三级 name: suggestions for the row's 二级; a name changed away from the picked entry drops the link.
  grid.addEventListener("input", (event) => {
    const area = event.target;
    const row = area.closest("tr.indicator-row");
    if (!row || area !== field(row, "name") || !event.isTrusted) return;
    const link = field(row, "library_entry");
    if (link && link.value && area.value.trim() !== row.dataset.libraryName) {
      link.value = "";
      const box = row.querySelector(".library-hint");
      if (box) box.remove();
    }
    clearTimeout(timer);
    const words = area.value.trim();
    if (!words) return close();
    timer = setTimeout(() => {
      // Only while the name is still being typed: a user who has moved on is not covered by suggestions.
      if (document.activeElement === area) open(field(row, "level2").value, row, area, words);
    }, 250);
  });
  // Suggestions opened by typing close as soon as the focus lands anywhere but the name field or the picker
  // (Tab, a click on another field, a script moving the focus), so they never sit over the next field or the
  // 添加一行 button the user goes to. A press on the picker's own text moves the focus nowhere and keeps it open.
  document.addEventListener("focusin", (event) => {
    if (!target || !target.row || picker.classList.contains("d-none")) return;
    if (event.target === target.anchor || picker.contains(event.target)) return;
    clearTimeout(timer);
    close();
  });

  search.addEventListener("keydown", (event) => {
    if (event.key === "Enter") event.preventDefault(); // the picker sits in the editor's form: never submit it
  });
  search.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(load, 200);
  });
  category.addEventListener("change", load);
  picker.querySelector(".library-picker-close").addEventListener("click", close);
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !picker.classList.contains("d-none")) close();
  });
  document.addEventListener("click", (event) => {
    if (!picker.classList.contains("d-none") && !picker.contains(event.target) && !event.target.closest(".library-pick") && (!target || event.target !== target.anchor)) close();
  });

  // Rows already linked (a stored table): mark them so the link survives until the name changes.
  grid.querySelectorAll("tr.indicator-row").forEach((row) => {
    const link = field(row, "library_entry");
    if (link && link.value) {
      row.dataset.libraryName = field(row, "name").value.trim();
      const value = field(row, "value_text");
      if (value && !row.querySelector(".library-hint")) value.after(text("div", "library-hint", ""));
      const box = row.querySelector(".library-hint");
      box.appendChild(text("span", "badge text-bg-success library-linked", "来自指标库"));
    }
  });
  if (form) form.addEventListener("submit", close);
})();
