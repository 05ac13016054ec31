// The supervisor dashboard's charts, drawn by uPlot from the page's own tables (the tables stay
// the accessible truth; the charts are hidden from assistive technologies). Without JavaScript,
// or without uPlot, the page shows the tables alone.
(function () {
  "use strict";

  if (typeof uPlot === "undefined") return;

  // The rows of a table: the row heading's text, and the number of column `column` (1-based,
  // after the heading) from its data-value.
  function readTable(table, column) {
    var labels = [];
    var values = [];
    var rows = table.tBodies[0] ? table.tBodies[0].rows : [];
    for (var i = 0; i < rows.length; i++) {
      var head = rows[i].querySelector("th");
      var cell = rows[i].cells[column];
      if (!head || !cell) continue;
      labels.push(head.textContent.trim());
      var value = parseFloat(cell.getAttribute("data-value"));
      values.push(isNaN(value) ? 0 : value);
    }
    return { labels: labels, values: values, name: table.tHead.rows[0].cells[column].textContent };
  }

  function width(box) {
    return Math.max(280, Math.min(box.clientWidth || 640, 960));
  }

  var accent = "#000091";
  // Counts: from zero, whole-number ticks only (fresh objects: uPlot keeps what it is given).
  function countAxis() {
    return { size: 50, incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000] };
  }
  function countScale() {
    return { range: function (u, min, max) { return [0, Math.max(1, max)]; } };
  }

  // Requests per day: bars over a time axis ("2026-11-03" headings, UTC days).
  function dayChart(box, data) {
    var xs = data.labels.map(function (day) { return Date.parse(day + "T00:00:00Z") / 1000; });
    return new uPlot({
      width: width(box),
      height: 220,
      tzDate: function (ts) { return uPlot.tzDate(new Date(ts * 1000), "Etc/UTC"); },
      legend: { show: false },
      cursor: { show: false },
      // Half a day either side, so that the first and last bars show whole.
      scales: {
        x: { range: function (u, min, max) { return [min - 43200, max + 43200]; } },
        y: countScale()
      },
      series: [
        {},
        { label: data.name, stroke: accent, fill: "rgba(0, 0, 145, 0.25)",
          paths: uPlot.paths.bars({ size: [0.7, 40] }), points: { show: false } }
      ],
      axes: [{}, countAxis()]
    }, [xs, data.values], box);
  }

  // One bar per row (teams, channels), labelled with the row headings.
  function barChart(box, data) {
    var xs = data.labels.map(function (_, i) { return i; });
    return new uPlot({
      width: width(box),
      height: 220,
      legend: { show: false },
      cursor: { show: false },
      scales: {
        x: { time: false, range: function () { return [-0.5, xs.length - 0.5]; } },
        y: countScale()
      },
      series: [
        {},
        { label: data.name, stroke: accent, fill: "rgba(0, 0, 145, 0.25)",
          paths: uPlot.paths.bars({ size: [0.6, 80] }), points: { show: false } }
      ],
      axes: [
        { splits: function () { return xs; },
          values: function (u, splits) {
            return splits.map(function (i) { return data.labels[i] || ""; });
          } },
        countAxis()
      ]
    }, [xs, data.values], box);
  }

  var boxes = document.querySelectorAll("[data-chart]");
  for (var i = 0; i < boxes.length; i++) {
    var box = boxes[i];
    var table = document.getElementById(box.getAttribute("data-chart-table"));
    if (!table) continue;
    var data = readTable(table, parseInt(box.getAttribute("data-chart-column"), 10) || 1);
    if (data.values.length === 0) continue;
    if (box.getAttribute("data-chart") === "days") dayChart(box, data);
    else barChart(box, data);
  }
})();
