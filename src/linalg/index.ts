/** Generic algorithms over the array protocol. */
export { type CgOptions, type CgResult, cg } from './cg.js';
export {
  cholesky,
  diag,
  diagm,
  kron,
  type OpnormOptions,
  opnorm,
  type SolveTriangularOptions,
  solveTriangular,
  tr,
  tril,
  triu,
} from './ops.js';
export { type PowerMethodOptions, powerMethod } from './power-method.js';
