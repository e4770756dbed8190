// The overview's charts. Each <div data-chart="ID"> is drawn from the JSON in <script id="ID"> that the
// page embeds (projects/dashboard.py builds it); clicking a bar or a point opens the list filtered to
// what it shows (the element's "url"). Loaded as a file: the Content-Security-Policy forbids inline code.
(function () {
  "use strict";

  const FONT = '"Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", sans-serif';

  function amount(value, unit) {
    const digits = unit === "万元" ? 2 : 0;
    return `${Number(value).toLocaleString("zh-CN", { minimumFractionDigits: digits, maximumFractionDigits: 6 })} ${unit}`;
  }

  // Bar labels: money with two decimals (none on an empty bar), counts as they are (0 included: nothing waits).
  function label(value, unit) {
    if (unit !== "万元") return String(value);
    return value ? Number(value).toLocaleString("zh-CN", { minimumFractionDigits: 2, maximumFractionDigits: 2 }) : "";
  }

  // A tooltip as DOM nodes, one line each, its text set through textContent: names of projects, units
  // and departments are typed by users and must never be read as HTML.
  function lines(texts) {
    const box = document.createElement("div");
    texts.forEach((text) => {
      const line = document.createElement("div");
      line.textContent = text;
      box.appendChild(line);
    });
    return box;
  }

  function base() {
    return {
      textStyle: { fontFamily: FONT },
      grid: { left: 12, right: 24, top: 36, bottom: 12, containLabel: true },
      tooltip: { trigger: "item", confine: true },
      animation: false,
    };
  }

  const builders = {
    // Vertical bars, one colour per bar (statuses, grades, score bands).
    bar(spec) {
      return Object.assign(base(), {
        xAxis: { type: "category", data: spec.data.map((item) => item.name), axisLabel: { interval: 0 } },
        yAxis: { type: "value", name: spec.unit, minInterval: spec.unit === "张" ? 1 : 0 },
        tooltip: {
          trigger: "item",
          formatter(params) {
            const item = params.data;
            const texts = [`${item.name}：${amount(item.value, spec.unit)}`];
            if (item.money !== undefined) texts.push(`资金 ${amount(item.money, "万元")}`);
            if (item.count !== undefined) texts.push(`${item.count} 张表`);
            return lines(texts);
          },
        },
        series: [{
          type: "bar",
          data: spec.data,
          barMaxWidth: 56,
          label: { show: true, position: "top", formatter: (params) => label(params.value, spec.unit) },
        }],
      });
    },

    // Horizontal bars, largest first from the top (the ten most frequent findings).
    ranking(spec) {
      const data = spec.data.slice().reverse();
      return Object.assign(base(), {
        grid: { left: 12, right: 48, top: 8, bottom: 8, containLabel: true },
        xAxis: { type: "value", minInterval: 1 },
        yAxis: { type: "category", data: data.map((item) => item.name), axisLabel: { width: 220, overflow: "truncate" } },
        tooltip: {
          trigger: "item",
          formatter: (params) => lines([params.data.name, `${params.data.value} 条，涉及 ${params.data.tables} 张表`]),
        },
        series: [{ type: "bar", data, barMaxWidth: 24, itemStyle: { color: "#fd7e14" }, label: { show: true, position: "right" } }],
      });
    },

    // Horizontal bars stacked by stage: money per department or per unit.
    stacked(spec) {
      const categories = spec.categories.slice().reverse();
      const series = spec.series.map((line) => ({
        type: "bar",
        stack: "money",
        name: line.name,
        itemStyle: line.itemStyle,
        data: line.data.slice().reverse(),
        barMaxWidth: 24,
        emphasis: { focus: "series" },
      }));
      return Object.assign(base(), {
        legend: { top: 0 },
        grid: { left: 12, right: 48, top: 32, bottom: 8, containLabel: true },
        xAxis: { type: "value", name: spec.unit },
        yAxis: { type: "category", data: categories, axisLabel: { width: 200, overflow: "truncate" } },
        tooltip: {
          trigger: "item",
          formatter: (params) => lines([params.name, `${params.seriesName}：${amount(params.value, spec.unit)}`]),
        },
        series,
      });
    },

    // Cumulative lines by day, with the year's submission deadline as a vertical dashed line.
    timeline(spec) {
      const series = spec.series.map((line) => ({
        type: "line",
        name: line.name,
        step: "end",
        symbolSize: 8,
        itemStyle: line.itemStyle,
        lineStyle: { color: line.itemStyle.color },
        data: line.data,
      }));
      if (spec.deadline && series.length) {
        series[0].markLine = {
          symbol: "none",
          silent: true,
          lineStyle: { type: "dashed", color: "#dc3545" },
          label: { formatter: `报送截止 ${spec.deadline}`, position: "end", color: "#dc3545" },
          data: [{ xAxis: spec.deadline }],
        };
      }
      return Object.assign(base(), {
        legend: { top: 0 },
        grid: { left: 12, right: 32, top: 56, bottom: 12, containLabel: true },
        xAxis: { type: "time", axisLabel: { hideOverlap: true, formatter: "{M}月{d}日" } },
        yAxis: { type: "value", name: spec.unit, minInterval: 1 },
        tooltip: {
          trigger: "item",
          formatter: (params) => lines([params.value[0], `${params.seriesName}：累计 ${params.value[1]} 张`]),
        },
        series,
      });
    },
  };

  function heightFor(spec) {
    const rows = spec.kind === "stacked" ? spec.categories.length : spec.kind === "ranking" ? spec.data.length : 0;
    return rows ? Math.max(240, rows * 30 + 60) : 300;
  }

  document.querySelectorAll("[data-chart]").forEach((element) => {
    const spec = JSON.parse(document.getElementById(element.dataset.chart).textContent);
    element.style.height = `${heightFor(spec)}px`;
    const chart = echarts.init(element, null, { renderer: "canvas" });
    chart.setOption(builders[spec.kind](spec));
    chart.on("click", (params) => {
      const url = params.data && params.data.url;
      if (url) window.location.assign(url);
    });
    element.classList.add("chart-ready");
    window.addEventListener("resize", () => chart.resize());
  });
})();
