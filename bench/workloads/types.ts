/**
 * What a benchmark workload is: the same computation written once per implementation.
 * Each file in this folder exports `workloads` (an array); the harness finds them by
 * reading the folder, so a new workload is one new file.
 *
 * An iteration is one call of `Step.run`; the harness times many iterations per run and
 * reports seconds per iteration, converted to the workload's unit.
 */
import type * as Engine from '@seqlab/engine';
import type * as Tf from '@tensorflow/tfjs-core';

export type SeqlabLib = typeof Engine;
export type TfLib = typeof Tf;

/** One timed unit of work. */
export interface Step {
  run(): void;
  dispose?(): void;
}

/** A reason an implementation has no version of the workload (shown in the table). */
export interface Skip {
  skip: string;
}

export type Unit = 'GFLOP/s' | 'ms' | 'µs/op';

export interface Workload {
  /** Identifier from ../shared/notes/performance.md, e.g. `sgemm-512`. */
  id: string;
  /** Position in the table (performance.md order). */
  order: number;
  description: string;
  unit: Unit;
  /** Floating-point operations per iteration (unit GFLOP/s). */
  flops?: number;
  /** Operations per iteration (unit µs/op). */
  ops?: number;
  /** Builds the step on seqlab's public API. */
  seqlab?: ((engine: SeqlabLib) => Step) | Skip;
  /** Builds the step on TensorFlow.js (wasm backend already selected). */
  tfjs?: ((tf: TfLib) => Step) | Skip;
  /**
   * Python source run with `torch` imported; it must define `make()` returning a
   * zero-argument callable (one iteration).
   */
  torch?: string | Skip;
}

/** Seconds per iteration -> the workload's unit. */
export function toUnit(w: Workload, seconds: number): number {
  switch (w.unit) {
    case 'GFLOP/s':
      return (w.flops ?? 0) / seconds / 1e9;
    case 'ms':
      return seconds * 1e3;
    default:
      return (seconds / (w.ops ?? 1)) * 1e6;
  }
}

/** Whether larger values of the unit are better. */
export function higherIsBetter(unit: Unit): boolean {
  return unit === 'GFLOP/s';
}

export function isSkip(x: unknown): x is Skip {
  return typeof x === 'object' && x !== null && 'skip' in x;
}
