import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { VIEWS } from '../../../engine/src/display/shared.js';
import { SPECS, VIEW_SPECS, specFor } from '../../../extension/src/views/registry.js';

const schemaDir = fileURLToPath(new URL('../../../engine/schemas/', import.meta.url));

// One spec per view on each side: the extension's registry is the engine's, view by view.
describe('the extension registry of views', () => {
  it('has one spec per engine view, carrying the engine entry and its schema file', () => {
    expect(Object.keys(VIEW_SPECS)).toEqual(Object.keys(VIEWS));
    for (const [key, spec] of Object.entries(VIEW_SPECS)) {
      expect(spec.contract).toEqual(VIEWS[key as keyof typeof VIEWS]);
      expect(spec.schema).toEqual(JSON.parse(readFileSync(schemaDir + spec.contract.schema, 'utf8')));
      expect(spec.schema['title']).toBe(spec.contract.mimeType);
      expect(specFor(spec.contract.mimeType)).toBe(spec);
      expect(spec.label.length).toBeGreaterThan(0);
      const mark = spec.contract.mark;
      expect(spec.markSchema, `${key}: a mark schema exactly when the view has a mark`).toEqual(mark ? JSON.parse(readFileSync(schemaDir + mark.schema, 'utf8')) : undefined);
    }
    expect(SPECS).toEqual(Object.values(VIEW_SPECS));
    expect(specFor('application/vnd.seqlab.unknown.v1+json')).toBeUndefined();
  });
});
