// Turns a failure to load a native addon into an error that tells the user what to do: the shared
// library that is missing and the system package that provides it, or how to get a binary built.
// @bkt/ndarray's addon is the default; another package's addon (@bkt/kvstore's MPI one) passes its needs.
import { NativeError } from './errors.js';

/** Debian/Ubuntu packages of the shared libraries the addon links against (see `ldd bkt.node`). */
const debianPackages: Record<string, string> = {
  'libopenblas.so.0': 'libopenblas0',
  'libdnnl.so.2': 'libdnnl2',
  'libgomp.so.1': 'libgomp1',
  'libgfortran.so.5': 'libgfortran5',
  'libstdc++.so.6': 'libstdc++6',
};

/** What an addon other than @bkt/ndarray's needs: its libraries' Debian packages and its build's. */
export interface AddonNeeds {
  /** Shared library (soname) → the Debian package that provides it. */
  libraries?: Readonly<Record<string, string>>;
  /** What a source build needs, as the messages say it. */
  build?: string;
}

const NDARRAY_BUILD = 'g++, make, python3, libopenblas-dev and libdnnl-dev';

/** The error for `dlopen` failing on the addon at `addonPath`, needed by package `needer`. */
export function addonLoadError(needer: string, addonPath: string, cause: Error, needs: AddonNeeds = {}): NativeError {
  const missing = /([\w.+-]+\.so[.\d]*): cannot open shared object file/.exec(cause.message)?.[1];
  if (missing !== undefined) {
    const pkg = { ...debianPackages, ...needs.libraries }[missing];
    const install = pkg
      ? `install it with 'apt-get install ${pkg}' (Debian/Ubuntu) or your distribution's package of it`
      : 'install the package of your distribution that provides it';
    return new NativeError(
      `${needer}: the native addon needs the shared library ${missing}, which is not installed: ${install} (loading ${addonPath})`,
    );
  }
  return new NativeError(
    `${needer}: the native addon ${addonPath} cannot be loaded (${cause.message}); reinstall with ` +
      `'npm_config_build_from_source=true npm install' to build it from source (needs ${needs.build ?? NDARRAY_BUILD})`,
  );
}

/** The error for finding no binary at all: none prebuilt for this platform and no source build. */
export function addonMissingError(needer: string, addonDir: string): NativeError {
  return new NativeError(
    `${needer}: no native addon for ${process.platform}-${process.arch} in ${addonDir}: the package ships a prebuilt ` +
      'binary for linux-x64 (glibc) only, and its install script builds one from source elsewhere (needs g++, make, ' +
      "python3, libopenblas-dev and libdnnl-dev); with pnpm, allow that script with `onlyBuiltDependencies: ['@bkt/ndarray']` in " +
      'pnpm-workspace.yaml and reinstall',
  );
}
