/**
 * The shell of a self-contained report page, shared by the overlay and comparison reports: the
 * same Content-Security-Policy as the run report (nothing loaded from anywhere), the stylesheet,
 * the body, the charts' data as JSON, chart.js and the page's own script, all inlined.
 */
import { chartJsSource } from './chartjs-source.js';
import { escapeHtml, jsonForScript, scriptForInline } from './escape.js';
import { reportCss } from './html-style.js';

const csp = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:";

/** What one page is made of; `dataElementId` names the `<script type="application/json">` element. */
export interface HtmlPageParts {
  title: string;
  /** Extra CSS after the run report's stylesheet. */
  css: string;
  /** The page's HTML inside `<main>`, already escaped. */
  body: string;
  dataElementId: string;
  data: unknown;
  /** The page's browser script, run after chart.js. */
  script: string;
}

/** The whole page as one HTML string. */
export function htmlPage(parts: HtmlPageParts): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(parts.title)}</title>
<style>${reportCss}${parts.css}</style>
</head>
<body>
<main>
${parts.body}
</main>
<script type="application/json" id="${escapeHtml(parts.dataElementId)}">${jsonForScript(parts.data)}</script>
<script>${scriptForInline(chartJsSource())}</script>
<script>${scriptForInline(parts.script)}</script>
</body>
</html>
`;
}

/**
 * A relative file path as a URL path for `href`: separators become `/` and every segment is
 * percent-encoded, so a path is never read as a scheme (`javascript:`) or a query.
 */
export function hrefOfPath(path: string): string {
  return path.replace(/\\/g, '/').split('/').map(encodeURIComponent).join('/');
}

/** A small palette of distinct colours for variants and sides, cycling with shifted hues past ten. */
export function seriesColor(index: number): string {
  const palette = [
    '#2563eb',
    '#ea580c',
    '#16a34a',
    '#7c3aed',
    '#dc2626',
    '#0891b2',
    '#ca8a04',
    '#db2777',
    '#475569',
    '#65a30d',
  ];
  if (index < palette.length) return palette[index]!;
  return `hsl(${(index * 137.5) % 360}, 65%, 42%)`;
}
