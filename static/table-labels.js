// On narrow screens tafcase.css turns table rows into cards; each cell then shows its
// column's heading, copied here from the table's header (empty headings are left out).
for (const table of document.querySelectorAll("table.govuk-table")) {
  const headings = [...table.querySelectorAll("thead th")].flatMap((th) =>
    Array(th.colSpan || 1).fill(th.textContent.trim())
  );
  for (const row of table.querySelectorAll("tbody tr")) {
    let column = 0;
    for (const cell of row.children) {
      const heading = headings[column];
      if (heading && !cell.hasAttribute("data-label")) cell.dataset.label = heading;
      column += cell.colSpan || 1;
    }
  }
}
