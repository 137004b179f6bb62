// Compiles the runtime and lays out dist/nodes the way Node-RED's registry reads a package: each node's
// .js and .html side by side, with locales/ and icons/ in the same folder. A node's .html is its editor
// script (src/editor/<node>.ts bundled with the setting rules it imports, one plain browser script)
// followed by its dialog template from nodes/<node>.html.
import { execFileSync } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

rmSync(out, { recursive: true, force: true });
execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.json')], { stdio: 'inherit' });
// esbuild only strips types: the editor scripts are type-checked here.
execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.editor.json')], { stdio: 'inherit' });

// Plugins (plugins/<name>.html) get the same: the editor script, then the template, with their locales.
for (const folder of ['nodes', 'plugins'])
  for (const file of readdirSync(join(root, folder)).filter((name) => name.endsWith('.html'))) {
    const node = basename(file, '.html');
    const bundle = await build({
      entryPoints: [join(root, 'src', 'editor', `${node}.ts`)],
      bundle: true,
      format: 'iife',
      platform: 'browser',
      target: 'es2020',
      charset: 'utf8',
      write: false,
    });
    const script = bundle.outputFiles[0].text;
    const template = readFileSync(join(root, folder, file), 'utf8');
    writeFileSync(
      join(out, folder, file),
      `<script type="text/javascript">\n${script}</script>\n\n${template}`,
    );
  }
cpSync(join(root, 'locales'), join(out, 'nodes', 'locales'), { recursive: true });
cpSync(join(root, 'plugins', 'locales'), join(out, 'plugins', 'locales'), { recursive: true });
cpSync(join(root, 'icons'), join(out, 'nodes', 'icons'), { recursive: true });
