/**
 * A file of this package that is read at run time rather than bundled (`assets/…`). This
 * module sits one level below the package's root, as the bundle does (`dist/main.js`), so
 * the same relative address names the file from the sources and from the build.
 */
export function packageFile(path: string): URL {
  return new URL(`../${path}`, import.meta.url);
}
