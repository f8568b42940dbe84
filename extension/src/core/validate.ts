/**
 * Validation of payloads before drawing: the JSON Schema of the MIME type (ajv, with the
 * schema files of engine/schemas/), then the agreements a schema cannot state (every map
 * as long as the token lists, rows of equal length). Problems come back as sentences
 * that name the field, so the inline error says what is wrong.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { AttentionPayload, GatesPayload, HiddenStatesPayload } from './payloads.js';
import { COMMON_SCHEMA, MIME_TYPES, SCHEMAS, type SeqlabMimeType } from './schemas.js';

let ajv: Ajv | undefined;
const compiled = new Map<string, ValidateFunction>();

function validatorFor(mime: SeqlabMimeType): ValidateFunction {
  let v = compiled.get(mime);
  if (!v) {
    // allErrors off: the first problem is enough to report, and a wrong 800k-number payload stays cheap.
    ajv ??= new Ajv({ allErrors: false, strict: true }).addSchema(COMMON_SCHEMA);
    v = ajv.compile(SCHEMAS[mime]);
    compiled.set(mime, v);
  }
  return v;
}

function schemaProblem(e: ErrorObject): string {
  const where = e.instancePath === '' ? 'the payload' : e.instancePath.slice(1).replace(/\//g, '.');
  if (e.keyword === 'additionalProperties') return `${where} has an unknown field "${String(e.params.additionalProperty)}"`;
  if (e.keyword === 'required') return `${where} lacks the field "${String(e.params.missingProperty)}"`;
  if (e.keyword === 'enum') return `${where} must be one of ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
  if (e.keyword === 'const') return `${where} must be ${JSON.stringify(e.params.allowedValue)}`;
  return `${where} ${e.message ?? 'is invalid'}`;
}

/** Problems with a payload for `mime`, as sentences; empty when it can be drawn. */
export function validatePayload(mime: SeqlabMimeType, data: unknown): string[] {
  if (typeof data === 'string') {
    return ['the payload is a string; a JSON MIME type carries an object (was it serialised twice?)'];
  }
  const validate = validatorFor(mime);
  if (!validate(data)) return (validate.errors ?? []).slice(0, 5).map(schemaProblem);
  switch (mime) {
    case MIME_TYPES.attention:
      return attentionProblems(data as AttentionPayload);
    case MIME_TYPES.hiddenStates:
      return hiddenStatesProblems(data as HiddenStatesPayload);
    case MIME_TYPES.gates:
      return gatesProblems(data as GatesPayload);
    default:
      return [];
  }
}

function matrixProblems(name: string, m: readonly (readonly number[])[], rows: number, rowsWhat: string, cols?: number, colsWhat?: string): string | null {
  if (m.length !== rows) return `${name} has ${m.length} rows but ${rowsWhat} has ${rows}`;
  const width = cols ?? m[0]?.length ?? 0;
  for (let i = 0; i < m.length; i++) {
    if (m[i]!.length !== width) {
      return cols !== undefined
        ? `${name}[${i}] has ${m[i]!.length} entries but ${colsWhat} has ${cols}`
        : `${name}[${i}] has ${m[i]!.length} entries but ${name}[0] has ${width}; rows must have equal length`;
    }
  }
  if (width === 0) return `${name} has empty rows`;
  return null;
}

function attentionProblems(p: AttentionPayload): string[] {
  const out: string[] = [];
  const q = p.queryTokens.length;
  const k = p.keyTokens.length;
  const heads = p.weights[0]!.length;
  p.weights.forEach((layer, l) => {
    if (layer.length !== heads) out.push(`weights[${l}] has ${layer.length} heads but weights[0] has ${heads}`);
    layer.forEach((map, h) => {
      const problem = matrixProblems(`weights[${l}][${h}]`, map, q, 'queryTokens', k, 'keyTokens');
      if (problem) out.push(problem);
    });
  });
  if (p.layerNames && p.layerNames.length !== p.weights.length) out.push(`layerNames has ${p.layerNames.length} names but weights has ${p.weights.length} layers`);
  if (p.headNames && p.headNames.length !== heads) out.push(`headNames has ${p.headNames.length} names but there are ${heads} heads`);
  if (p.mask) {
    const problem = matrixProblems('mask', p.mask as unknown as number[][], q, 'queryTokens', k, 'keyTokens');
    if (problem) out.push(problem);
  }
  return out.slice(0, 5);
}

function hiddenStatesProblems(p: HiddenStatesPayload): string[] {
  const out: string[] = [];
  const names = new Set<string>();
  p.series.forEach((s, i) => {
    if (names.has(s.name)) out.push(`series[${i}] repeats the name "${s.name}"`);
    names.add(s.name);
    const problem = matrixProblems(`series[${i}].states (${s.name})`, s.states, p.tokens.length, 'tokens');
    if (problem) out.push(problem);
  });
  return out.slice(0, 5);
}

const GATES_OF = { lstm: ['input', 'forget', 'candidate', 'output', 'cell', 'hidden'], gru: ['reset', 'update', 'candidate', 'hidden'] };

function gatesProblems(p: GatesPayload): string[] {
  const out: string[] = [];
  let units: number | undefined;
  let first = '';
  for (const [g, m] of Object.entries(p.gates)) {
    if (!GATES_OF[p.architecture].includes(g)) {
      out.push(`gates.${g} is not a gate of ${p.architecture.toUpperCase()} (expected ${GATES_OF[p.architecture].join(', ')})`);
      continue;
    }
    const problem = matrixProblems(`gates.${g}`, m!, p.tokens.length, 'tokens', units, units !== undefined ? `gates.${first}` : undefined);
    if (problem) out.push(problem);
    if (units === undefined && m!.length > 0) ((units = m![0]!.length), (first = g));
  }
  return out.slice(0, 5);
}
