/**
 * Shared checks of the display tests: schema validation with the contract's own files
 * (engine/schemas/) and well-formedness of the static SVG.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { JSDOM } from 'jsdom';
import { expect } from 'vitest';

const schemaDir = fileURLToPath(new URL('../../../engine/schemas/', import.meta.url));
const ajv = new Ajv({ allErrors: true, strict: true });
const byTitle = new Map<string, string>();
for (const f of readdirSync(schemaDir).filter((f) => f.endsWith('.schema.json'))) {
  const schema = JSON.parse(readFileSync(schemaDir + f, 'utf8'));
  ajv.addSchema(schema);
  byTitle.set(schema.title, schema.$id);
}

/** Asserts that `data` is valid against the schema whose title is `mime`. */
export function expectValid(mime: string, data: unknown): void {
  const id = byTitle.get(mime);
  expect(id, `a schema titled ${mime}`).toBeDefined();
  const validate = ajv.getSchema(id!)!;
  const ok = validate(data);
  expect(validate.errors ?? [], `payload valid against ${id}`).toEqual([]);
  expect(ok).toBe(true);
}

/** Parses an SVG string as XML (failing the test on a parse error) and returns its document. */
export function parseSvg(svg: string): Document {
  const { window } = new JSDOM('');
  const doc = new window.DOMParser().parseFromString(svg, 'image/svg+xml');
  expect(doc.getElementsByTagName('parsererror').length, 'SVG is well-formed XML').toBe(0);
  expect(doc.documentElement.tagName).toBe('svg');
  // No script, no event handler attributes, no external references anywhere.
  expect(doc.getElementsByTagName('script').length).toBe(0);
  for (const el of Array.from(doc.getElementsByTagName('*'))) {
    for (const attr of Array.from(el.attributes)) {
      expect(attr.name.startsWith('on'), `attribute ${attr.name} on <${el.tagName}>`).toBe(false);
      expect(attr.name === 'href' || attr.name === 'xlink:href', `link on <${el.tagName}>`).toBe(false);
    }
  }
  return doc;
}

/** The text of every <text> element of an SVG (without its tooltip <title>). */
export function svgTexts(doc: Document): string[] {
  return Array.from(doc.getElementsByTagName('text')).map((t) =>
    Array.from(t.childNodes)
      .filter((n) => n.nodeType === 3)
      .map((n) => n.textContent)
      .join(''),
  );
}

export const HOSTILE = '<img src=x onerror=alert(1)>';

/** A row-stochastic matrix [rows][cols] with a deterministic pattern. */
export function softmaxRows(rows: number, cols: number, seed = 1, masked?: (i: number, j: number) => boolean): number[][] {
  return Array.from({ length: rows }, (_, i) => {
    const e = Array.from({ length: cols }, (_, j) => (masked?.(i, j) ? 0 : Math.exp(Math.sin(seed * 7.1 + i * 1.7 + j * 0.9) * 2)));
    const s = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / s);
  });
}

/**
 * Asserts that a bundle's text/html is one <img> of its SVG (as a data URI, so nothing in
 * it runs), with the text/plain line as its alt text.
 */
export function expectHtmlFallback(bundle: Record<string, unknown>): void {
  const { window } = new JSDOM('');
  const body = window.document.createElement('body');
  body.innerHTML = bundle['text/html'] as string;
  expect(body.children).toHaveLength(1);
  const img = body.children[0]!;
  expect(img.tagName).toBe('IMG');
  expect(Array.from(img.attributes).map((a) => a.name).sort()).toEqual(['alt', 'src', 'style']);
  expect(img.getAttribute('alt')).toBe(bundle['text/plain']);
  const src = img.getAttribute('src')!;
  expect(src.startsWith('data:image/svg+xml;base64,')).toBe(true);
  expect(Buffer.from(src.slice('data:image/svg+xml;base64,'.length), 'base64').toString('utf8')).toBe(bundle['image/svg+xml']);
}
