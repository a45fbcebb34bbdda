// tracehybrid report: sort and filter the functions table. Reads only data-* attributes of the page.
(() => {
  "use strict";
  const table = document.getElementById("functions");
  if (!table) return;
  const body = table.tBodies[0];
  const rows = Array.from(body.rows);
  const search = document.getElementById("filter-text");
  const verdict = document.getElementById("filter-verdict");
  const count = document.getElementById("filter-count");

  function applyFilter() {
    const needle = search.value.trim().toLowerCase();
    const wanted = verdict.value;
    let shown = 0;
    for (const row of rows) {
      const visible = (!wanted || row.dataset.verdict === wanted) &&
        (!needle || row.dataset.search.includes(needle));
      row.hidden = !visible;
      if (visible) shown += 1;
    }
    count.textContent = shown + " of " + rows.length + " functions shown";
  }

  function sortKey(row, index, numeric) {
    const cell = row.cells[index];
    const raw = cell.dataset.sort !== undefined ? cell.dataset.sort : cell.textContent;
    return numeric ? parseFloat(raw) : raw.trim().toLowerCase();
  }

  function sortBy(header) {
    const index = Array.from(header.parentNode.children).indexOf(header);
    const numeric = header.dataset.type === "number";
    const ascending = header.getAttribute("aria-sort") !== "ascending";
    for (const cell of table.tHead.rows[0].cells) cell.removeAttribute("aria-sort");
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    const sign = ascending ? 1 : -1;
    const sorted = rows.slice().sort((a, b) => {
      const x = sortKey(a, index, numeric);
      const y = sortKey(b, index, numeric);
      if (numeric && Number.isNaN(x)) return Number.isNaN(y) ? 0 : 1;  // unmeasured rows last
      if (numeric && Number.isNaN(y)) return -1;
      return x < y ? -sign : x > y ? sign : 0;
    });
    body.append(...sorted);
  }

  function openDetail(row) {
    const target = document.getElementById(row.dataset.target);
    if (!target) return;
    history.replaceState(null, "", "#" + row.dataset.target);
    target.scrollIntoView();
    target.focus();
  }

  for (const button of table.tHead.querySelectorAll("button")) {
    button.addEventListener("click", () => sortBy(button.closest("th")));
  }
  for (const row of rows) {
    row.addEventListener("keydown", (event) => {
      if (event.target === row && (event.key === "Enter" || event.key === " ")) {
        event.preventDefault();
        openDetail(row);
      }
    });
  }
  search.addEventListener("input", applyFilter);
  verdict.addEventListener("change", applyFilter);
  applyFilter();
})();
