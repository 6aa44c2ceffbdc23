// The report page's stylesheet, inlined into every page (no network, no web fonts: system
// font stacks only, so the page looks the same offline and in CI's headless Chromium).

export const PAGE_CSS = `
:root { color-scheme: light; --fg: #1b1f24; --muted: #5c6670; --line: #d8dee4; --bg-alt: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--fg); background: #fff;
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", "Liberation Sans", sans-serif; }
header { padding: 18px 28px 10px; border-bottom: 1px solid var(--line); background: var(--bg-alt); }
h1 { margin: 0 0 4px; font-size: 22px; }
h2 { margin: 26px 0 8px; font-size: 17px; }
.meta { margin: 0; color: var(--muted); font-size: 13px; }
main { padding: 4px 28px 40px; }
p { margin: 6px 0; max-width: 110ch; }
code, td.num { font-family: ui-monospace, "DejaVu Sans Mono", "Liberation Mono", monospace; font-size: 12.5px; }
table { border-collapse: collapse; margin: 6px 0 10px; }
th, td { padding: 3px 10px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
th { background: var(--bg-alt); font-weight: 600; white-space: nowrap; }
td.num, th.num { text-align: right; white-space: nowrap; }
tr.group-start td { border-top: 2px solid #aab4be; }
td.nowrap { white-space: nowrap; }
caption { caption-side: bottom; text-align: left; color: var(--muted); font-size: 12.5px; padding-top: 4px; }
ul.explain { margin: 4px 0; padding-left: 20px; max-width: 120ch; }
ul.explain ul { padding-left: 18px; color: #333; }
.swatch { display: inline-block; width: 12px; height: 12px; border-radius: 2px; vertical-align: -1px; margin-right: 6px; }
section.timeline { margin-top: 22px; border-top: 1px solid var(--line); }
.tl-summary, .tl-note { color: var(--muted); font-size: 13px; }
.tl-note { color: #8a5a00; }
.tl-controls { margin: 6px 0; font-size: 13px; color: var(--muted); }
.tl-legend { display: flex; flex-wrap: wrap; gap: 4px 16px; margin: 6px 0 8px; font-size: 12.5px; }
.tl-legend-item { white-space: nowrap; }
.tl-legend-item .count { color: var(--muted); margin-left: 4px; }
.tl-scroll { max-height: 72vh; overflow: auto; border: 1px solid var(--line); border-radius: 4px; position: relative; }
.tl-axis { position: sticky; top: 0; z-index: 1; background: #fff; border-bottom: 1px solid var(--line); }
.tl-scroll svg { display: block; }
.tl-lane:hover .tl-stripe { fill: #fff3bf; }
.tl-label { font: 11.5px ui-monospace, "DejaVu Sans Mono", "Liberation Mono", monospace; fill: #24292f; }
.tl-tick { font: 11px system-ui, "DejaVu Sans", sans-serif; fill: var(--muted); }
noscript p { color: #8a5a00; }
`;
