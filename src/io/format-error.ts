/** The error for a file or store whose contents darray cannot read. */

/**
 * A file or store that is not in the expected format (bad magic, unsupported dtype, truncated
 * data, …). The message says what was expected and what was found.
 *
 * @example
 * try { await load('/tmp/not-npy.txt') } catch (e) { if (e instanceof FileFormatError) console.log(e.message) }
 */
export class FileFormatError extends Error {
  override name = 'FileFormatError';
}
