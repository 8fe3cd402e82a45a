/**
 * Kubernetes manifests for a run split into shards, one pod each: pure, options in, objects out
 * (`loadlab k8s` writes them as YAML; docs/distributed.md walks through them).
 *
 *   ConfigMap <name>-scenario      the scenario file, as written
 *   PersistentVolumeClaim <name>-results   ReadWriteMany: every shard writes /results/shard-<i>/
 *   Job <name>                     Indexed, completions = parallelism = n: pod i runs
 *                                  `loadlab run … --shard $(SHARD_INDEX)/n --start-at T`, its
 *                                  completion index given by the downward API
 *   Pod <name>-collector           mounts the results so `kubectl cp` can read them back
 *
 * Every pod gets the same --start-at: the load starts at one wall-clock moment everywhere, and a
 * pod that is not ready by then fails (SHARD_LATE) rather than start out of step. No pod is
 * retried (backoffLimit 0) for the same reason. CPU is requested, not limited: a throttled
 * generator sends late.
 */
import type { GeneratorSize } from './generator-sizing.js';

/** What the manifests are made from. */
export interface K8sRunOptions {
  /** Name of the Job and prefix of the other objects (a DNS-1123 label). */
  name: string;
  namespace: string;
  image: string;
  shards: number;
  /** The scenario file's text, as written, and its file name. */
  scenarioText: string;
  scenarioFile: string;
  /** The service every shard loads. */
  target: string;
  /** The user's fault proxy admin URL (faults are applied by shard 0 alone). */
  proxy?: string;
  /** Common start, ISO 8601. */
  startAt: string;
  /** `--set` overrides and a `--duration` cap, passed to every pod as given. */
  sets: string[];
  duration?: string;
  size: GeneratorSize;
  /** Size of the results volume, e.g. "1Gi". */
  storage: string;
}

/** A Kubernetes object, as a plain value. */
export type K8sObject = Record<string, unknown> & { apiVersion: string; kind: string };

/** Where the scenario and the results are mounted in a pod. */
export const scenarioMount = '/scenario';
export const resultsMount = '/results';
/** The downward API's annotation holding an Indexed Job pod's completion index. */
export const completionIndexAnnotation = 'batch.kubernetes.io/job-completion-index';

/** The manifests of one sharded run: ConfigMap, PersistentVolumeClaim, Job, collector Pod. */
export function k8sManifests(o: K8sRunOptions): K8sObject[] {
  const labels = { 'app.kubernetes.io/name': 'loadlab', 'loadlab.dev/run': o.name };
  const meta = (name: string) => ({ name, namespace: o.namespace, labels });
  const volumes = [
    { name: 'scenario', configMap: { name: `${o.name}-scenario` } },
    { name: 'results', persistentVolumeClaim: { claimName: `${o.name}-results` } },
  ];
  const mounts = [
    { name: 'scenario', mountPath: scenarioMount, readOnly: true },
    { name: 'results', mountPath: resultsMount },
  ];
  const args = [
    'run',
    `${scenarioMount}/${o.scenarioFile}`,
    '--target',
    o.target,
    ...(o.proxy === undefined ? [] : ['--proxy', o.proxy]),
    '--shard',
    `$(SHARD_INDEX)/${o.shards}`,
    '--start-at',
    o.startAt,
    '--workers',
    String(o.size.cores),
    ...(o.duration === undefined ? [] : ['--duration', o.duration]),
    ...o.sets.flatMap((s) => ['--set', s]),
    '--out',
    `${resultsMount}/shard-$(SHARD_INDEX)`,
    '--quiet',
  ];
  const memory = `${o.size.memoryMiB}Mi`;
  return [
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: meta(`${o.name}-scenario`),
      data: { [o.scenarioFile]: o.scenarioText },
    },
    {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: meta(`${o.name}-results`),
      spec: { accessModes: ['ReadWriteMany'], resources: { requests: { storage: o.storage } } },
    },
    {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { ...meta(o.name), annotations: { 'loadlab.dev/sizing': o.size.rule } },
      spec: {
        completionMode: 'Indexed',
        completions: o.shards,
        parallelism: o.shards,
        backoffLimit: 0,
        template: {
          metadata: { labels },
          spec: {
            restartPolicy: 'Never',
            // Shards on different nodes where the cluster allows: generators sharing a node share its cores.
            affinity: {
              podAntiAffinity: {
                preferredDuringSchedulingIgnoredDuringExecution: [
                  {
                    weight: 100,
                    podAffinityTerm: {
                      labelSelector: { matchLabels: labels },
                      topologyKey: 'kubernetes.io/hostname',
                    },
                  },
                ],
              },
            },
            containers: [
              {
                name: 'loadlab',
                image: o.image,
                args,
                env: [
                  {
                    name: 'SHARD_INDEX',
                    valueFrom: {
                      fieldRef: { fieldPath: `metadata.annotations['${completionIndexAnnotation}']` },
                    },
                  },
                ],
                resources: {
                  requests: { cpu: String(o.size.cores), memory },
                  limits: { memory },
                },
                volumeMounts: mounts,
              },
            ],
            volumes,
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: meta(`${o.name}-collector`),
      spec: {
        restartPolicy: 'Never',
        containers: [
          {
            name: 'collector',
            image: o.image,
            command: ['sleep', 'infinity'],
            resources: { requests: { cpu: '10m', memory: '32Mi' } },
            volumeMounts: [{ name: 'results', mountPath: resultsMount }],
          },
        ],
        volumes: [volumes[1]],
      },
    },
  ];
}

/**
 * The commands that read a run's shards back and merge them (`loadlab k8s collect`), each an
 * argv: wait for the Job, wait for the collector, copy /results out, merge.
 */
export function collectCommands(o: { name: string; namespace: string; dir: string; timeout: string }): {
  kubectl: string[][];
  shardsDir: string;
  mergedDir: string;
} {
  const ns = ['-n', o.namespace];
  const shardsDir = `${o.dir}/shards`;
  return {
    kubectl: [
      ['kubectl', ...ns, 'wait', '--for=condition=complete', `job/${o.name}`, `--timeout=${o.timeout}`],
      [
        'kubectl',
        ...ns,
        'wait',
        '--for=condition=Ready',
        `pod/${o.name}-collector`,
        `--timeout=${o.timeout}`,
      ],
      ['kubectl', ...ns, 'cp', `${o.name}-collector:${resultsMount}`, shardsDir],
    ],
    shardsDir,
    mergedDir: `${o.dir}/merged`,
  };
}
