// One client of one scenario, as the scenario loop sees it: run for a duration, get figures
// back. Every client runs in a process of its own and is driven over its stdin and stdout
// (bench/child-runner.ts): each Node client in bench/client-process.ts, Go's in its own binary
// (bench/go-runner.ts), each pinned to the client CPU.

import { spawn } from 'node:child_process';
import { basename, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { childRunner, targetJson } from './child-runner.js';
import type { ClientName, NodeClientName, Target } from './clients.js';
import type { RunResult } from './measure.js';
import { onCpu } from './pin.js';

export interface Runner {
  readonly name: ClientName;
  run(durationMs: number): Promise<RunResult>;
  close(): Promise<void>;
}

export interface Expect {
  expectBytes: number;
}

const CLIENT_PROCESS = fileURLToPath(new URL('./client-process.js', import.meta.url));

/**
 * With `profile`, V8 writes the process's CPU profile to that file when it exits; `env` is added
 * to the process's environment.
 */
export async function nodeRunner(
  name: NodeClientName,
  target: Target,
  expect: Expect,
  cpu: number | null,
  profile: string | null = null,
  env: Record<string, string> = {},
): Promise<Runner> {
  const prof = profile === null ? [] : ['--cpu-prof', `--cpu-prof-dir=${dirname(profile)}`, `--cpu-prof-name=${basename(profile)}`];
  const [cmd, args] = onCpu(cpu, process.execPath, [...prof, CLIENT_PROCESS, name, targetJson(target, expect.expectBytes)]);
  return childRunner(name, spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...env } }));
}
