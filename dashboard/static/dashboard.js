// Draws each chart from the figure the server rendered into the page, and follows the
// activity reports still being made until they are ready.
document.addEventListener("DOMContentLoaded", async () => {
  const charts = [...document.querySelectorAll(".chart[data-figure]")].map((el) => {
    const figure = JSON.parse(el.dataset.figure);
    return Plotly.newPlot(el, figure.data, figure.layout, { responsive: true, displaylogo: false });
  });
  await Promise.all(charts);
  document.body.dataset.chartsReady = "true";
  followReports();
});

function followReports() {
  const waiting = [...document.querySelectorAll("tr[data-report]")].filter((row) =>
    ["pending", "running"].includes(row.dataset.status));
  if (!waiting.length) return;
  const started = Date.now();
  const poll = async () => {
    let changed = false;
    for (const row of waiting) {
      const response = await fetch(`/reports/${row.dataset.report}/status`);
      if (!response.ok) continue;
      const report = await response.json();
      const seconds = Math.round((Date.now() - started) / 1000);
      row.querySelector(".status").textContent =
        ["pending", "running"].includes(report.status) ? `${report.status} (${seconds} s)` : report.status;
      if (report.status !== row.dataset.status && !["pending", "running"].includes(report.status)) changed = true;
    }
    if (changed) window.location.reload();
    else setTimeout(poll, 1000);
  };
  setTimeout(poll, 500);
}
