/**
 * Light and dark: JupyterLab marks its theme on <body data-jp-theme-light="true|false">
 * and in CSS variables; a standalone page may set the theme itself or follow the system.
 */

export type Theme = 'light' | 'dark';

/** The theme of the page: JupyterLab's marker if present, else the system preference. */
export function detectTheme(doc: Document = document): Theme {
  const marker = doc.body?.dataset.jpThemeLight;
  if (marker === 'true') return 'light';
  if (marker === 'false') return 'dark';
  const media = doc.defaultView?.matchMedia?.('(prefers-color-scheme: dark)');
  return media?.matches ? 'dark' : 'light';
}

/**
 * Calls `onChange` whenever JupyterLab switches theme; returns the function that stops
 * watching.
 */
export function watchTheme(onChange: (theme: Theme) => void, doc: Document = document): () => void {
  if (!doc.body || typeof MutationObserver === 'undefined') return () => undefined;
  let current = detectTheme(doc);
  const observer = new MutationObserver(() => {
    const next = detectTheme(doc);
    if (next !== current) {
      current = next;
      onChange(next);
    }
  });
  observer.observe(doc.body, { attributes: true, attributeFilter: ['data-jp-theme-light'] });
  return () => observer.disconnect();
}

/** Colours for plot text and lines: JupyterLab's CSS variables when present, else defaults. */
export function themeColors(theme: Theme, el?: Element): { text: string; muted: string; grid: string; zeroline: string; font: string } {
  const css = el && el.isConnected && typeof getComputedStyle === 'function' ? getComputedStyle(el) : undefined;
  const v = (name: string, fallback: string): string => css?.getPropertyValue(name).trim() || fallback;
  const dark = theme === 'dark';
  return {
    text: v('--jp-ui-font-color1', dark ? '#e0e0e0' : '#1f1f1f'),
    muted: v('--jp-ui-font-color2', dark ? '#a8a8a8' : '#616161'),
    grid: v('--jp-border-color2', dark ? '#444444' : '#e0e0e0'),
    zeroline: v('--jp-border-color1', dark ? '#666666' : '#bdbdbd'),
    font: v('--jp-ui-font-family', 'system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif'),
  };
}
