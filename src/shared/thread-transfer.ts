/**
 * A SharedArray passed to threadsFor reaches each thread as its descriptor and is mapped there
 * again, so the threads write the same memory; a structured clone would copy its elements instead
 * (its buffer is an external mapping, not a SharedArrayBuffer).
 */
import { registerThreadTransfer } from '../threads/transfer.js';
import { SharedArray, type SharedArrayDescriptor } from './shared-array.js';

registerThreadTransfer<SharedArray, SharedArrayDescriptor>({
  name: 'SharedArray',
  test: (v) => v instanceof SharedArray,
  encode: (S) => S.descriptor(),
  decode: (d) => SharedArray.attach(d),
});
