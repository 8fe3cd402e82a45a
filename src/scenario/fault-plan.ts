/**
 * The fault windows of a run: each `faults:` entry placed on the load's clock (0 = load start),
 * with the toxic it becomes in the proxy's admin API (Toxiproxy JSON). Pure, so `loadlab validate`
 * prints it and tests check it with no network.
 *
 *   0s ─────────── 20s ████ latency on db ████ 30s ───── 35s ██ http 503 ██ 40s ── end
 *
 * A `down` window has no toxic: the proxy itself is disabled (`enabled: false`) for its length.
 */
import type { FaultSpec } from './faults-schema.js';
import { faultNames, toxicNames } from './faults-schema.js';

/** A toxic as the admin API takes it (`POST /proxies/{on}/toxics`). */
export interface FaultToxic {
  name: string;
  type: string;
  stream: 'upstream' | 'downstream';
  toxicity: number;
  attributes: Record<string, number>;
  match?: { method?: string; path?: string };
}

/** One fault window, in ms from the start of the load. */
export interface PlannedFault {
  /** Position in the scenario's `faults`, from 0. */
  index: number;
  /** What SLO scopes call it: its `name`, or `<on>-<kind>` (numbered when repeated). */
  name: string;
  /** The dependency (proxy) it hits. */
  on: string;
  /** The toxic type (a Toxiproxy name, or http_status / http_delay / http_cut), or `down`. */
  kind: string;
  startMs: number;
  /** Cut at the run's end when the window would outlast it. */
  endMs: number;
  /** The end as written (`at + for`, or the run's end when `for` is absent). */
  writtenEndMs: number;
  /** The toxic to add; absent for `down`, which disables the proxy instead. */
  toxic?: FaultToxic;
}

/** Places each fault in a run `totalMs` long; faults starting at or after the end are left out. */
export function planFaults(faults: readonly FaultSpec[], totalMs: number): PlannedFault[] {
  const planned: PlannedFault[] = [];
  const names = faultNames(faults);
  faults.forEach((fault, index) => {
    if (fault.at >= totalMs) return;
    const writtenEndMs = fault.for === undefined ? totalMs : fault.at + fault.for;
    const window = {
      index,
      name: names[index] ?? `${fault.on}-fault`,
      on: fault.on,
      startMs: fault.at,
      endMs: Math.min(writtenEndMs, totalMs),
      writtenEndMs,
    };
    if (fault.down === true) {
      planned.push({ ...window, kind: 'down' });
      return;
    }
    const toxic = toToxic(fault, `loadlab-fault-${index}`);
    planned.push({ ...window, kind: toxic.type, toxic });
  });
  return planned;
}

/** The admin-API toxic a fault entry stands for. */
export function toToxic(fault: FaultSpec, name: string): FaultToxic {
  const http = fault.http;
  if (http !== undefined) {
    const match = http.match === undefined ? {} : { match: { ...http.match } };
    const base = { name, stream: 'downstream' as const, toxicity: http.ratio, ...match };
    if (http.status !== undefined) {
      return {
        ...base,
        type: 'http_status',
        attributes: { status: http.status, retry_after: http.retryAfter ?? 0 },
      };
    }
    if (http.delay !== undefined) return { ...base, type: 'http_delay', attributes: { delay: http.delay } };
    return { ...base, type: 'http_cut', attributes: {} };
  }
  const type = toxicNames.find((t) => fault[t] !== undefined) ?? 'latency';
  return {
    name,
    type,
    stream: fault.stream ?? 'downstream',
    toxicity: fault.toxicity ?? 1,
    attributes: { ...(fault[type] as Record<string, number>) },
  };
}

/** The fault windows as `loadlab validate` prints them; `written` is how many faults the scenario lists. */
export function describeFaults(faults: readonly PlannedFault[], written: number): string {
  if (written === 0) return 'Faults: none';
  const rows = faults.map((f) => [
    String(f.index + 1),
    f.name,
    f.on,
    f.kind,
    seconds(f.startMs),
    seconds(f.endMs) + (f.endMs < f.writtenEndMs ? ' (cut at the end of the run)' : ''),
    f.toxic === undefined ? 'proxy disabled: connections refused, open ones cut' : describeToxic(f.toxic),
  ]);
  const widths = [0, 1, 2, 3, 4, 5].map((i) =>
    Math.max(...[['#', 'name', 'on', 'kind', 'start', 'end'], ...rows].map((r) => (r[i] ?? '').length)),
  );
  const line = (r: string[]): string =>
    `  ${r.map((c, i) => (i < 6 ? c.padEnd(widths[i] ?? 0) : c)).join('  ')}`.trimEnd();
  const left = written - faults.length;
  return [
    "Faults (seconds from the start of the load; applied through the lab's fault proxy; SLOs name them fault:<name>)",
    line(['#', 'name', 'on', 'kind', 'start', 'end', 'what']),
    ...rows.map(line),
    ...(left > 0 ? [`  ${left} more start at or after the end of the run and are left out`] : []),
  ].join('\n');
}

function describeToxic(toxic: FaultToxic): string {
  const attrs = Object.entries(toxic.attributes)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const match =
    toxic.match === undefined
      ? ''
      : `, only ${[toxic.match.method, toxic.match.path].filter(Boolean).join(' ')}`;
  const share = toxic.type.startsWith('http_')
    ? `${round(toxic.toxicity * 100)}% of requests${match}`
    : `${toxic.stream}, ${round(toxic.toxicity * 100)}% of connections`;
  return attrs === '' ? share : `${attrs} (${share})`;
}

function seconds(ms: number): string {
  return `${round(ms / 1000)}s`;
}

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}
