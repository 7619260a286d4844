/** The public array API: NDArray, constructors, ops, the protocol and the backend registry. */
export { type ApproxOptions, isApprox } from './approx.js';
export {
  type AcceleratorDefinition,
  type ArrayBackendDefinition,
  type BackendDefinition,
  backendDefinition,
  chunkBackends,
  defineBackend,
  type KernelTable,
  registerBackends,
  type VariantTable,
} from './backend.js';
export {
  type ArrayOptions,
  array,
  empty,
  fill,
  type NestedNumbers,
  ones,
  type RandomOptions,
  rand,
  randn,
  zeros,
} from './create.js';
export {
  bytesOf,
  DTYPES,
  type DType,
  isDType,
  resultDType,
  type TypedArray,
  type TypedArrayFor,
} from './dtype.js';
// Shape ops (reshape, similar, cat, permutedims, repeat, circshift, eye) and the index maps their GPU kernels gather through.
export {
  circshiftMap,
  fillMap,
  type IndexMap,
  type IndexTerm,
  permuteMap,
  repeatMap,
  reshapeMap,
  sourceIndex,
} from './index-map.js';
export { getindex, setindex, view } from './indexing.js';
export { type Index, type Indices, type Selector, selShape } from './indices.js';
export { lambdaOf } from './ir/cache.js';
export { LambdaSyntaxError } from './ir/errors.js';
export { kernel } from './ir/kernel.js';
export { parseLambda } from './ir/parse.js';
// The broadcast-lambda IR, for backends that generate their own kernels from it.
export type { BinaryOp, Expr, Lambda, MathFunction } from './ir/types.js';
export { checkColumnBlock, matvecBlock } from './matvec-block.js';
export { isNDArray, NDArray } from './ndarray.js';
export {
  type AlongDims,
  broadcast,
  broadcastInto,
  collect,
  dot,
  type Elementwise,
  map,
  mapreduce,
  max,
  min,
  mul,
  norm,
  prod,
  type ReduceOptions,
  reduce,
  sum,
  transpose,
  type WholeArray,
} from './ops.js';
// The array protocol every array type (NDArray, GPUArray, DArray) and backend implements.
export type {
  AnyArray,
  Awaitable,
  ColumnBlock,
  Operand,
  OpKernels,
  OpName,
  OutSpec,
  Reducer,
  Same,
} from './protocol.js';
export { release } from './protocol.js';
// Random numbers made where an array lives (rand/randn with { backend }, and in place).
export {
  type RandIntoOptions,
  type RandomBlock,
  type RandomSpec,
  randInto,
  randnInto,
} from './random-op.js';
export { type AxisPass, axisPasses, checkDims, type Dims, reducedShape } from './reduce-dims.js';
export {
  type Backend,
  backendNames,
  backendOf,
  type FindOptions,
  findBackend,
  getBackend,
  getKernel,
  type HostAllocator,
  hasKernel,
  isArrayLike,
  type KernelVariant,
  registerBackend,
  registerKernel,
  registerKernelVariant,
  removeBackend,
  removeKernelVariant,
  unregisterKernel,
} from './registry.js';
export { broadcastShapes, sizeOf } from './shape.js';
export {
  type CatOptions,
  cat,
  circshift,
  type EyeOptions,
  eye,
  hcat,
  permutedims,
  type RepeatOptions,
  repeat,
  reshape,
  type SimilarOptions,
  similar,
  vcat,
} from './shape-ops.js';
export {
  all,
  any,
  argmax,
  argmin,
  type DimsOptions,
  equal,
  findfirst,
  findmax,
  findmin,
  isequal,
  mean,
  std,
  type VarianceOptions,
  variance,
  variance as var,
} from './statistics.js';
export { SubArray } from './subarray.js';
