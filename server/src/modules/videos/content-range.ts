/** `Content-Range` of a resumable upload PUT: a chunk `bytes a-b/N`, or a status query `bytes *\/N`. */
export type ContentRange = { kind: 'chunk'; first: number; last: number; total: number } | { kind: 'query'; total: number };

export function parseContentRange(header: string | undefined): ContentRange | null {
  if (!header) return null;
  const query = /^bytes \*\/(\d{1,16})$/.exec(header.trim());
  if (query) return { kind: 'query', total: Number(query[1]) };
  const m = /^bytes (\d{1,16})-(\d{1,16})\/(\d{1,16})$/.exec(header.trim());
  if (!m) return null;
  const [first, last, total] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (last < first || last >= total) return null;
  return { kind: 'chunk', first, last, total };
}

/** `Range` answered with a 308: what the server holds, absent when it holds nothing yet. */
export function rangeHeader(offset: number): string | null {
  return offset > 0 ? `bytes=0-${offset - 1}` : null;
}
