import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as engine from '../../../engine/src/index.js';
import { MIME, VIEWS, type ViewContract } from '../../../engine/src/display/shared.js';
import { JUPYTER_DISPLAY } from '../../../engine/src/display/protocol.js';
import { expectValid } from './helpers.js';

const schemaDir = fileURLToPath(new URL('../../../engine/schemas/', import.meta.url));
const schemaFiles = readdirSync(schemaDir).filter((f) => f.endsWith('.schema.json'));
const titleOf = (file: string): string => (JSON.parse(readFileSync(schemaDir + file, 'utf8')) as { title: string }).title;

/** The smallest input of each builder, by builder name. */
const SAMPLES: Record<string, unknown> = {
  attentionView: { queryTokens: ['a'], weights: [[1]] },
  hiddenStatesView: { tokens: ['a'], series: { h: [[0.5]] } },
  gatesView: { architecture: 'gru', tokens: ['a'], gates: { reset: [[0.5]] } },
  plotlyFigure: { data: [{ type: 'scatter', y: [1, 2] }] },
};

describe('the registry of views (display/contract.ts)', () => {
  const views = Object.entries(VIEWS) as Array<[string, ViewContract]>;

  it('names every schema file once: one per view and mark, plus the shared definitions', () => {
    const named = [...views.flatMap(([, v]) => [v.schema, ...(v.mark ? [v.mark.schema] : [])]), 'common.v1.schema.json'];
    expect(new Set(named).size).toBe(named.length);
    expect(named.sort()).toEqual([...schemaFiles].sort());
    for (const [, v] of views) {
      expect(titleOf(v.schema), v.name).toBe(v.mimeType);
      if (v.mark) expect(titleOf(v.mark.schema)).toBe(v.mark.mimeType);
    }
  });

  it('names the engine export that builds each view, whose bundle has that MIME type and validates', () => {
    for (const [key, v] of views) {
      const build = (engine as Record<string, unknown>)[v.builder];
      expect(typeof build, v.builder).toBe('function');
      expect(SAMPLES[v.builder], `a sample input for ${v.builder}`).toBeDefined();
      const view = (build as (o: unknown) => engine.View)(SAMPLES[v.builder]);
      expect(view.contract).toBe(v);
      expect(view.mimeType).toBe(MIME[key as keyof typeof MIME]);
      const bundle = view[JUPYTER_DISPLAY]();
      expectValid(v.mimeType, bundle[v.mimeType]);
      if (v.mark) {
        expect(bundle[v.mark.mimeType]).toEqual({ version: 1, of: v.mimeType });
        expectValid(v.mark.mimeType, bundle[v.mark.mimeType]);
      }
    }
  });
});
