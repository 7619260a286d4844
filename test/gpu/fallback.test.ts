// gpu() without a backend on a machine where WebGPU has no adapter: it must say, once, which backend
// it fell back to and why, and tfjs must not print its own console banner. The child runs the
// built package with Vulkan pointed at no driver, so Dawn finds no adapter even where one exists.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const built = existsSync(`${root}dist/src/index.js`);

it.skipIf(!built || process.platform !== 'linux')(
  `gpu() says once what it fell back to, and tfjs stays quiet${built ? '' : ' (skipped: run npm run build)'}`,
  () => {
    const script = `
      const d = await import('./dist/src/index.js');
      const a = await d.gpu(d.rand([4]));
      const b = await d.gpu(d.rand([4]));
      console.log('BACKEND', a.backend, b.device);
      a.dispose(); b.dispose();
    `;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: root,
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, VK_DRIVER_FILES: '/nonexistent.json', VK_ICD_FILENAMES: '/nonexistent.json' },
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('BACKEND tfjs tfjs-cpu');
    expect(r.stderr.match(/fell back to/g)?.length, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/darray: gpu\(\) fell back to 'tfjs' on tfjs-cpu \(webgpu: .*no GPU adapter/);
    expect(r.stderr).not.toMatch(/looks like you are running TensorFlow/);
  },
);
