/** Messages between the session thread and the language worker. */
import type { Completion, Inspection, TypeDiagnostic } from '../dispatch/handlers.js';

/** Session -> language worker. */
export type LanguageRequest =
  | { op: 'cell'; code: string }
  | { op: 'reset' }
  | { op: 'complete'; id: number; code: string; cursor: number }
  | { op: 'inspect'; id: number; code: string; cursor: number; detailLevel: number }
  | { op: 'check'; id: number; code: string };

/** Language worker -> session. */
export type LanguageResponse = { id: number; result: Completion | Inspection | TypeDiagnostic[]; error?: undefined } | { id: number; error: string; result?: undefined };
