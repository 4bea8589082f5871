// Small behaviours shared by every page: auto-submitting selects, the mobile menu, copy
// buttons, programme choices that follow the portfolio, and the CSV link of filtered lists.
document.addEventListener("change", (event) => {
  const target = event.target;
  if (target instanceof HTMLSelectElement && target.hasAttribute("data-autosubmit")) {
    target.form.requestSubmit();
  }
});

document.addEventListener("click", (event) => {
  const toggle = event.target.closest("[data-toggle-nav]");
  if (!toggle) return;
  const nav = document.getElementById(toggle.getAttribute("aria-controls"));
  const open = nav.classList.toggle("open");
  toggle.setAttribute("aria-expanded", String(open));
});

document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const field = document.querySelector(button.getAttribute("data-copy"));
  if (!field) return;
  field.select();
  const done = () => {
    const label = button.textContent;
    button.textContent = button.getAttribute("data-copied") || label;
    setTimeout(() => { button.textContent = label; }, 2000);
  };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(field.value).then(done, () => {});
  } else {
    // Plain HTTP on a LAN has no clipboard API; the selected text can still be copied by hand.
    try { if (document.execCommand("copy")) done(); } catch (error) { /* selection remains */ }
  }
});

// A programme belongs to one portfolio: only offer those of the chosen portfolio.
function followPortfolio(select) {
  const source = document.getElementById(select.getAttribute("data-portfolio-from"));
  if (!source) return;
  const apply = () => {
    const portfolio = source.value;
    for (const option of select.options) {
      const owner = option.getAttribute("data-portfolio");
      const hide = Boolean(owner && portfolio && owner !== portfolio);
      option.hidden = hide;
      option.disabled = hide;
    }
    const chosen = select.selectedOptions[0];
    if (chosen && chosen.disabled) select.value = "";
  };
  source.addEventListener("change", apply);
  apply();
}

// The export link must carry the filters currently shown, also after htmx changed the URL.
function refreshExportLinks() {
  document.querySelectorAll("[data-export-link]").forEach((link) => {
    const own = new URLSearchParams(link.getAttribute("href").split("?")[1] || "");
    const params = new URLSearchParams(window.location.search);
    params.delete("page");
    params.set("format", own.get("format") || "csv");
    link.setAttribute("href", "?" + params.toString());
  });
}

function setUp() {
  document.querySelectorAll("select[data-portfolio-from]").forEach(followPortfolio);
  if (window.matchMedia("(max-width: 700px)").matches) {
    document.querySelectorAll("details[data-collapse-mobile]").forEach((panel) => {
      panel.open = false;
    });
  }
}

// Empty filters say nothing: leave them out of the URL that is requested and remembered.
document.addEventListener("htmx:configRequest", (event) => {
  const data = event.detail.formData;
  if (event.detail.verb !== "get" || !data) return;
  for (const key of new Set(data.keys())) {
    if (data.getAll(key).every((value) => value === "")) data.delete(key);
  }
});

document.addEventListener("htmx:pushedIntoHistory", refreshExportLinks);
document.addEventListener("htmx:historyRestore", refreshExportLinks);
if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", setUp);
} else {
  setUp();
}
