/**
 * GPUs per process. Dawn picks an adapter by kind, not by index, so the supported way to give each
 * worker its own GPU is to let each process see only one (srun --gpus-per-task=1, cgroups,
 * NVIDIA_VISIBLE_DEVICES). A process that opens a GPU backend calls {@link noteGpuAdapter}: a
 * worker logs which adapter it got and tells the master, which warns when two processes of one
 * node got the same adapter while seeing the same devices, i.e. share one GPU.
 */
import { hostname } from 'node:os';
import { handleKind } from '../remote/kinds.js';
import { localRank } from './launch-env.js';
import { logLine } from './mesh.js';
import { state } from './state.js';

/** Variables that decide which GPUs a process sees; two processes that agree on all of them see the same. */
const VISIBILITY_VARS = [
  'CUDA_VISIBLE_DEVICES',
  'NVIDIA_VISIBLE_DEVICES',
  'ROCR_VISIBLE_DEVICES',
  'HIP_VISIBLE_DEVICES',
  'GPU_DEVICE_ORDINAL',
  'ZE_AFFINITY_MASK',
  'MESA_VK_DEVICE_SELECT',
  'DRI_PRIME',
];

/** One process's GPU, as the master records it. */
interface AdapterUse {
  pid: number;
  node: string;
  adapter: string;
  visible: string;
}

const uses: AdapterUse[] = [];
const warned = new Set<string>();
const sharing: { pids: [number, number]; node: string; adapter: string }[] = [];
let noted = false;

/** What this process is allowed to see, as `VAR=value` pairs ('' when nothing restricts it). */
function visibility(): string {
  return VISIBILITY_VARS.flatMap((v) =>
    process.env[v] !== undefined ? [`${v}=${process.env[v]}`] : [],
  ).join(' ');
}

/**
 * Called once by a GPU backend when it first opens `adapter` in this process (the hook the WebGPU
 * backend calls). Logs the adapter on a worker and lets the master check for shared GPUs.
 */
export function noteGpuAdapter(adapter: string): void {
  if (noted) return;
  noted = true;
  const use = { node: hostname(), adapter, visible: visibility() };
  if (!state.isWorker) {
    record({ pid: state.myid, ...use });
    return;
  }
  logLine(
    `darray: worker ${state.myid} on ${use.node} (local rank ${localRank()}) opened GPU adapter '${adapter}'` +
      (use.visible ? ` seeing ${use.visible}` : ''),
  );
  try {
    state.conns.get(1)?.send({ k: 'gpu-adapter', ...use });
  } catch {
    // The master is gone; so is this worker shortly.
  }
}

/** The master's record of which process opened which adapter (for tests and diagnostics). */
export function gpuAdapterUses(): readonly AdapterUse[] {
  return uses;
}

/** The pairs of processes the master warned about as sharing one GPU. */
export function gpuSharingWarnings(): readonly { pids: [number, number]; node: string; adapter: string }[] {
  return sharing;
}

function record(use: AdapterUse): void {
  const same = uses.find(
    (u) => u.node === use.node && u.adapter === use.adapter && u.visible === use.visible && u.pid !== use.pid,
  );
  uses.push(use);
  if (!same) return;
  const key = `${use.node}|${use.adapter}|${use.visible}`;
  if (warned.has(key)) return;
  warned.add(key);
  sharing.push({ pids: [same.pid, use.pid], node: use.node, adapter: use.adapter });
  logLine(
    `darray: warning: processes ${same.pid} and ${use.pid} on ${use.node} both opened GPU adapter '${use.adapter}' ` +
      `and see the same devices (${use.visible || 'no CUDA_VISIBLE_DEVICES, NVIDIA_VISIBLE_DEVICES or similar set'}), ` +
      'so they likely share one GPU. Give each process one GPU: srun --gpus-per-task=1, or set ' +
      'NVIDIA_VISIBLE_DEVICES per process (from localRank(); with NVIDIA_DRIVER_CAPABILITIES including graphics)',
  );
}

handleKind('gpu-adapter', (conn, frame) => {
  const env = frame.env;
  record({
    pid: conn.peer,
    node: String(env.node),
    adapter: String(env.adapter),
    visible: String(env.visible),
  });
});
