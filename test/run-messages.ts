// What test/run.ts and its test processes (test/run-worker.ts) say to each other.
import type { ContractState } from './helpers/contract.ts';

export type FromCoordinator =
  | { type: 'run'; name: string; file: string }
  /** No files left: send the contract findings and exit. */
  | { type: 'done' };

export type ToCoordinator =
  | { type: 'ready' }
  /** One file ran: its output (without uvu's totals), tests in it, tests passed, wall time. */
  | { type: 'result'; name: string; output: string; total: number; passed: number; ms: number }
  | { type: 'contract'; state: ContractState | undefined };
