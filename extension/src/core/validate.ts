/**
 * Validation of payloads before drawing: the JSON Schema of the view (ajv, with the
 * schema files of engine/schemas/), then the view's own checks of what a schema cannot
 * state. Problems come back as sentences that name the field, so the inline error says
 * what is wrong.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { COMMON_SCHEMA } from './schemas.js';
import type { ViewSpec } from './spec.js';

let ajv: Ajv | undefined;
const compiled = new WeakMap<object, ValidateFunction>();

function validatorFor(schema: Record<string, unknown>): ValidateFunction {
  let v = compiled.get(schema);
  if (!v) {
    // allErrors off: the first problem is enough to report, and a wrong 800k-number payload stays cheap.
    ajv ??= new Ajv({ allErrors: false, strict: true }).addSchema(COMMON_SCHEMA);
    v = ajv.compile(schema);
    compiled.set(schema, v);
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

/** Problems with a payload of `spec`'s view, as sentences; empty when it can be drawn. */
export function payloadProblems(spec: ViewSpec, data: unknown): string[] {
  if (typeof data === 'string') {
    return ['the payload is a string; a JSON MIME type carries an object (was it serialised twice?)'];
  }
  const validate = validatorFor(spec.schema);
  if (!validate(data)) return (validate.errors ?? []).slice(0, 5).map(schemaProblem);
  return spec.problems ? spec.problems(data).slice(0, 5) : [];
}

/** Problems with the mark entry `data` of `spec`'s view (see ViewSpec.markSchema), as sentences naming the entry. */
export function markProblems(spec: ViewSpec, mime: string, data: unknown): string[] {
  if (!spec.markSchema) return [`${mime} is not a mark of a seqlab view`];
  const validate = validatorFor(spec.markSchema);
  if (validate(data)) return [];
  return (validate.errors ?? []).slice(0, 5).map((e) => `the ${mime} entry: ${schemaProblem(e).replace(/^the payload /, 'it ')}`);
}

/**
 * What is wrong with the shape of matrix `m` (`name` in messages): `rows` rows (the length
 * of `rowsWhat`), every row `cols` entries (the length of `colsWhat`) or, without `cols`,
 * rows of equal length. Null when the shape is right.
 *
 * @example matrixProblems('weights[0][0]', map, 3, 'queryTokens', 4, 'keyTokens')
 */
export function matrixProblems(name: string, m: readonly (readonly number[])[], rows: number, rowsWhat: string, cols?: number, colsWhat?: string): string | null {
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
