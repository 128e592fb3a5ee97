// Activity: sign-ups and logins per day over the last 30 days, from the platform's daily activity
// aggregate (an extension endpoint), drawn as a small SVG chart with the numbers as a table beside it.
import { api } from "./api.js";
import { attempt, card, fill, errorPanel, h, pageTitle, table } from "./ui.js";

const SVG = "http://www.w3.org/2000/svg";
const SERIES = [
  ["signups", "Sign-ups", "series-a"],
  ["logins", "Logins", "series-b"],
];

function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  el.append(...children);
  return el;
}

/** Two bars per day (sign-ups, logins); the y axis is scaled to a round maximum with whole-number ticks. */
export function chart(days, width = 640) {
  const height = 240;
  const pad = { left: 40, right: 8, top: 12, bottom: 28 };
  const max = Math.max(1, ...days.flatMap((d) => SERIES.map(([key]) => d[key])));
  const step = 10 ** Math.floor(Math.log10(max));
  const top = Math.max(2, Math.ceil(max / step) * step);
  const slot = (width - pad.left - pad.right) / days.length;
  const bar = Math.max(1, (slot - 2) / SERIES.length);
  const y = (v) => pad.top + (1 - v / top) * (height - pad.top - pad.bottom);
  const totals = SERIES.map(([key, label]) => `${days.reduce((n, d) => n + d[key], 0)} ${label.toLowerCase()}`).join(" and ");
  const svg = s("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": `Last ${days.length} days: ${totals}`, class: "chart" });
  for (const tick of [0, Math.round(top / 2), top]) {
    svg.append(s("line", { x1: pad.left, x2: width - pad.right, y1: y(tick), y2: y(tick), class: "grid" }),
      s("text", { x: pad.left - 6, y: y(tick) + 4, "text-anchor": "end", class: "axis" }, String(tick)));
  }
  days.forEach((d, i) => {
    const x = pad.left + i * slot + 1;
    SERIES.forEach(([key, label, cls], k) => {
      svg.append(s("rect", { x: x + k * bar, y: y(d[key]), width: bar, height: y(0) - y(d[key]), class: cls }, s("title", {}, `${d.date}: ${d[key]} ${label.toLowerCase()}`)));
    });
    // A date every week, counted back from today so the last one is always labelled.
    const last = i === days.length - 1;
    if ((days.length - 1 - i) % 7 === 0) svg.append(s("text", { x: last ? width - pad.right : x + slot / 2, y: height - 8, "text-anchor": last ? "end" : "middle", class: "axis" }, d.date.slice(5)));
  });
  return svg;
}

export async function activityPage(el) {
  const panel = errorPanel();
  const body = h("div");
  el.append(pageTitle("Activity"), h("p", { class: "hint" }, "Sign-ups and logins per day (UTC), last 30 days."), panel, body);
  await attempt(panel, null, async () => {
    const { days } = await api("GET", "/stats/activity", { query: { days: 30 } });
    fill(body,
      card("chart-title", "Sign-ups and logins",
        h("p", { class: "legend" }, SERIES.map(([, label, cls]) => h("span", { class: `key ${cls}` }, label))),
        // Drawn at the width it will have on screen, so the axis text stays readable on a phone.
        chart(days, Math.round(Math.min(640, Math.max(300, el.clientWidth - 32))))),
      h("details", { class: "card" }, h("summary", {}, "The numbers"),
        table("!Sign-ups and logins per day", ["Day", "Sign-ups", "Logins"], days.slice().reverse().map((d) => [d.date, String(d.signups), String(d.logins)]))),
    );
  });
}
