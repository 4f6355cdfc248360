import { describe, expect, it } from 'vitest';
import { checkoutName } from './config';

describe('checkoutName (default database name and Redis prefix)', () => {
  it('differs between two checkouts of the same name, and is a valid database name', () => {
    const a = checkoutName('/home/ann/src/flotilla');
    const b = checkoutName('/home/bob/src/flotilla');
    expect(a).not.toBe(b);
    expect(a).toMatch(/^flotilla_flotilla_[0-9a-f]{6}$/);
    expect(checkoutName('/home/ann/src/flotilla')).toBe(a);
    const odd = checkoutName('/tmp/My Checkout (2)/');
    expect(odd).toMatch(/^[a-z0-9_]+$/);
    expect(odd.length).toBeLessThanOrEqual(63);
  });
});
