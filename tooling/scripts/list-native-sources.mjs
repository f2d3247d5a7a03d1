// Prints the addon's C++ sources for binding.gyp, so adding a kernel file needs no build edit.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = process.argv[2] ?? 'native';
const dirs = ['core', 'runtime', 'kernels', 'napi'];
const files = dirs.flatMap((d) =>
  readdirSync(join(root, d))
    .filter((f) => f.endsWith('.cc'))
    .sort()
    .map((f) => join(root, d, f)),
);
process.stdout.write(files.join(' '));
