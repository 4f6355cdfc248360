/**
 * Loads an ES module from this CommonJS build. TypeScript rewrites `import()` to `require()` under
 * module=commonjs, and some packages (bittorrent-tracker, create-torrent) only export an `import`
 * condition, so the real dynamic import is kept out of the compiler's sight.
 */
// eslint-disable-next-line @typescript-eslint/no-implied-eval
const dynamicImport = new Function('specifier', 'return import(specifier)') as <T>(specifier: string) => Promise<T>;

export function importEsm<T>(specifier: string): Promise<T> {
  return dynamicImport<T>(specifier);
}
