// Weekly timesheet grid: keeps the row, day and week totals up to date while typing.
(function () {
  "use strict";

  function minutesOf(text) {
    var value = String(text || "").replace(/\s+/g, "").toLowerCase();
    if (!value) return 0;
    var clock = value.match(/^(\d+)[h:](\d{1,2})?(m|min)?$/);
    if (clock) return parseInt(clock[1], 10) * 60 + parseInt(clock[2] || "0", 10);
    var onlyMinutes = value.match(/^(\d+)(m|min)$/);
    if (onlyMinutes) return parseInt(onlyMinutes[1], 10);
    var hours = parseFloat(value.replace(/h$/, "").replace(",", "."));
    return isNaN(hours) || hours < 0 ? 0 : Math.round(hours * 60);
  }

  function hoursText(minutes) {
    if (!minutes) return "";
    var hours = Math.round((minutes / 60) * 100) / 100;
    return String(hours);
  }

  function cellMinutes(cell) {
    if (cell.tagName === "INPUT") return minutesOf(cell.value);
    return parseInt(cell.getAttribute("data-minutes") || "0", 10);
  }

  function refresh(grid) {
    var days = [0, 0, 0, 0, 0, 0, 0];
    var all = 0;
    grid.querySelectorAll("tr[data-row]").forEach(function (row) {
      var total = 0;
      row.querySelectorAll("[data-day]").forEach(function (cell) {
        var minutes = cellMinutes(cell);
        days[parseInt(cell.getAttribute("data-day"), 10)] += minutes;
        total += minutes;
      });
      var rowTotal = row.querySelector("[data-row-total]");
      if (rowTotal) rowTotal.textContent = hoursText(total);
      all += total;
    });
    days.forEach(function (minutes, index) {
      var cell = grid.querySelector('[data-day-total="' + index + '"]');
      if (cell) {
        cell.textContent = hoursText(minutes);
        cell.classList.toggle("over", minutes > 24 * 60);
      }
    });
    var grand = grid.querySelector("[data-grand-total]");
    if (grand) grand.textContent = hoursText(all);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-timesheet] .timesheet-grid").forEach(function (grid) {
      grid.addEventListener("input", function (event) {
        if (event.target.classList.contains("timesheet-cell")) refresh(grid);
      });
    });
  });
})();
