/** The tfjs backend ('tfjs'): tensors and tfjs ops. Cheap to import: tfjs loads on first use. */
import { collectGPU } from '../../gpu/collect.js';
import { uploadTo } from '../../gpu/upload.js';
import { defineBackend } from '../../src/array/backend.js';
import type { TfjsBackend } from './backend.js';
import { broadcastTfjs } from './broadcast.js';
import { dotTfjs } from './dot.js';
import { findExtremaTfjs } from './find-extrema.js';
import { mapreduceTfjs } from './mapreduce.js';
import { mulTfjs } from './mul.js';
import { normTfjs } from './norm.js';
import { reduceDimsTfjs } from './reduce-dims.js';
import { transposeTfjs } from './transpose.js';

declare module '../../gpu/backend.js' {
  interface GPUBackendNames {
    tfjs: true;
  }
}

/** The tfjs backend; the entry files register it. */
export const tfjs = defineBackend<TfjsBackend>({
  name: 'tfjs',
  priority: 20,
  kind: 'gpu',
  create: async () => (await import('./backend.js')).tfjsBackend(),
  kernels: {
    broadcast: broadcastTfjs,
    mapreduce: mapreduceTfjs,
    norm: normTfjs,
    dot: dotTfjs,
    mul: mulTfjs,
    transpose: transposeTfjs,
    collect: collectGPU,
    reduceDims: reduceDimsTfjs,
    findExtrema: findExtremaTfjs,
  },
  fromHost: (host, b) => uploadTo(b, host),
});
