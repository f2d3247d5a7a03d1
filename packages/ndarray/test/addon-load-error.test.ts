// What a user sees when the addon cannot load: the missing library and its package, or how to build.
import { describe, expect, it } from 'vitest';

import { addonLoadError, addonMissingError } from '../src/addon-load-error.js';
import { NativeError } from '../src/errors.js';

const dlopenError = (lib: string) => new Error(`${lib}: cannot open shared object file: No such file or directory`);

describe('addon load errors', () => {
  it('names the missing OpenBLAS library, its Debian package and the package that needed it', () => {
    const e = addonLoadError('@bkt/ndarray', '/x/bkt.node', dlopenError('libopenblas.so.0'));
    expect(e).toBeInstanceOf(NativeError);
    expect(e.message).toMatch(/^@bkt\/ndarray: .*libopenblas\.so\.0.*'apt-get install libopenblas0'.*\/x\/bkt\.node/);
  });

  it('names a missing library it has no package for without guessing one', () => {
    const e = addonLoadError('@bkt/kvstore', '/y/mpi.node', dlopenError('libmpi.so.40'));
    expect(e.message).toContain('@bkt/kvstore: the native addon needs the shared library libmpi.so.40');
    expect(e.message).not.toContain('apt-get');
  });

  it("takes another addon's libraries and build needs", () => {
    const needs = { libraries: { 'libmpi.so.40': 'libopenmpi3' }, build: 'Open MPI' };
    expect(addonLoadError('@bkt/kvstore', '/y/mpi.node', dlopenError('libmpi.so.40'), needs).message).toContain(
      "'apt-get install libopenmpi3'",
    );
    expect(addonLoadError('@bkt/kvstore', '/y/mpi.node', new Error('bad ELF'), needs).message).toMatch(
      /bad ELF.*\(needs Open MPI\)$/,
    );
  });

  it('points any other load failure at a source build', () => {
    const e = addonLoadError('@bkt/ndarray', '/x/bkt.node', new Error("version `GLIBC_2.99' not found"));
    expect(e.message).toContain('GLIBC_2.99');
    expect(e.message).toContain('npm_config_build_from_source=true');
  });

  it('says which platforms are prebuilt and how pnpm users allow the source build', () => {
    const e = addonMissingError('@bkt/ndarray', '/x/native');
    expect(e).toBeInstanceOf(NativeError);
    expect(e.message).toContain(`${process.platform}-${process.arch}`);
    expect(e.message).toContain("onlyBuiltDependencies: ['@bkt/ndarray']");
  });
});
