// The task grid: cells behave like a spreadsheet's. Click a cell or press Enter (or start
// typing) to edit it; Enter saves and moves down, Tab saves and moves right, Escape cancels;
// the arrow keys move between cells. Each saved cell is posted to the server, which schedules
// the plan again and sends the whole grid back; the focus then returns where the user was.
(() => {
  let pendingFocus = null;
  let selectedTask = null;

  const grid = () => document.getElementById("plan-grid");
  const keyOf = (cell) => `${cell.closest("tr").id}:${cell.dataset.field || "id"}`;

  function cellAt(key) {
    if (!key) return null;
    const [rowId, field] = key.split(":");
    const row = document.getElementById(rowId);
    if (!row) return null;
    return field === "id" ? row.querySelector(".row-id") : row.querySelector(`[data-field="${field}"]`);
  }

  function select(cell) {
    const row = cell.closest("tr");
    document.querySelectorAll(".plan-grid tr.is-selected").forEach((other) => other.classList.remove("is-selected"));
    row.classList.add("is-selected");
    selectedTask = row.dataset.task || null;
    document.querySelectorAll(".plan-toolbar [data-action]").forEach((button) => {
      button.disabled = !selectedTask;
    });
    cell.focus();
  }

  function editor(cell) {
    return cell.querySelector("input.cell-editor");
  }

  function open(cell, initial) {
    if (!cell.dataset.field || editor(cell)) return;
    const field = cell.dataset.field;
    const input = document.createElement("input");
    input.className = "cell-editor";
    input.name = field;
    const text = cell.dataset.value !== undefined ? cell.dataset.value : cell.textContent.trim();
    if (field === "start" || field === "finish") input.type = "date";
    if (field === "percent_complete") input.inputMode = "decimal";
    input.value = initial !== undefined ? initial : text;
    input.dataset.original = text;
    const header = cell.closest("table").querySelectorAll("thead th")[cell.cellIndex];
    input.setAttribute("aria-label", `${header ? header.textContent.trim() : field} ${cell.closest("tr").querySelector(".row-id").textContent}`);
    cell.dataset.text = cell.innerHTML;
    cell.classList.add("is-editing");
    cell.textContent = "";
    cell.appendChild(input);
    input.focus();
    if (initial === undefined && input.select) input.select();
  }

  function close(cell) {
    if (cell.dataset.text !== undefined) cell.innerHTML = cell.dataset.text;
    delete cell.dataset.text;
    cell.classList.remove("is-editing");
  }

  function neighbour(cell, rows, columns) {
    const row = cell.closest("tr");
    if (rows) {
      // The same column on the next row where it can be edited (summary rows are skipped).
      let other = rows > 0 ? row.nextElementSibling : row.previousElementSibling;
      while (other) {
        const candidate = other.dataset.task ? other.cells[cell.cellIndex] : null;
        if (candidate && (candidate.dataset.field || candidate.classList.contains("row-id"))) return candidate;
        other = rows > 0 ? other.nextElementSibling : other.previousElementSibling;
      }
      return null;
    }
    let index = cell.cellIndex + columns;
    while (row.cells[index]) {
      const candidate = row.cells[index];
      if (candidate.dataset.field || candidate.classList.contains("row-id")) return candidate;
      index += columns;
    }
    return null;
  }

  function commit(cell, next) {
    const input = editor(cell);
    if (!input) return;
    if (input.value === input.dataset.original) {
      close(cell);
      if (next) select(next); else cell.focus();
      return;
    }
    const row = cell.closest("tr");
    pendingFocus = next ? keyOf(next) : keyOf(cell);
    const values = {};
    values[cell.dataset.field] = input.value;
    input.disabled = true;
    htmx.ajax("POST", row.dataset.url, { source: row, target: "#plan-grid", swap: "outerHTML", values });
  }

  document.addEventListener("click", (event) => {
    const cell = event.target.closest(".plan-grid.is-editable td.cell, .plan-grid.is-editable td.row-id");
    if (!cell || event.target.closest("a") || editor(cell)) return;
    select(cell);
    if (cell.dataset.field) open(cell);
  });

  document.addEventListener("focusout", (event) => {
    const input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.classList.contains("cell-editor")) return;
    const cell = input.closest("td");
    // Let a click on another cell or a toolbar button happen first.
    setTimeout(() => { if (editor(cell) === input && !input.disabled) commit(cell, null); }, 0);
  });

  document.addEventListener("keydown", (event) => {
    const target = event.target;
    const cell = target.closest && target.closest(".plan-grid.is-editable td");
    if (!cell) return;
    const input = editor(cell);
    if (input) {
      if (event.key === "Enter") { event.preventDefault(); commit(cell, neighbour(cell, 1, 0)); }
      else if (event.key === "Tab") { event.preventDefault(); commit(cell, neighbour(cell, 0, event.shiftKey ? -1 : 1)); }
      else if (event.key === "Escape") { event.preventDefault(); close(cell); cell.focus(); }
      return;
    }
    const moves = { ArrowDown: [1, 0], ArrowUp: [-1, 0], ArrowRight: [0, 1], ArrowLeft: [0, -1] };
    if (moves[event.key]) {
      const next = neighbour(cell, ...moves[event.key]);
      if (next) { event.preventDefault(); select(next); }
    } else if (event.key === "Tab") {
      const next = neighbour(cell, 0, event.shiftKey ? -1 : 1);
      if (next) { event.preventDefault(); select(next); }
    } else if ((event.key === "Enter" || event.key === "F2") && cell.dataset.field) {
      event.preventDefault();
      open(cell);
    } else if (event.key.length === 1 && !event.ctrlKey && !event.metaKey && !event.altKey && cell.dataset.field
               && cell.dataset.field !== "start" && cell.dataset.field !== "finish") {
      event.preventDefault();
      open(cell, event.key);
    }
  });

  document.addEventListener("click", (event) => {
    const button = event.target.closest(".plan-toolbar [data-action]");
    if (!button || !selectedTask) return;
    const row = document.getElementById(`task-${selectedTask}`);
    if (!row) return;
    if (button.dataset.confirm && !window.confirm(button.dataset.confirm)) return;
    pendingFocus = `task-${selectedTask}:id`;
    const section = grid();
    if (button.dataset.action === "insert") {
      const position = row.querySelector(".row-id").textContent.trim();
      pendingFocus = null;
      htmx.ajax("POST", section.dataset.insertUrl, { source: row, target: "#plan-grid", swap: "outerHTML", values: { position } });
    } else {
      htmx.ajax("POST", button.dataset.url.replace("/0/", `/${selectedTask}/`), { source: row, target: "#plan-grid", swap: "outerHTML" });
    }
  });

  document.addEventListener("htmx:afterSwap", () => {
    const section = grid();
    if (!section) return;
    const invalid = section.querySelector('td[aria-invalid="true"]');
    if (invalid) {
      select(invalid);
      open(invalid, invalid.textContent.trim());
      pendingFocus = null;
      return;
    }
    const wanted = pendingFocus || section.dataset.focus;
    pendingFocus = null;
    if (wanted === "new-name") {
      const input = document.getElementById("new-name");
      if (input) input.focus();
      return;
    }
    const cell = cellAt(wanted);
    if (cell) {
      select(cell);
      if (section.dataset.focus && section.dataset.focus === wanted && cell.dataset.field) open(cell);
    }
  });
})();
