/** Every toxic kind, keyed by its Toxiproxy type name (STYLE 3). */
import { bandwidthToxic } from './toxics/bandwidth.js';
import { latencyToxic } from './toxics/latency.js';
import { limitDataToxic } from './toxics/limit-data.js';
import { resetPeerToxic } from './toxics/reset-peer.js';
import { slicerToxic } from './toxics/slicer.js';
import { slowCloseToxic } from './toxics/slow-close.js';
import { timeoutToxic } from './toxics/timeout.js';
import type { ToxicKind } from './toxic.js';

export const toxicKinds: ReadonlyMap<string, ToxicKind> = new Map(
  [
    latencyToxic,
    bandwidthToxic,
    slowCloseToxic,
    timeoutToxic,
    resetPeerToxic,
    slicerToxic,
    limitDataToxic,
  ].map((kind) => [kind.type, kind]),
);
