// Compiles the runtime and lays out dist/nodes the way Node-RED's registry reads a package:
// each node's .js and .html side by side, with locales/ and icons/ in the same folder.
import { execFileSync } from 'node:child_process';
import { cpSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

rmSync(out, { recursive: true, force: true });
execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.json')], { stdio: 'inherit' });
for (const file of readdirSync(join(root, 'nodes'))) {
  if (file.endsWith('.html')) cpSync(join(root, 'nodes', file), join(out, 'nodes', file));
}
cpSync(join(root, 'locales'), join(out, 'nodes', 'locales'), { recursive: true });
cpSync(join(root, 'icons'), join(out, 'nodes', 'icons'), { recursive: true });
