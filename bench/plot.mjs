// The growth plot (bench/growth.svg) from bench/growth.json: one panel per request group, p95 per
// request kind against the number of customers, both axes logarithmic, the issue's p95 target as a
// dashed line. Plain SVG text, no dependency. `node bench/plot.mjs` redraws it from the JSON.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./lib.mjs";

const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#17becf"];
const PANEL = { width: 470, height: 300, left: 52, right: 12, top: 28, bottom: 34 };
const LEGEND_LINE = 14;

const esc = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const short = (n) => (n >= 1e6 ? `${n / 1e6}M` : `${n / 1e3}k`);

/** Powers of ten (and 2×, 5×) between lo and hi, for a log axis. */
function ticks(lo, hi) {
  const out = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** e;
      if (v >= lo && v <= hi) out.push(v);
    }
  }
  return out;
}

function panel(title, series, levels, target, x0, y0) {
  const { width, height, left, right, top, bottom } = PANEL;
  const values = series.flatMap((s) => s.points.map(([, v]) => v)).concat(target ? [target] : []);
  const lo = 10 ** Math.floor(Math.log10(Math.min(...values) * 0.9));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(...values) * 1.1));
  const innerW = width - left - right;
  const innerH = height - top - bottom - LEGEND_LINE * Math.ceil(series.length / 2);
  const xs = levels.map((l) => l.count);
  const xOf = (n) => x0 + left + (xs.length === 1 ? innerW / 2 : ((Math.log10(n) - Math.log10(xs[0])) / (Math.log10(xs.at(-1)) - Math.log10(xs[0]))) * innerW);
  const yOf = (v) => y0 + top + innerH - ((Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * innerH;
  const parts = [
    `<text x="${x0 + left}" y="${y0 + 18}" font-weight="bold">${esc(title)}</text>`,
    `<rect x="${x0 + left}" y="${y0 + top}" width="${innerW}" height="${innerH}" fill="none" stroke="#999"/>`,
  ];
  for (const v of ticks(lo, hi)) {
    parts.push(`<line x1="${x0 + left}" x2="${x0 + left + innerW}" y1="${yOf(v)}" y2="${yOf(v)}" stroke="#eee"/>`);
    parts.push(`<text x="${x0 + left - 4}" y="${yOf(v) + 4}" text-anchor="end" fill="#555">${v}</text>`);
  }
  for (const n of xs) parts.push(`<text x="${xOf(n)}" y="${y0 + top + innerH + 14}" text-anchor="middle" fill="#555">${short(n)}</text>`);
  parts.push(`<text x="${x0 + 12}" y="${y0 + top + innerH / 2}" transform="rotate(-90 ${x0 + 12} ${y0 + top + innerH / 2})" text-anchor="middle" fill="#555">p95 ms</text>`);
  if (target) {
    parts.push(`<line x1="${x0 + left}" x2="${x0 + left + innerW}" y1="${yOf(target)}" y2="${yOf(target)}" stroke="#000" stroke-dasharray="5 4"/>`);
    parts.push(`<text x="${x0 + left + innerW - 4}" y="${yOf(target) - 4}" text-anchor="end">target ${target} ms</text>`);
  }
  series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length];
    const path = s.points.map(([n, v], j) => `${j ? "L" : "M"}${xOf(n).toFixed(1)},${yOf(v).toFixed(1)}`).join(" ");
    parts.push(`<path d="${path}" fill="none" stroke="${color}" stroke-width="2"/>`);
    for (const [n, v] of s.points) parts.push(`<circle cx="${xOf(n).toFixed(1)}" cy="${yOf(v).toFixed(1)}" r="3" fill="${color}"><title>${esc(s.name)}: ${short(n)} p95 ${v.toFixed(1)} ms</title></circle>`);
    const lx = x0 + left + (i % 2) * (innerW / 2);
    const ly = y0 + top + innerH + 30 + Math.floor(i / 2) * LEGEND_LINE;
    parts.push(`<line x1="${lx}" x2="${lx + 14}" y1="${ly - 4}" y2="${ly - 4}" stroke="${color}" stroke-width="2"/>`);
    parts.push(`<text x="${lx + 18}" y="${ly}">${esc(s.name.length > 34 ? `${s.name.slice(0, 33)}…` : s.name)}</text>`);
  });
  return parts.join("\n");
}

/** The SVG of `results` (the shape bench/growth.mjs writes). */
export function plotSvg(results) {
  const levels = Object.values(results.levels).sort((a, b) => a.count - b.count);
  const groups = [];
  for (const level of levels) for (const r of level.rows) if (!groups.includes(r.group)) groups.push(r.group);
  const panels = groups.map((group) => {
    const names = [...new Set(levels.flatMap((l) => l.rows.filter((r) => r.group === group).map((r) => r.name)))];
    const series = names.map((name) => ({
      name,
      points: levels.flatMap((l) => l.rows.filter((r) => r.name === name).map((r) => [l.count, Math.max(r.p95, 0.1)])),
    }));
    const target = levels.flatMap((l) => l.rows).find((r) => r.group === group && r.target)?.target;
    return { group, series, target };
  });
  const columns = 2;
  const rows = Math.ceil(panels.length / columns);
  const width = PANEL.width * columns;
  const height = PANEL.height * rows + 30;
  const body = panels.map((p, i) => panel(p.group, p.series, levels, p.target, (i % columns) * PANEL.width, 30 + Math.floor(i / columns) * PANEL.height));
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="10" y="18" font-size="13" font-weight="bold">p95 latency (sequential, client-side) against customers per store — bench/growth.json</text>`,
    ...body,
    "</svg>",
  ].join("\n");
}

export function writePlot(results) {
  writeFileSync(join(ROOT, "bench/growth.svg"), `${plotSvg(results)}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) writePlot(JSON.parse(readFileSync(join(ROOT, "bench/growth.json"), "utf8")));
