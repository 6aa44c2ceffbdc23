// `--report FILE.html`: one self-contained page (inline CSS, inline script, inline SVG drawn by
// that script; a Content-Security-Policy forbids any fetch, so it works offline and leaks
// nothing). A report is a title and a list of blocks in order: tables, explanations, close
// reasons, advice, and connection timelines. Tables and text are HTML written here (escaped);
// timelines are JSON beside a placeholder, drawn by page-script.ts in the browser.

import { REASONS, FIRST_REQUEST_COLOR, OPEN_COLOR, REUSED_REQUEST_COLOR, UNKNOWN_COLOR, reasonColor } from './colors.js';
import { escapeHtml, jsonForScript } from './escape.js';
import { PAGE_SCRIPT } from './page-script.js';
import { PAGE_CSS } from './page-style.js';
import type { Timeline } from './timeline.js';

/** Lanes drawn per timeline at most; a run with more connections says so on the page. */
export const MAX_LANES = 500;

export interface TableBlock {
  kind: 'table';
  title?: string;
  caption?: string;
  header: readonly string[];
  rows: readonly (readonly string[])[];
  /** Right-aligned columns. */
  numeric?: readonly boolean[];
  /** Rows whose index is here start a visual group (a heavier top rule). */
  groupStarts?: readonly number[];
  /** This many leading columns never wrap (labels such as "1 closed unread"). */
  nowrapLeading?: number;
}

export interface TextBlock {
  kind: 'text';
  title?: string;
  paragraphs: readonly string[];
}

/** A list; an item may carry a nested list (a pattern and its rows). */
export interface ListBlock {
  kind: 'list';
  title?: string;
  items: readonly (string | { text: string; items: readonly string[] })[];
}

export interface CloseReasonsBlock {
  kind: 'closeReasons';
  title?: string;
  counts: Readonly<Record<string, number>>;
}

export interface TimelineBlock {
  kind: 'timeline';
  title: string;
  description?: string;
  timeline: Timeline;
}

export type ReportBlock = TableBlock | TextBlock | ListBlock | CloseReasonsBlock | TimelineBlock;

export interface ReportModel {
  title: string;
  /** Lines under the title: command, Node version, date. */
  meta: readonly string[];
  blocks: readonly ReportBlock[];
}

const h2 = (title: string | undefined): string => (title === undefined ? '' : `<h2>${escapeHtml(title)}</h2>\n`);

function table(b: TableBlock): string {
  const cls = (i: number): string => (b.numeric?.[i] === true ? ' class="num"' : '');
  const head = b.header.map((c, i) => `<th${cls(i)}>${escapeHtml(c)}</th>`).join('');
  const groups = new Set(b.groupStarts ?? []);
  const rows = b.rows
    .map((r, ri) => {
      const cells = r.map((c, i) => `<td${i < (b.nowrapLeading ?? 0) ? ' class="nowrap"' : cls(i)}>${escapeHtml(c)}</td>`).join('');
      return `<tr${groups.has(ri) && ri > 0 ? ' class="group-start"' : ''}>${cells}</tr>`;
    })
    .join('\n');
  const caption = b.caption === undefined ? '' : `<caption>${escapeHtml(b.caption)}</caption>`;
  // A label/value table has no header worth a row.
  const thead = b.header.every((c) => c === '') ? '' : `<thead><tr>${head}</tr></thead>`;
  return `${h2(b.title)}<table>${caption}${thead}\n<tbody>\n${rows}\n</tbody></table>\n`;
}

function text(b: TextBlock): string {
  return h2(b.title) + b.paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('\n') + '\n';
}

function list(b: ListBlock): string {
  const items = b.items
    .map((it) => {
      if (typeof it === 'string') return `<li>${escapeHtml(it)}</li>`;
      const sub = it.items.map((s) => `<li>${escapeHtml(s)}</li>`).join('');
      return `<li>${escapeHtml(it.text)}<ul>${sub}</ul></li>`;
    })
    .join('\n');
  return `${h2(b.title)}<ul class="explain">\n${items}\n</ul>\n`;
}

function closeReasons(b: CloseReasonsBlock): string {
  const entries = Object.entries(b.counts).filter(([, n]) => n > 0).sort((a, z) => z[1] - a[1]);
  if (entries.length === 0) return `${h2(b.title)}<p>No connection closed.</p>\n`;
  const rows = entries
    .map(([reason, n]) => {
      const meaning = REASONS[reason]?.meaning ?? '';
      const swatch = `<span class="swatch" style="background:${escapeHtml(reasonColor(reason))}"></span>`;
      return `<tr data-reason="${escapeHtml(reason)}"><td>${swatch}${escapeHtml(reason)}</td><td class="num">${n}</td><td>${escapeHtml(meaning)}</td></tr>`;
    })
    .join('\n');
  return `${h2(b.title)}<table><thead><tr><th>close reason</th><th class="num">connections</th><th>meaning</th></tr></thead>\n<tbody>\n${rows}\n</tbody></table>\n`;
}

