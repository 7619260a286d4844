// Every candidate shape of the WebGPU matvec kernel (threads per row, rows per workgroup, sums per
// thread) against a float64 loop: row counts that leave a workgroup part empty, rows shorter than
// one pass of the threads, and both the vec4 and the scalar loads. Bad shapes are refused.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { WebGPUBackend } from '../../kernels/webgpu/backend.js';
import {
  checkMatvecShape,
  MATVEC_CANDIDATES,
  MATVEC_SHAPE,
  matvecWebGPU,
  matvecWgsl,
} from '../../kernels/webgpu/matvec.js';
import { onDevice } from '../../kernels/webgpu/operands.js';
import { rand } from '../../src/array/index.js';
import { probe } from './harness.js';

const { backend, reason } = await probe('webgpu');
if (!backend && process.env.CI === 'true') throw new Error(`WebGPU must start under CI=true: ${reason}`);
const run = backend ? describe : describe.skip;

run(`webgpu matvec shapes${backend ? '' : ` (skipped: ${reason})`}`, () => {
  const b = backend as WebGPUBackend;
  const cases: [number, number][] = [
    [67, 1000], // vec4 rows; 67 leaves most workgroups of 2, 4 and 8 rows part empty
    [33, 999], // scalar loads
    [5, 12], // rows shorter than one pass of the threads
    [9, 4100], // the unrolled loop's tail
  ];

  // The same device with the subgroup feature ignored, so the workgroup-tree sum runs too.
  const noSubgroups = Object.create(b, { subgroups: { value: false } }) as WebGPUBackend;
  const shapes = [MATVEC_SHAPE, ...MATVEC_CANDIDATES].filter(
    (s, i, all) => all.findIndex((t) => JSON.stringify(t) === JSON.stringify(s)) === i,
  );
  const variants = shapes.flatMap((shape) => [b, noSubgroups].map((dev) => ({ shape, dev })));
  for (const { shape, dev } of variants) {
    const how = dev.subgroups ? 'subgroup sums' : 'workgroup tree';
    it(`wg ${shape.wg}, ${shape.rows} row(s) per workgroup, ${shape.unroll} sum(s) per thread, ${how}`, async () => {
      for (const [m, k] of cases) {
        const A = rand([m, k], { dtype: 'float32', seed: m });
        const x = rand([k], { dtype: 'float32', seed: k });
        const dA = onDevice(b, A, 'mul', true);
        const dx = onDevice(b, x, 'mul');
        const y = b.alloc(m * 4);
        try {
          await matvecWebGPU(dev, dA, dx, y.buffer, m, k, shape);
          const got = await b.download(y, 0, m);
          for (let r = 0; r < m; r++) {
            let s = 0;
            for (let j = 0; j < k; j++) s += (A.data[r * k + j] ?? 0) * (x.data[j] ?? 0);
            expect(Math.abs((got[r] ?? 0) - s), `row ${r} of ${m}×${k}`).toBeLessThan(1e-4 * Math.max(1, s));
          }
        } finally {
          y.release();
          dA.storage.release();
          dx.storage.release();
        }
      }
    });
  }

  it('uses subgroup sums only where no subgroup spans two rows', () => {
    const wide = { wg: 256, rows: 1, unroll: 1 };
    const narrow = { wg: 256, rows: 8, unroll: 1 }; // 32 threads per row
    expect(matvecWgsl(true, true, wide, 32)).toContain('subgroupAdd');
    expect(matvecWgsl(true, true, narrow, 32)).toContain('subgroupAdd');
    expect(matvecWgsl(true, true, narrow, 64)).not.toContain('subgroupAdd');
    expect(matvecWgsl(true, false, wide, 32)).not.toContain('subgroupAdd');
  });

  it('refuses shapes that do not divide evenly', () => {
    expect(() => checkMatvecShape({ wg: 192, rows: 1, unroll: 1 })).toThrow(/wg and rows powers of two/);
    expect(() => checkMatvecShape({ wg: 256, rows: 512, unroll: 1 })).toThrow(/rows ≤ wg ≤ 256/);
    expect(() => checkMatvecShape({ wg: 256, rows: 1, unroll: 0 })).toThrow(/unroll an integer from 1 to 8/);
  });
});

const root = fileURLToPath(new URL('../..', import.meta.url));
const built = existsSync(`${root}dist/kernels/webgpu/matvec.js`);
describe('DARRAY_WEBGPU_MATVEC', () => {
  // A fresh process per case: the shape is read once per process.
  const shapeWith = (env: string) =>
    spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "const m = await import('./dist/kernels/webgpu/matvec.js'); console.log(JSON.stringify(m.matvecShape()));",
      ],
      { cwd: root, encoding: 'utf8', env: { ...process.env, DARRAY_WEBGPU_MATVEC: env } },
    );
  it.skipIf(!built)(`picks the kernel's shape${built ? '' : ' (skipped: dist/ not built)'}`, () => {
    const r = shapeWith('128, 4,2');
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ wg: 128, rows: 4, unroll: 2 });
  });
  it.skipIf(!built)(`refuses what is not three numbers, or a bad shape${built ? '' : ' (skipped)'}`, () => {
    expect(shapeWith('256,1').stderr).toMatch(
      /DARRAY_WEBGPU_MATVEC must be "wg,rows,unroll" \(e.g. "256,1,4"\), got "256,1"/,
    );
    expect(shapeWith('300,1,1').stderr).toMatch(/shape \{"wg":300,"rows":1,"unroll":1\} is invalid/);
  });
});
