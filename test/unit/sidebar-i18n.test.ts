// The Kafka sidebar plugin's catalog (plugins/locales/<lang>/kafka-sidebar.json): every label its
// editor code asks for exists in en-US, and de and ja have exactly en-US's keys, none empty.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import should from 'should';
import { flatten, type Catalog } from '../support/catalogs';

const ROOT = path.resolve(__dirname, '..', '..');
const LOCALES = path.join(ROOT, 'plugins', 'locales');
const EDITOR_FILES = [
  path.join(ROOT, 'src', 'editor', 'kafka-sidebar.ts'),
  ...readdirSync(path.join(ROOT, 'src', 'editor', 'sidebar')).map((name) =>
    path.join(ROOT, 'src', 'editor', 'sidebar', name),
  ),
];
/** Labels whose key is built at run time, with the values it is built from. */
const BUILT_KEYS = [
  ...['consuming', 'paused', 'stopped', 'running'].map((state) => `state.${state}`),
  ...['earliest', 'latest', 'timestamp', 'offsets'].map((choice) => `groups.to.${choice}`),
  ...['auto', 'text', 'hex', 'schema-registry'].map((format) => `topics.format.${format}`),
];

function catalog(language: string): Map<string, string> {
  const file = path.join(LOCALES, language, 'kafka-sidebar.json');
  return flatten((JSON.parse(readFileSync(file, 'utf8')) as { 'kafka-sidebar': Catalog })['kafka-sidebar']);
}

describe('i18n: the Kafka sidebar catalog', () => {
  const english = catalog('en-US');

  it('has an en-US label for every key the editor code uses', () => {
    const used = EDITOR_FILES.flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/\blabel\('([a-z.-]+)'/g)].map((match) => match[1]),
    );
    should(used.length).be.above(10);
    const missing = [...used, ...BUILT_KEYS].filter((key) => !english.has(key));
    should(missing).eql([]);
  });

  for (const language of ['de', 'ja'])
    it(`has in ${language} exactly en-US's keys, none empty`, () => {
      const translated = catalog(language);
      should([...translated.keys()].sort()).eql([...english.keys()].sort());
      for (const [key, text] of translated) should(text.trim()).not.equal('', `${language} ${key}`);
    });
});
