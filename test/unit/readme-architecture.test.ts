// README's architecture section is a promise about the tree: every folder of src/ is in its table,
// and every path and module it names exists.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import should from 'should';

const ROOT = path.resolve(__dirname, '..', '..');
const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const start = readme.indexOf('### Architecture');
const section = readme.slice(start, readme.indexOf('\n## ', start));

/** The table's rows: the folders of the first cell and the module names in backticks of the second. */
function rows(): { folders: string[]; modules: string[] }[] {
  return section
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) => {
      const [folders = '', modules = ''] = line.split('|').slice(1, 3);
      const names = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((match) => match[1]);
      return { folders: names(folders), modules: names(modules) };
    });
}

describe('README architecture section', () => {
  it('names every folder of src/ in its table', () => {
    should(start).be.above(0);
    const named = rows().flatMap((row) => row.folders);
    const folders = readdirSync(path.join(ROOT, 'src'))
      .filter((name) => statSync(path.join(ROOT, 'src', name)).isDirectory() && name !== 'types')
      .map((name) => `src/${name}/`);
    for (const folder of folders) should(named).containEql(folder);
  });

  it('names only paths that exist', () => {
    const paths = [...section.matchAll(/`((?:src|scripts|test)\/[^`\s]*)`/g)].map((match) => match[1]);
    should(paths.length).be.above(5);
    for (const named of paths) {
      const base = path.join(ROOT, named);
      should(existsSync(base) || existsSync(`${base}.ts`)).be.true(`${named} exists`);
    }
  });

  it('names modules of its folder: each kebab-case name in a row is a file there', () => {
    let checked = 0;
    for (const { folders, modules } of rows()) {
      const [folder] = folders;
      if (!folder?.startsWith('src/') || folders.length > 1) continue;
      for (const name of modules.filter((module) => /^[a-z]+(-[a-z]+)+$/.test(module))) {
        should(existsSync(path.join(ROOT, folder, `${name}.ts`))).be.true(`${folder}${name}.ts exists`);
        checked += 1;
      }
    }
    should(checked).be.above(10);
  });
});
