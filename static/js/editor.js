// The table editors: rows added, removed and moved in place; 指标值 shown parsed as it is typed;
// the funds total checked against its parts; a warning before leaving with unsaved changes.
(function () {
  "use strict";
  const form = document.getElementById("editor");
  if (!form) return;
  let dirty = false;

  function totalForms(prefix) {
    return form.querySelector(`input[name="${prefix}-TOTAL_FORMS"]`);
  }

  // Clone a <template> for a new form of the formset `prefix`, numbered after the existing ones.
  function newForm(template, prefix) {
    const total = totalForms(prefix);
    const index = parseInt(total.value, 10);
    total.value = index + 1;
    const html = template.innerHTML.replace(/__prefix__/g, String(index));
    const holder = document.createElement(template.content.firstElementChild.tagName === "TR" ? "tbody" : "div");
    holder.innerHTML = html.trim();
    return holder.firstElementChild;
  }

  function field(row, name) {
    return row.querySelector(`[name="${row.dataset.prefix}-${name}"]`);
  }

  // Indicator grid

  const grid = document.getElementById("indicator-grid");
  const rowTemplate = document.getElementById("indicator-row-template");

  function visibleRows(group) {
    return Array.from(group.querySelectorAll("tr.indicator-row")).filter((row) => !row.classList.contains("d-none"));
  }

  function renumber(group) {
    visibleRows(group).forEach((row, index) => {
      const order = field(row, "ORDER");
      if (order) order.value = index + 1;
    });
  }

  function groupOf(level2) {
    return grid.querySelector(`tbody.indicator-group[data-level2="${level2}"]`);
  }

  function addRow(level2, after) {
    const row = newForm(rowTemplate, "ind");
    field(row, "level2").value = level2;
    const group = groupOf(level2);
    if (after && after.parentNode === group) after.after(row);
    else group.appendChild(row);
    renumber(group);
    dirty = true;
    field(row, "name").focus();
    return row;
  }

  function moveRow(row, direction) {
    const rows = visibleRows(row.parentNode);
    const index = rows.indexOf(row);
    const target = rows[index + direction];
    if (!target) return;
    if (direction < 0) target.before(row);
    else target.after(row);
    renumber(row.parentNode);
    dirty = true;
  }

  function deleteRow(row) {
    const name = field(row, "name").value.trim() || field(row, "value_text").value.trim() || "空行";
    field(row, "DELETE").checked = true;
    row.classList.add("d-none");
    const undo = document.createElement("tr");
    undo.className = "undo-row table-warning";
    undo.innerHTML = `<td colspan="9" class="small">已删除“<span></span>”（保存后生效）。 <button type="button" class="btn btn-link btn-sm p-0 undo-delete">撤销</button></td>`;
    undo.querySelector("span").textContent = name.slice(0, 40);
    row.after(undo);
    renumber(row.parentNode);
    dirty = true;
  }

  if (grid) {
    grid.addEventListener("click", (event) => {
      const button = event.target.closest("button");
      if (!button) return;
      const row = button.closest("tr.indicator-row");
      if (button.classList.contains("add-row")) addRow(button.dataset.level2);
      else if (button.classList.contains("move-up")) moveRow(row, -1);
      else if (button.classList.contains("move-down")) moveRow(row, 1);
      else if (button.classList.contains("delete-row")) deleteRow(row);
      else if (button.classList.contains("undo-delete")) {
        const undo = button.closest("tr");
        const deleted = undo.previousElementSibling;
        field(deleted, "DELETE").checked = false;
        deleted.classList.remove("d-none");
        undo.remove();
        renumber(deleted.parentNode);
      }
    });

    grid.addEventListener("change", (event) => {
      if (!event.target.classList.contains("level2-select")) return;
      const row = event.target.closest("tr.indicator-row");
      const from = row.parentNode;
      const to = groupOf(event.target.value);
      if (to && to !== from) {
        to.appendChild(row);
        renumber(from);
        renumber(to);
        event.target.focus();
      }
    });

    grid.addEventListener("keydown", (event) => {
      const row = event.target.closest("tr.indicator-row");
      if (!row) return;
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        addRow(field(row, "level2").value, row);
      } else if (event.altKey && (event.key === "ArrowUp" || event.key === "ArrowDown")) {
        event.preventDefault();
        moveRow(row, event.key === "ArrowUp" ? -1 : 1);
        event.target.focus();
      }
    });
  }

  // 指标值 parsed as typed, by the server's one parser.

  const previewUrl = form.dataset.previewUrl;
  const timers = new WeakMap();

  function preview(input) {
    const target = input.closest("td").querySelector(".parsed");
    if (!target) return;
    if (!input.value.trim()) {
      target.innerHTML = "";
      return;
    }
    fetch(`${previewUrl}?value=${encodeURIComponent(input.value)}`, { credentials: "same-origin" })
      .then((response) => (response.ok ? response.text() : ""))
      .then((html) => {
        target.innerHTML = html;
      })
      .catch(() => {});
  }

  form.addEventListener("input", (event) => {
    dirty = true;
    if (event.target.classList.contains("value-input")) {
      clearTimeout(timers.get(event.target));
      timers.set(event.target, setTimeout(() => preview(event.target), 250));
    }
    if (event.target.classList.contains("money")) checkFunds();
    if (event.target.tagName === "TEXTAREA") autosize(event.target);
  });
  form.querySelectorAll(".value-input").forEach((input) => {
    const parsed = input.closest("td").querySelector(".parsed");
    if (input.value.trim() && parsed && !parsed.innerHTML.trim()) preview(input);
  });

  // 智能审核 as the unit types: the server checks the unsaved page and the findings appear beside the rows.

  const checkUrl = form.dataset.checkUrl;
  const panel = document.querySelector(".check-panel");
  const SEVERITY = { 错误: "error", 警告: "warning", 提示: "info" };
  let checkTimer = null;
  let checkRun = 0;

  function findingHtml(finding) {
    const item = document.createElement("details");
    item.className = `finding finding-${SEVERITY[finding.severity] || "info"}`;
    const summary = document.createElement("summary");
    const badge = document.createElement("span");
    badge.className = `badge sev-${SEVERITY[finding.severity] || "info"}`;
    badge.textContent = finding.severity;
    summary.append(badge, " ", finding.message);
    item.append(summary);
    if (finding.suggestion) {
      const hint = document.createElement("div");
      hint.className = "text-muted";
      hint.textContent = `建议：${finding.suggestion}`;
      item.append(hint);
    }
    return item;
  }

  function runCheck() {
    if (!checkUrl || !panel) return;
    const run = ++checkRun;
    panel.querySelector(".live-status").textContent = "正在检查…";
    fetch(checkUrl, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "X-CSRFToken": form.querySelector("[name=csrfmiddlewaretoken]").value },
    })
      .then((response) => (response.ok ? response.json() : null))
      .then((result) => {
        if (!result || run !== checkRun) return;
        form.querySelectorAll("tr.indicator-row").forEach((row) => {
          const box = row.querySelector(".row-findings");
          if (!box) return;
          box.replaceChildren(...(result.rows[row.dataset.prefix] || []).map(findingHtml));
        });
        const score = panel.querySelector(".score");
        score.innerHTML = "";
        score.append("得分 ");
        const value = document.createElement("b");
        value.className = "score-value";
        value.textContent = result.score;
        const grade = document.createElement("span");
        grade.className = `badge grade grade-${result.grade}`;
        grade.textContent = result.grade_label;
        score.append(value, " · 等级 ", grade);
        const list = panel.querySelector(".table-findings");
        list.replaceChildren(...result.table.map(findingHtml));
        if (!result.table.length) list.textContent = "表级检查未发现问题。";
        panel.querySelector(".live-status").textContent = result.blocks_submission
          ? "按当前输入（未保存）：有错误，修改后才能提交"
          : "按当前输入（未保存）检查";
      })
      .catch(() => {
        panel.querySelector(".live-status").textContent = "";
      });
  }

  function scheduleCheck() {
    clearTimeout(checkTimer);
    checkTimer = setTimeout(runCheck, 700);
  }
  form.addEventListener("input", scheduleCheck);
  form.addEventListener("change", scheduleCheck);
  form.addEventListener("click", (event) => {
    if (event.target.closest("button.delete-row, button.move-up, button.move-down, button.undo-delete")) scheduleCheck();
  });

  // Funds: 年度资金总额 should equal 财政拨款 + 其他资金, compared exactly in millionths of 万元.

  function micro(text) {
    const clean = (text || "").replace(/[,，\s]/g, "").replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0)).replace("．", ".");
    if (!/^\d+(\.\d{0,6})?$/.test(clean)) return null;
    const [whole, fraction = ""] = clean.split(".");
    return BigInt(whole) * 1000000n + BigInt((fraction + "000000").slice(0, 6));
  }

  function show(value) {
    const whole = value / 1000000n;
    const fraction = (value % 1000000n).toString().padStart(6, "0").replace(/0+$/, "");
    return fraction ? `${whole}.${fraction}` : `${whole}`;
  }

  function markMoney(cells) {
    let wrong = 0;
    for (const [name, label, text, value] of cells) {
      const input = form.querySelector(`[name="${name}"]`);
      let note = input.parentElement.querySelector(".money-live");
      const bad = text.trim() !== "" && value === null;
      input.classList.toggle("is-invalid", bad);
      if (bad) {
        wrong += 1;
        // The server's message of a refused save already stands there: outline only.
        if (input.parentElement.querySelector(".invalid-feedback:not(.money-live)")) continue;
        if (!note) {
          note = document.createElement("div");
          note.className = "money-live invalid-feedback d-block";
          input.insertAdjacentElement("afterend", note);
        }
        note.textContent = `“${label}”应为数字（单位：万元，最多 6 位小数），例如 19.56；“${text.trim().slice(0, 20)}”不是金额。`;
      } else if (note) {
        note.remove();
      }
    }
    return wrong;
  }

  function checkFunds() {
    const out = form.querySelector(".funds-check");
    if (!out) return;
    const total = form.querySelector('[name="funds_total"]').value;
    const fiscal = form.querySelector('[name="funds_fiscal"]').value;
    const other = form.querySelector('[name="funds_other"]').value;
    const [t, f, o] = [micro(total), micro(fiscal || "0"), micro(other || "0")];
    // Each amount that is no number is outlined and named beside its own cell (not under 其他资金).
    const wrong = markMoney([["funds_total", "年度资金总额", total, t], ["funds_fiscal", "财政拨款", fiscal, f], ["funds_other", "其他资金", other, o]]);
    if (!total.trim() && !fiscal.trim() && !other.trim()) {
      out.textContent = "";
      return;
    }
    if (wrong) {
      out.className = "funds-check small mt-1";
      out.textContent = "";
    } else if (!total.trim()) {
      out.className = "funds-check small mt-1 text-warning-emphasis";
      out.textContent = "请填写年度资金总额。";
    } else if (t === f + o) {
      out.className = "funds-check small mt-1 text-success";
      out.textContent = `✓ 财政拨款 + 其他资金 = ${show(f + o)} 万元，与年度资金总额一致。`;
    } else {
      out.className = "funds-check small mt-1 text-warning-emphasis";
      out.textContent = `财政拨款 + 其他资金 = ${show(f + o)} 万元，与年度资金总额 ${show(t)} 万元不一致。`;
    }
  }
  checkFunds();

  // Goals: ordered lists with numbering.

  function renumberGoals(list) {
    Array.from(list.querySelectorAll("li.goal-item"))
      .filter((item) => !item.classList.contains("d-none"))
      .forEach((item, index) => {
        item.querySelector(".goal-number").textContent = `${index + 1}.`;
        const order = field(item, "ORDER");
        if (order) order.value = index + 1;
      });
  }
  form.querySelectorAll(".goal-list").forEach(renumberGoals);

  form.addEventListener("click", (event) => {
    const button = event.target.closest("button");
    if (!button) return;
    if (button.classList.contains("add-goal")) {
      const prefix = button.dataset.prefix;
      const list = form.querySelector(`.goal-list[data-prefix="${prefix}"]`);
      const item = newForm(form.querySelector(`template.goal-template[data-prefix="${prefix}"]`), prefix);
      list.appendChild(item);
      renumberGoals(list);
      field(item, "text").focus();
      dirty = true;
    }
    const item = button.closest("li.goal-item");
    if (item) {
      const list = item.parentNode;
      const items = Array.from(list.querySelectorAll("li.goal-item")).filter((li) => !li.classList.contains("d-none"));
      const index = items.indexOf(item);
      if (button.classList.contains("move-up") && index > 0) items[index - 1].before(item);
      if (button.classList.contains("move-down") && index < items.length - 1) items[index + 1].after(item);
      if (button.classList.contains("delete-goal")) {
        field(item, "DELETE").checked = true;
        item.classList.add("d-none");
      }
      renumberGoals(list);
      dirty = true;
    }
    if (button.classList.contains("add-point")) {
      const point = newForm(document.getElementById("plan-template"), "plan");
      button.before(point);
      field(point, "month").focus();
      dirty = true;
    }
    if (button.classList.contains("remove-point")) {
      const point = button.closest(".plan-point");
      field(point, "DELETE").checked = true;
      point.classList.add("d-none");
      dirty = true;
    }
  });

  // Text areas grow with their text.

  function autosize(area) {
    area.style.height = "auto";
    area.style.height = `${area.scrollHeight + 2}px`;
  }
  form.querySelectorAll("textarea").forEach(autosize);

  // Ctrl+S saves; leaving with unsaved changes asks first.

  document.addEventListener("keydown", (event) => {
    if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "s") {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  form.addEventListener("change", () => {
    dirty = true;
  });
  form.addEventListener("submit", () => {
    dirty = false;
  });
  window.addEventListener("beforeunload", (event) => {
    if (dirty) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  // A draft of every submission is kept in this tab's storage. If the server refuses the submission
  // because the session changed (the user logged in again elsewhere: templates/403_csrf.html marks
  // the path), the editor opened again offers to send the kept draft with the new session's token; the
  // server then saves it or shows it with its problems, as for any save. Otherwise the draft is dropped.

  const DRAFT = `perfgoals-draft:${location.pathname}`;
  const REFUSED = "perfgoals-refused-submit";

  function storage() {
    try {
      return window.sessionStorage;
    } catch (error) {
      return null;
    }
  }

  form.addEventListener("submit", () => {
    const store = storage();
    if (!store) return;
    const entries = [];
    new FormData(form).forEach((value, name) => {
      if (name !== "csrfmiddlewaretoken" && typeof value === "string") entries.push([name, value]);
    });
    try {
      store.setItem(DRAFT, JSON.stringify({ at: new Date().toISOString(), entries }));
    } catch (error) {
      // storage full: the submission goes on, only without a kept draft
    }
  });

  function offerDraft(store, draft) {
    const banner = document.createElement("div");
    banner.className = "alert alert-warning d-flex flex-wrap align-items-center gap-2";
    const text = document.createElement("span");
    const when = new Date(draft.at).toLocaleString("zh-CN");
    text.textContent = `您在 ${when} 提交的内容因登录状态变化没有保存，已保留在本浏览器中。`;
    const restore = document.createElement("button");
    restore.type = "button";
    restore.className = "btn btn-sm btn-primary";
    restore.textContent = "恢复并保存";
    const discard = document.createElement("button");
    discard.type = "button";
    discard.className = "btn btn-sm btn-outline-secondary";
    discard.textContent = "放弃这些内容";
    banner.append(text, restore, discard);
    form.parentNode.insertBefore(banner, form);

    restore.addEventListener("click", () => {
      const resend = document.createElement("form");
      resend.method = "post";
      resend.action = form.action || location.pathname;
      resend.hidden = true;
      const csrf = form.querySelector('input[name="csrfmiddlewaretoken"]');
      const fields = csrf ? [["csrfmiddlewaretoken", csrf.value], ...draft.entries] : draft.entries;
      fields.forEach(([name, value]) => {
        const input = document.createElement("textarea");
        input.name = name;
        input.value = value;
        resend.appendChild(input);
      });
      document.body.appendChild(resend);
      store.removeItem(REFUSED);
      dirty = false;
      resend.submit();
    });
    discard.addEventListener("click", () => {
      store.removeItem(DRAFT);
      store.removeItem(REFUSED);
      banner.remove();
    });
  }

  (function restoreRefusedDraft() {
    const store = storage();
    if (!store) return;
    const raw = store.getItem(DRAFT);
    if (!raw) return;
    if (store.getItem(REFUSED) !== location.pathname) {
      store.removeItem(DRAFT);  // the last submission from here reached the server
      return;
    }
    try {
      offerDraft(store, JSON.parse(raw));
    } catch (error) {
      store.removeItem(DRAFT);
    }
  })();
  // Every handler above is bound: browser tests wait for this before they click.
  document.documentElement.dataset.editorReady = "1";
})();
