import fc from 'fast-check';

/**
 * Boundary values the issue-15 probe used: characters PostgreSQL or UTF-8 cannot hold, prototype
 * keys, numbers past every column's range, dates outside PostgreSQL's, wrong types.
 */
export const nastyString = fc.oneof(
  fc.constantFrom(
    '', ' ', 'a\u0000b', '\u0000', 'x\uD800', '\uDC00y', '\uD83D', '__proto__', 'constructor', 'hasOwnProperty', 'toString',
    '-__proto__', '../../../../etc/passwd', '%00', '%2e%2e%2f', 'a'.repeat(10_000), '0000-01-01', '-000001-01-01T00:00:00Z',
    '+275760-09-13T00:00:00Z', '99999-12-31', 'NaN', 'Infinity', '-1', '1e400', '9223372036854775808', 'true', 'null',
    '<script>', "' OR 1=1 --", 'root', 'http://127.0.0.1:1/', 'file:///etc/passwd', '😀', '\u202e',
  ),
  fc.string({ maxLength: 40, unit: 'binary' }),
);

export const nastyNumber = fc.oneof(
  fc.constantFrom(0, -1, 1, 2 ** 31, -(2 ** 31) - 1, 2 ** 53, -(2 ** 63), 1e308, -1e308, 0.5, Number.MAX_SAFE_INTEGER + 2),
  fc.integer(),
  fc.double({ noNaN: true }),
);

const scalar = fc.oneof(nastyString, nastyNumber, fc.boolean(), fc.constant(null));

export const nastyValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: scalar },
  { weight: 1, arbitrary: fc.array(scalar, { maxLength: 4 }) },
  { weight: 1, arbitrary: fc.dictionary(fc.constantFrom('__proto__', 'constructor', 'a', 'id'), scalar, { maxKeys: 3 }) },
);

/** A query value: a string, or repeated keys. */
export const nastyQueryValue = fc.oneof(nastyString, nastyNumber.map(String), fc.array(nastyString, { minLength: 2, maxLength: 3 }));

export const malformedJson = fc.constantFrom('{', '{"a":', '[1,2', '\u0000', '{"__proto__":{"x":1}}', 'null', '"str"', '1e999', '{"a":"\\ud800"}', '[]');

const B = 'FuZzBoUnDaRy';
export const malformedMultipart = fc.constantFrom(
  { type: 'multipart/form-data', body: 'no boundary here' },
  { type: `multipart/form-data; boundary=${B}`, body: `--${B}\r\nContent-Disposition: form-data; name="name"\r\n\r\ntrunc` },
  { type: `multipart/form-data; boundary=${B}`, body: `--${B}\r\nContent-Disposition: form-data; filename="x"\r\n\r\nx\r\n--${B}--\r\n` },
  { type: `multipart/form-data; boundary=${B}`, body: `--${B}\r\ngarbage\r\n\r\nx\r\n--${B}--\r\n` },
  { type: `multipart/form-data; boundary=${B}`, body: `--${B}\r\nContent-Disposition: form-data; name="a[__proto__][x]"\r\n\r\n1\r\n--${B}--\r\n` },
);

/**
 * The most telling values, sent one parameter at a time (a random request usually fails on another
 * field first): the sweep reaches each field's own handling.
 */
export const SWEEP_VALUES: unknown[] = [
  'a\u0000b', 'x\uD800', '__proto__', 'constructor', '0000-01-01', '+275760-09-13T00:00:00Z', '9223372036854775808', -1,
  ['a\u0000b'], { __proto__: 1 },
];
