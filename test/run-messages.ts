// What test/run.ts and its test processes (test/run-worker.ts) say to each other, and how both
// read uvu's totals.
import { stripVTControlCharacters } from 'node:util';
import type { ContractState } from './helpers/contract.ts';

/** uvu prints "Total: N" and "Passed: N" (in colour); 0 for what it did not print. */
export function uvuTotals(output: string): { total: number; passed: number } {
  const plain = stripVTControlCharacters(output);
  return {
    total: Number(plain.match(/Total:\s+(\d+)/)?.[1] ?? 0),
    passed: Number(plain.match(/Passed:\s+(\d+)/)?.[1] ?? 0),
  };
}

export type FromCoordinator =
  | { type: 'run'; name: string; file: string }
  /** No files left: send the contract findings and exit. */
  | { type: 'done' };

export type ToCoordinator =
  | { type: 'ready' }
  /** One file ran: its output (without uvu's totals), tests in it, tests passed, wall time. */
  | { type: 'result'; name: string; output: string; total: number; passed: number; ms: number }
  | { type: 'contract'; state: ContractState | undefined };
