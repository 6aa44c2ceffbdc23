// The lab as a report page: the same table the terminal shows, each pattern and row in one
// sentence, then one connection timeline per httpool row. Only httpool publishes the
// diagnostics channels a timeline is drawn from; the page says so rather than leave the other
// clients' absence unexplained.

import type { ReportBlock, ReportModel } from '../report/html.js';
import type { Timeline } from '../report/timeline.js';
import type { Pattern } from './pattern.js';
import { COLUMN_NOTES, TABLE_HEADER, TABLE_NUMERIC, tableCells } from './render.js';
import type { Row } from './runner.js';

export interface RecordedRow {
  row: Row;
  /** The run's timeline (httpool rows, when a report was asked for). */
  timeline: Timeline | null;
}

export function labReport(patterns: readonly Pattern[], recorded: readonly RecordedRow[], skipped: readonly string[]): ReportModel {
  const rows = recorded.map((r) => r.row);
  const groupStarts = rows.flatMap((r, i) => (i === 0 || rows[i - 1]?.pattern !== r.pattern ? [i] : []));
  const blocks: ReportBlock[] = [
    {
      kind: 'text',
      paragraphs: [
        'Each seed incident replayed against an embedded local server, through Node\'s fetch, node:http with a keep-alive Agent, undici and httpool. The server counts what it saw; the kernel\'s socket table (/proc/net/tcp) gives what the seed authors needed ss and tcpdump for.',
        ...skipped,
      ],
    },
    {
      kind: 'table',
      title: 'Results',
      header: TABLE_HEADER,
      rows: rows.map(tableCells),
      numeric: TABLE_NUMERIC,
      groupStarts,
      nowrapLeading: 2,
      caption: COLUMN_NOTES.join(' '),
    },
    {
      kind: 'list',
      title: 'What each pattern and row shows',
      items: patterns
        .filter((p) => rows.some((r) => r.pattern === p.id))
        .map((p) => ({
          text: `${p.id} (seed ${p.seed}): ${p.explains}`,
          items: rows.filter((r) => r.pattern === p.id).map((r) => `${r.client}: ${r.explains}`),
        })),
    },
    {
      kind: 'text',
      title: 'Connection timelines',
      paragraphs: [
        'One timeline per httpool row, recorded from the httpool:* diagnostics channels while the row ran: a lane per connection, a bar per request (from getting the connection to handing it back), the thin line where it sat idle, and an end marker colored by why it closed. Only httpool publishes these channels, so fetch, node:http and undici rows have no timeline. Recording adds a little work per request, so httpool rows are slightly slower with --report.',
      ],
    },
  ];
  for (const { row, timeline } of recorded) {
    if (timeline === null) continue;
    blocks.push({ kind: 'timeline', title: `${row.pattern}: ${row.client}`, description: row.explains, timeline });
  }
  return {
    title: 'httpool lab: the seed incidents, client by client',
    meta: [`httpool lab, Node ${process.version}, ${new Date().toISOString()}`],
    blocks,
  };
}
