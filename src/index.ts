/**
 * darray: Julia's parallel-computing model for Node.js.
 *
 * @example
 * import { addprocs, remotecallFetch, myid } from 'darray';
 * const [p] = await addprocs(1);
 * console.log(await remotecallFetch(() => myid(), p)); // 2
 */
export * from './errors.js';
