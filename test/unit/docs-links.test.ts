/**
 * Every relative link in README.md and docs/*.md points at a file of the repository, and every
 * #anchor at a heading of the page it names (GitHub's heading ids), so the docs never send a
 * reader nowhere. Links to other sites are left alone.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/module-graph.js';

/** GitHub's id for a heading: lower case, punctuation dropped, spaces to dashes. */
function headingId(text: string): string {
  return text
    .replace(/`/g, '')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** The ids of a Markdown page's headings, outside fenced code, with GitHub's -1, -2 for repeats. */
function headingIds(markdown: string): Set<string> {
  const ids = new Set<string>();
  const seen = new Map<string, number>();
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    const m = !fenced && /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!m) continue;
    const base = headingId(m[1] as string);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    ids.add(n === 0 ? base : `${base}-${n}`);
  }
  return ids;
}

/** Inline links `[text](target)` outside fenced code and inline code. */
function links(markdown: string): string[] {
  const out: string[] = [];
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    if (fenced) continue;
    const text = line.replace(/`[^`]*`/g, '');
    for (const m of text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) out.push(m[1] as string);
  }
  return out;
}

/** Every broken link of `markdown`, read as the page at `file`, as "file: target (why)". */
function brokenLinks(file: string, markdown = readFileSync(file, 'utf8')): string[] {
  const broken: string[] = [];
  const page = relative(repoRoot, file);
  for (const target of links(markdown)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto: …
    const [path = '', anchor] = target.split('#');
    const resolved = path === '' ? file : resolve(dirname(file), decodeURIComponent(path));
    if (!resolved.startsWith(repoRoot + '/') && resolved !== repoRoot) {
      broken.push(`${page}: ${target} (outside the repository)`);
    } else if (!existsSync(resolved)) {
      broken.push(`${page}: ${target} (no such file)`);
    } else if (anchor !== undefined) {
      if (!resolved.endsWith('.md') || statSync(resolved).isDirectory()) {
        broken.push(`${page}: ${target} (an anchor into a file that is not Markdown)`);
      } else if (!headingIds(readFileSync(resolved, 'utf8')).has(anchor)) {
        broken.push(`${page}: ${target} (no heading #${anchor})`);
      }
    }
  }
  return broken;
}

const pages = [
  join(repoRoot, 'README.md'),
  ...readdirSync(join(repoRoot, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => join(repoRoot, 'docs', f)),
];

describe('links in README.md and docs/', () => {
  it.each(pages.map((p) => relative(repoRoot, p)))(
    'every relative link and #anchor in %s resolves',
    (page) => {
      expect(brokenLinks(join(repoRoot, page))).toEqual([]);
    },
  );

  it('finds a missing file, a missing heading and a link out of the repository, and passes a good one', () => {
    const text =
      '[a](nowhere.md) [b](errors.md#no-such-heading) [c](../../outside.md) [d](errors.md#exit-codes) ' +
      '[e](https://example.com/x.md) `[f](in-code.md)`';
    expect(brokenLinks(join(repoRoot, 'docs', 'README.md'), text)).toEqual([
      'docs/README.md: nowhere.md (no such file)',
      'docs/README.md: errors.md#no-such-heading (no heading #no-such-heading)',
      'docs/README.md: ../../outside.md (outside the repository)',
    ]);
  });

  it('lets no page, source file, test or benchmark cite a developer note outside the repository', () => {
    const outside = /FIELD-NOTES|\b(DESIGN|STYLE)\.md\b/;
    const self = resolve(import.meta.filename);
    const citing: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (/\.(ts|mjs|js|md|ya?ml)$/.test(entry.name) && path !== self) {
          readFileSync(path, 'utf8')
            .split('\n')
            .forEach((line, i) => {
              if (outside.test(line)) citing.push(`${relative(repoRoot, path)}:${i + 1}`);
            });
        }
      }
    };
    for (const dir of [
      'src',
      'protocol',
      'reference-service',
      'scripts',
      'test',
      'bench',
      'docs',
      'scenarios',
    ]) {
      walk(join(repoRoot, dir));
    }
    for (const file of pages)
      if (outside.test(readFileSync(file, 'utf8'))) citing.push(relative(repoRoot, file));
    expect(citing).toEqual([]);
  });

  it('gives headings GitHub ids: punctuation dropped, code unwrapped, repeats numbered', () => {
    const ids = headingIds(
      "# The admin API (Toxiproxy-compatible)\n## Admission control and Node's timeouts\n## `loadlab proxy`\n## Notes\n## Notes\n```\n# not a heading\n```",
    );
    expect([...ids]).toEqual([
      'the-admin-api-toxiproxy-compatible',
      'admission-control-and-nodes-timeouts',
      'loadlab-proxy',
      'notes',
      'notes-1',
    ]);
  });
});
