/**
 * Transfer-Encoding (RFC 9112 §6.1): a list of codings, across however many lines. What decides the
 * framing is whether `chunked` is the final coding; `chunked` applied twice, or an empty list, makes
 * the message invalid.
 */
import { FramingError, quote } from './framing-error.js';

const justChunked = /^[ \t]*chunked[ \t]*$/i;

/** How a message's transfer codings frame its body: `chunked` last, or some other coding last. */
export type TransferCoding = 'chunked' | 'other';

/**
 * Reads the transfer codings of one head, `values` being the field's lines in order. Throws a
 * {@link FramingError} (`transfer-encoding`) on an empty list or a repeated `chunked`.
 */
export function readTransferCoding(values: readonly string[]): TransferCoding {
  if (values.length === 1 && justChunked.test(values[0] as string)) return 'chunked';
  let last = '';
  let chunked = 0;
  for (const value of values) {
    for (const element of value.split(',')) {
      // A coding may carry parameters (`name;p=v`); empty list elements are allowed (RFC 9110 §5.6.1).
      const name = (element.split(';')[0] ?? '').trim().toLowerCase();
      if (name === '') continue;
      if (name === 'chunked') chunked++;
      last = name;
    }
  }
  const all = quote(values.join(', '));
  if (last === '') throw new FramingError('transfer-encoding', `Transfer-Encoding ${all} names no coding`);
  if (chunked > 1)
    throw new FramingError('transfer-encoding', `Transfer-Encoding ${all} applies chunked twice`);
  return last === 'chunked' ? 'chunked' : 'other';
}
