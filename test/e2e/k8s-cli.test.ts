/**
 * `loadlab k8s`: the manifests it writes pass the Kubernetes API's own schemas (the OpenAPI
 * schemas that kubernetes-models validates with), and the Indexed Job's pods take the shards
 * 0..n-1 exactly once each; `k8s collect --dry-run` names the kubectl steps and the merge.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { Pod } from 'kubernetes-models/v1/Pod';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { completionIndexAnnotation, k8sManifests, sizeGenerator } from '../../src/experiments/index.js';
import { buildPlan, scenarioSchema } from '../../src/scenario/index.js';
import { runCli } from '../helpers/cli.js';

let dir: string;
const shards = 5;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loadlab-k8s-'));
  await writeFile(
    join(dir, 'big.yaml'),
    [
      'name: big-rate',
      'load:',
      '  model: open',
      '  phases: [{ duration: 30s, rate: { from: 1000, to: 240000 } }]',
      '  requests: [{ path: /users/1 }]',
    ].join('\n'),
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

type Manifest = Record<string, unknown> & { kind: string };

const validators: Record<string, (m: Manifest) => void> = {
  ConfigMap: (m) => new ConfigMap(m as never).validate(),
  PersistentVolumeClaim: (m) => new PersistentVolumeClaim(m as never).validate(),
  Pod: (m) => new Pod(m as never).validate(),
  Job: (m) => new Job(m as never).validate(),
};

describe('loadlab k8s', () => {
  it('writes a ConfigMap, a volume claim, an Indexed Job and a collector that the Kubernetes schemas accept', async () => {
    const run = await runCli([
      'k8s',
      join(dir, 'big.yaml'),
      '--shards',
      String(shards),
      '--image',
      'registry.example/loadlab:1.0',
      '--target',
      'https://users.staging.example',
      '--start-at',
      '2099-01-01T00:00:00Z',
      '--set',
      'seed=7',
      '--out',
      dir,
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('48000/s per shard ÷ 25000/s per core = 2 core(s)');
    const docs = parseAllDocuments(await readFile(join(dir, 'big-rate.yaml'), 'utf8')).map(
      (d) => d.toJS() as Manifest,
    );
    expect(docs.map((d) => d.kind)).toEqual(['ConfigMap', 'PersistentVolumeClaim', 'Job', 'Pod']);
    for (const doc of docs) expect(() => validators[doc.kind]?.(doc)).not.toThrow();

    const job = docs[2] as unknown as {
      spec: {
        completionMode: string;
        completions: number;
        parallelism: number;
        template: { spec: { containers: { args: string[]; env: unknown[]; resources: unknown }[] } };
      };
    };
    expect(job.spec).toMatchObject({ completionMode: 'Indexed', completions: shards, parallelism: shards });
    const [container] = job.spec.template.spec.containers;
    expect(container?.env).toContainEqual({
      name: 'SHARD_INDEX',
      valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${completionIndexAnnotation}']` } },
    });
    expect(container?.resources).toEqual({
      requests: { cpu: '2', memory: '384Mi' },
      limits: { memory: '384Mi' },
    });
    // Each pod's completion index, 0..completions-1, put where Kubernetes puts $(SHARD_INDEX).
    const shardArgs = Array.from({ length: job.spec.completions }, (_, index) => {
      const args = (container?.args ?? []).map((a) => a.replaceAll('$(SHARD_INDEX)', String(index)));
      expect(args.filter((a) => a === '--start-at')).toHaveLength(1);
      expect(args[args.indexOf('--start-at') + 1]).toBe('2099-01-01T00:00:00.000Z');
      expect(args).toEqual(expect.arrayContaining(['--set', 'seed=7', '--out', `/results/shard-${index}`]));
      return args[args.indexOf('--shard') + 1];
    });
    expect(shardArgs.sort()).toEqual(Array.from({ length: shards }, (_, i) => `${i}/${shards}`).sort());
  });

  it('is caught by the schemas when a manifest is wrong, so the check above can fail', () => {
    const scenario = scenarioSchema.parse({
      name: 'x',
      load: { model: 'open', phases: [{ duration: 1, rate: 10 }], requests: [{ path: '/' }] },
    });
    const [, , job] = k8sManifests({
      name: 'x',
      namespace: 'default',
      image: 'i',
      shards: 2,
      scenarioText: '',
      scenarioFile: 'x.yaml',
      target: 'http://t',
      startAt: '2099-01-01T00:00:00.000Z',
      sets: [],
      size: sizeGenerator(buildPlan(scenario), 2),
      storage: '1Gi',
    });
    const broken = { ...job, spec: { ...(job?.spec as object), completions: 'two' } };
    expect(() => new Job(broken as never).validate()).toThrow(/completions/);
  });

  it('names the kubectl steps and the merge that collect runs', async () => {
    const run = await runCli([
      'k8s',
      'collect',
      'big-rate',
      '--namespace',
      'perf',
      '--out',
      join(dir, 'got'),
      '--dry-run',
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.split('\n').filter(Boolean)).toEqual([
      'kubectl -n perf wait --for=condition=complete job/big-rate --timeout=1h',
      'kubectl -n perf wait --for=condition=Ready pod/big-rate-collector --timeout=1h',
      `kubectl -n perf cp big-rate-collector:/results ${join(dir, 'got')}/shards`,
      `loadlab merge ${join(dir, 'got')}/shards/shard-* --out ${join(dir, 'got')}/merged`,
    ]);
  });
});
