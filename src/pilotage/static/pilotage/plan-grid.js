// The task grid: Enter saves a cell and moves to the same column on the next row, as in a
// spreadsheet; after the grid is redrawn with the new schedule, the focus comes back.
(() => {
  let nextFocus = null;
  let lastFocused = null;

  document.addEventListener("focusin", (event) => {
    const input = event.target;
    if (input instanceof HTMLElement && input.id && input.closest(".plan-grid")) {
      lastFocused = input.id;
    }
  });

  document.addEventListener("keydown", (event) => {
    const input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.closest(".plan-grid")) return;
    if (event.key !== "Enter" && event.key !== "Escape") return;
    if (event.key === "Escape") {
      input.value = input.defaultValue;
      input.blur();
      return;
    }
    event.preventDefault();
    const row = input.closest("tr");
    const column = input.name;
    const below = row && row.nextElementSibling;
    const target = below && below.querySelector(`input[name="${column}"]`);
    nextFocus = target ? target.id : input.id;
    if (input.value !== input.defaultValue) {
      input.dispatchEvent(new Event("change", { bubbles: true }));
    } else if (target) {
      target.focus();
      target.select();
      nextFocus = null;
    }
  });

  document.addEventListener("htmx:afterSwap", () => {
    const grid = document.getElementById("plan-grid");
    if (!grid) return;
    const invalid = grid.querySelector('[aria-invalid="true"]');
    const wanted = invalid
      ? invalid.id
      : nextFocus || grid.getAttribute("data-focus") || lastFocused;
    nextFocus = null;
    const element = wanted && document.getElementById(wanted);
    if (element) {
      element.focus();
      if (element.select) element.select();
    }
  });
})();
