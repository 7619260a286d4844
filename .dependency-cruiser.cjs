/**
 * The layering of DESIGN.md ("Layout and layers"), checked by `npm run layers` (scripts/layers.mjs,
 * part of `npm test`): imports point one way, entry → darray/ → kernels/ → gpu/ → core (src/); only
 * the entry files import everything and register the backends.
 *
 * It reads the build in dist/ (`npm run build` first): dependency-cruiser cannot parse TypeScript 7,
 * and the emitted JavaScript holds exactly the imports that load something (type-only ones are gone).
 */
const ENTRY = '^dist/src/(index\\.js|backends\\.js|cli/|cluster/worker-main\\.js|threads/thread-main\\.js)';
const CORE = '^dist/src/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'core-imports-core-only',
      comment: 'src/ (core) may import only core: not gpu/, kernels/, darray/ or an entry file.',
      severity: 'error',
      from: { path: CORE, pathNot: ENTRY },
      to: { path: ['^dist/gpu/', '^dist/kernels/', '^dist/darray/', ENTRY] },
    },
    {
      name: 'gpu-imports-core-only',
      comment: 'gpu/ is backend-agnostic: it may import core, not kernels/, darray/ or an entry file.',
      severity: 'error',
      from: { path: '^dist/gpu/' },
      to: { path: ['^dist/kernels/', '^dist/darray/', ENTRY] },
    },
    {
      name: 'kernels-import-core-and-gpu',
      comment: 'kernels/ may import core and gpu/, not darray/ or an entry file.',
      severity: 'error',
      from: { path: '^dist/kernels/' },
      to: { path: ['^dist/darray/', ENTRY] },
    },
    {
      name: 'darray-imports-core-and-gpu',
      comment: 'darray/ may import core and gpu/; kernels are reached through the registry.',
      severity: 'error',
      from: { path: '^dist/darray/' },
      to: { path: ['^dist/kernels/', ENTRY] },
    },
    {
      name: 'darray-no-cycles',
      comment: 'No circular imports within darray/.',
      severity: 'error',
      from: { path: '^dist/darray/' },
      to: { path: '^dist/darray/', circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^node_modules/' },
  },
};
