// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { HOSTILE, recordingPlotly, settle } from './plotly-recorder.js';

const ATT = 'application/vnd.seqlab.attention.v1+json';
const payload = { version: 1, queryTokens: [HOSTILE, 'b'], keyTokens: ['a', 'b'], weights: [[[[1, 0], [0.5, 0.5]]]] };

/** An exported page's output container, as docs/export in extension/README.md describes it. */
function container(mime: string, json: string): HTMLElement {
  const div = document.createElement('div');
  div.className = 'seqlab-output';
  div.dataset.mimeType = mime;
  const script = document.createElement('script');
  script.type = 'application/json';
  script.textContent = json;
  const img = document.createElement('img');
  img.className = 'seqlab-static';
  img.alt = 'static figure';
  div.append(script, img);
  document.body.append(div);
  return div;
}

describe('standalone bundle entry', () => {
  it('defines window.seqlabViews and draws every output container once', async () => {
    const good = container(ATT, JSON.stringify(payload).replace(/</g, '\\u003c'));
    const bad = container(ATT, '{"version": 1');
    const rec = recordingPlotly();
    // Importing runs the entry: it draws what is on the page (theme from the system).
    const mod = await import('../../extension/src/standalone.js');
    expect(window.seqlabViews).toBeDefined();
    expect(window.seqlabViews!.mimeTypes).toContain(ATT);
    expect(window.seqlabViews!.render).toBe(mod.render);
    await settle();
    expect(good.querySelector('.seqlab-attention')).not.toBeNull();
    expect(good.querySelector<HTMLElement>('.seqlab-static')!.hidden).toBe(true); // static figure replaced by the view
    expect(good.querySelector('.seqlab-query text')!.firstChild!.textContent).toBe('<img src=x onerror=…');
    expect(good.querySelectorAll('img')).toHaveLength(1); // only the static figure's own <img>
    expect(bad.querySelector('.seqlab-error li')!.textContent).toMatch(/^its payload is not JSON/);
    expect(bad.querySelector<HTMLElement>('.seqlab-static')!.hidden).toBe(false); // kept under the error
    // A second pass draws only new containers.
    const later = container(ATT, JSON.stringify({ ...payload, title: 'later' }));
    const handles = mod.renderAll(document, { loadPlotly: rec.loader });
    expect(handles).toHaveLength(1);
    expect(later.querySelector('.seqlab-title')!.textContent).toBe('later');
    expect(good.querySelectorAll('.seqlab-attention')).toHaveLength(1);
  });
});