const round = (t: number): number => Math.round(t * 100) / 100;

/** The timeline as the page script reads it (see page-script.ts), capped at MAX_LANES lanes. */
export function compactTimeline(t: Timeline): { duration: number; conns: unknown[][] } {
  const conns = t.connections.slice(0, MAX_LANES).map((c) => {
    const flat: number[] = [];
    for (const r of c.requests) {
      flat.push(round(r.start), r.end === null ? -1 : round(r.end), r.firstByte === null ? -1 : round(r.firstByte), (r.reused ? 1 : 0) | (r.notKept !== null ? 2 : 0));
    }
    return [c.id, c.key, c.openedAt === null ? null : round(c.openedAt), c.closedAt === null ? null : round(c.closedAt), c.reason, c.served, flat];
  });
  return { duration: round(t.duration), conns };
}

function timeline(b: TimelineBlock, index: number): string {
  const t = b.timeline;
  // Every request seen was either stored or counted as dropped.
  const stored = t.connections.reduce((n, c) => n + c.requests.length, 0);
  const summary =
    `${t.connections.length + t.droppedConnections} connection(s), ${stored + t.droppedRequests} request(s) ` +
    `over ${(t.duration / 1000).toFixed(2)} s. Hover a bar, a label or an end marker for details.`;
  const notes: string[] = [];
  if (t.connections.length === 0) notes.push('No httpool connection was used while this was recorded.');
  if (t.connections.length > MAX_LANES) {
    notes.push(`${t.connections.length} connections recorded: the first ${MAX_LANES} are drawn, ${t.connections.length - MAX_LANES} more are not.`);
  }
  if (t.droppedConnections > 0) notes.push(`${t.droppedConnections} connection(s) past the recorder's cap were counted but not recorded.`);
  if (t.droppedRequests > 0) notes.push(`${t.droppedRequests} request(s) past the recorder's cap were counted but not drawn.`);
  const zoom = [1, 2, 5, 10, 25].map((z) => `<option value="${z}">${z}\u00d7</option>`).join('');
  return (
    `<section class="timeline" id="timeline-${index + 1}" data-timeline="${index}" data-connections="${t.connections.length}" data-lanes="${Math.min(t.connections.length, MAX_LANES)}">\n` +
    `<h2>${escapeHtml(b.title)}</h2>\n` +
    (b.description === undefined ? '' : `<p>${escapeHtml(b.description)}</p>\n`) +
    `<p class="tl-summary">${escapeHtml(summary)}</p>\n` +
    notes.map((n) => `<p class="tl-note tl-capped">${escapeHtml(n)}</p>\n`).join('') +
    `<div class="tl-legend-slot"></div>\n` +
    `<div class="tl-controls"><label>zoom <select class="tl-zoom">${zoom}</select></label> (wider scrolls sideways)</div>\n` +
    `<div class="tl-scroll"></div>\n` +
    `<noscript><p>The timeline is drawn by the page's script; enable JavaScript to see it.</p></noscript>\n` +
    `<script type="application/json" class="tl-data">${jsonForScript(compactTimeline(t))}</script>\n` +
    `</section>\n`
  );
}

function block(b: ReportBlock, timelineIndex: () => number): string {
  switch (b.kind) {
    case 'table':
      return table(b);
    case 'text':
      return text(b);
    case 'list':
      return list(b);
    case 'closeReasons':
      return closeReasons(b);
    case 'timeline':
      return timeline(b, timelineIndex());
  }
}

/** The whole page as one string. */
export function renderReport(model: ReportModel): string {
  let n = 0;
  const body = model.blocks.map((b) => block(b, () => n++)).join('\n');
  const style = {
    reasons: REASONS,
    open: OPEN_COLOR,
    unknown: UNKNOWN_COLOR,
    first: FIRST_REQUEST_COLOR,
    reused: REUSED_REQUEST_COLOR,
  };
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<title>${escapeHtml(model.title)}</title>
<style>${PAGE_CSS}</style>
</head>
<body>
<header>
<h1>${escapeHtml(model.title)}</h1>
${model.meta.map((m) => `<p class="meta">${escapeHtml(m)}</p>`).join('\n')}
</header>
<main>
${body}
</main>
<script type="application/json" id="httpool-style">${jsonForScript(style)}</script>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}
