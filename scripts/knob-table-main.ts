/**
 * `npm run docs:knobs`: rewrites the knob table in docs/reference-service.md from the config
 * schema. With `--check`, changes nothing and exits 1 when the page is out of date.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { regenerateKnobDoc } from './knob-table.js';

const root = join(import.meta.dirname, '..', '..');
const page = join(root, 'docs', 'reference-service.md');
const current = readFileSync(page, 'utf8');
const wanted = await regenerateKnobDoc(current, page);
if (process.argv.includes('--check')) {
  if (current !== wanted) {
    console.error(`${relative(root, page)}: the knob table differs from the schema; run npm run docs:knobs`);
    process.exit(1);
  }
} else if (current !== wanted) {
  writeFileSync(page, wanted);
  console.error(`${relative(root, page)}: knob table rewritten`);
}
