/** Generic algorithms over the array protocol. */
export { type CgOptions, type CgResult, cg } from './cg.js';
export { type PowerMethodOptions, powerMethod } from './power-method.js';
