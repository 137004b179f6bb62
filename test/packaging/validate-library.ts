// `npm run validate:library`: the Flow Library's checks (`node-red-dev validate`) on this package, with
// the verdict CI needs: every check must pass except N01 for `kafka-broker`, a type name that older
// packages in the catalogue register too (accepted: renaming it would break every flow that uses it),
// and D03 for the dependencies ACCEPTED_OLDER_DEPENDENCIES names with their reason.
// It reads the built editor HTML (dist/nodes/<node>.html), so run `npm run build` first.
//
// node-red-dev reads the Flow Library catalogue from catalogue.nodered.org for N01 and P08. Where that
// host cannot be reached (CI reaches package registries only), the catalogue is taken as empty, and the
// two checks are reported as not run instead of failing the whole validation.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const CATALOGUE = 'https://catalogue.nodered.org/catalogue.json';
/** Node types that other catalogue packages also register, and why that is accepted. */
const ACCEPTED_DUPLICATE_TYPES = new Set(['kafka-broker']);
const CATALOGUE_CHECKS = new Set(['N01', 'P08']);
/** Dependencies kept below their latest major on purpose (D03), and why. */
const ACCEPTED_OLDER_DEPENDENCIES = new Map([
  [
    '@kafkajs/confluent-schema-registry',
    'major 4 needs Node.js 22; this package supports Node.js 18.5 and later',
  ],
]);

interface CatalogueModule {
  id: string;
  types: string[];
}
interface Scorecard {
  [check: string]: { test: boolean; nodes?: string[]; [detail: string]: unknown };
}
type Get = (url: string, ...rest: unknown[]) => Promise<{ data: unknown }>;

async function main(): Promise<number> {
  const devRequire = createRequire(require.resolve('node-red-dev/package.json'));
  const axios = devRequire('axios') as { get: Get };
  const realGet = axios.get.bind(axios);
  let catalogue: CatalogueModule[] | undefined;
  let catalogueError: string | undefined;
  axios.get = async (url, ...rest) => {
    if (url !== CATALOGUE) return realGet(url, ...rest);
    try {
      const response = await realGet(url, ...rest);
      catalogue = (response.data as { modules: CatalogueModule[] }).modules;
      return response;
    } catch (error) {
      catalogueError = (error as Error).message;
      return { data: { modules: [] } };
    }
  };

  // node-red-dev skips a node whose editor HTML it cannot parse with no more than this log line, and
  // then has nothing to check for N02: such a line fails the validation.
  const unparsed: string[] = [];
  const log = console.log;
  console.log = (...args: unknown[]) => {
    if (args[0] === 'Unable to parse ') unparsed.push(String(args[1]));
    log(...args);
  };

  const outDir = mkdtempSync(path.join(tmpdir(), 'validate-library-'));
  const scorecardFile = path.join(outDir, 'scorecard.json');
  try {
    const ValidateCommand = devRequire('./src/commands/validate.js') as {
      run(argv: string[], root: string): Promise<void>;
    };
    await ValidateCommand.run(
      ['--path', ROOT, '--output', scorecardFile, '--embed', 'true'],
      path.dirname(require.resolve('node-red-dev/package.json')),
    );
    const scorecard = JSON.parse(readFileSync(scorecardFile, 'utf8')) as Scorecard;
    console.log = log;
    return verdict(scorecard, unparsed, catalogue, catalogueError);
  } finally {
    console.log = log;
    rmSync(outDir, { recursive: true, force: true });
  }
}

function verdict(
  scorecard: Scorecard,
  unparsed: string[],
  catalogue: CatalogueModule[] | undefined,
  catalogueError?: string,
): number {
  const ourTypes = new Set(Object.keys(readPackage()['node-red'].nodes));
  const failures: string[] = [];
  console.log('\n---Verdict---');
  for (const node of unparsed) {
    failures.push(`editor HTML of ${node}`);
    console.log(`FAILED editor HTML: no node definition found in ${node.replace(/\.js$/, '.html')}`);
  }
  if (catalogueError) {
    console.log(`! ${CATALOGUE} unreachable (${catalogueError}): N01 and P08 not checked`);
  }
  for (const [check, result] of Object.entries(scorecard).sort()) {
    if (typeof result.test !== 'boolean') continue; // e.g. the package's name and version
    if (catalogueError && CATALOGUE_CHECKS.has(check)) continue;
    if (result.test) {
      console.log(`ok ${check}`);
      continue;
    }
    if (check === 'N01' && catalogue) {
      const clashes = catalogue
        .filter((module) => (result.nodes ?? []).includes(module.id))
        .flatMap((module) => module.types.filter((type) => ourTypes.has(type)));
      const unexpected = clashes.filter((type) => !ACCEPTED_DUPLICATE_TYPES.has(type));
      if (unexpected.length === 0) {
        console.log(
          `ok ${check} (accepted: ${[...new Set(clashes)].join(', ')} also in ${result.nodes?.join(', ')})`,
        );
        continue;
      }
    }
    if (check === 'D03') {
      const packages = (result.packages as string[] | undefined) ?? [];
      if (packages.length > 0 && packages.every((name) => ACCEPTED_OLDER_DEPENDENCIES.has(name))) {
        const reasons = packages.map((name) => `${name}: ${ACCEPTED_OLDER_DEPENDENCIES.get(name)}`);
        console.log(`ok ${check} (accepted: ${reasons.join('; ')})`);
        continue;
      }
    }
    failures.push(check);
    console.log(`FAILED ${check} ${JSON.stringify(result)}`);
  }
  console.log(
    failures.length === 0
      ? 'Flow Library checks passed'
      : `Flow Library checks failed: ${failures.join(', ')}`,
  );
  return failures.length === 0 ? 0 : 1;
}

function readPackage(): { 'node-red': { nodes: Record<string, string> } } {
  return JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as ReturnType<typeof readPackage>;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(2);
  },
);
