// The progress bar of `-o FILE` on a terminal: one line on stderr redrawn from the library's
// downloadProgress events (already throttled to one per 64 KiB or 100 ms). Never drawn when
// stderr is piped (a log would fill with carriage returns) or with -s.

import type { ProgressInfo } from '../../src/index.js';

const WIDTH = 30;

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`;
}

export interface ProgressBar {
  update(info: ProgressInfo): void;
  /** Ends the line (once), so what stderr prints next starts on its own line. */
  done(): void;
}

export function progressBar(write: (s: string) => void): ProgressBar {
  const start = performance.now();
  let drawn = false;
  return {
    update({ transferred, total }) {
      const secs = (performance.now() - start) / 1000;
      const rate = secs > 0 ? `${size(transferred / secs)}/s` : '';
      let line: string;
      if (total > 0) {
        const frac = Math.min(1, transferred / total);
        const filled = Math.round(frac * WIDTH);
        line = `[${'#'.repeat(filled)}${' '.repeat(WIDTH - filled)}] ${(frac * 100).toFixed(0).padStart(3)}% ${size(transferred)} / ${size(total)} ${rate}`;
      } else {
        // Unknown length (chunked, or decoded on the way): what arrived and how fast.
        line = `${size(transferred)} ${rate}`;
      }
      // \x1b[K clears what a longer previous line left behind.
      write(`\r${line}\u001b[K`);
      drawn = true;
    },
    done() {
      if (drawn) write('\n');
      drawn = false;
    },
  };
}
