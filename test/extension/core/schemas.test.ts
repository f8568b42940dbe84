import { readFileSync, readdirSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { COMMON_SCHEMA } from '../../../extension/src/core/schemas.js';
import { MIME_TYPES, SCHEMAS } from '../../../extension/src/views/registry.js';

const schemaDir = fileURLToPath(new URL('../../../engine/schemas/', import.meta.url));
const onDisk = Object.fromEntries(
  readdirSync(schemaDir)
    .filter((f) => f.endsWith('.schema.json'))
    .map((f) => [f, JSON.parse(readFileSync(schemaDir + f, 'utf8')) as { title: string }]),
);

describe('the schemas the renderers validate with', () => {
  it('are the files in engine/schemas, one per MIME type, plus the shared definitions', () => {
    const byTitle = Object.fromEntries(Object.values(onDisk).map((s) => [s.title, s]));
    // Every view's payload, and the mark of seqlab's plotly figures.
    expect(Object.keys(SCHEMAS).sort()).toEqual([...Object.values(MIME_TYPES), 'application/vnd.seqlab.figure.v1+json'].sort());
    for (const [mime, schema] of Object.entries(SCHEMAS)) expect(schema).toEqual(byTitle[mime]);
    expect(COMMON_SCHEMA).toEqual(onDisk['common.v1.schema.json']);
    // Every schema file is used: nothing in engine/schemas is left unchecked by the extension.
    expect(Object.keys(onDisk).length).toBe(Object.keys(SCHEMAS).length + 1);
  });

  it('are imported from the engine package, which is this repository\'s engine/ (no copy)', () => {
    // The shared definitions in core/schemas.ts, each view's schema in its view file.
    const srcDir = fileURLToPath(new URL('../../../extension/src/', import.meta.url));
    const sources = readdirSync(srcDir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    const specifiers = sources.flatMap((f) => [...readFileSync(srcDir + f, 'utf8').matchAll(/from '([^']+\.json)'/g)].map((m) => m[1]!));
    expect(specifiers).toHaveLength(6);
    const require = createRequire(fileURLToPath(new URL('../../../extension/package.json', import.meta.url)));
    for (const spec of specifiers) {
      expect(spec.startsWith('@seqlab/engine/schemas/')).toBe(true);
      expect(realpathSync(require.resolve(spec))).toBe(realpathSync(schemaDir + spec.slice('@seqlab/engine/schemas/'.length)));
    }
  });
});
