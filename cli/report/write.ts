// Writes a report page: the directory is created if needed, and the path written is returned
// absolute so the command can print where to open it.

import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { renderReport, type ReportModel } from './html.js';

export async function writeReport(file: string, model: ReportModel): Promise<string> {
  const path = resolve(file);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, renderReport(model), 'utf8');
  return path;
}
