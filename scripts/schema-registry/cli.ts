// Starts a local Schema Registry for manual testing, or only builds and caches it (CI's install step).
//   npx tsx scripts/schema-registry/cli.ts               prints SCHEMA_REGISTRY_URL=..., runs until Ctrl-C
//   npx tsx scripts/schema-registry/cli.ts --build-only
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { tail } from '../kafka/run-command';
import { untilSignalOrExit } from '../kafka/until-signal';
import { ensureSchemaRegistryBuild, startLocalSchemaRegistry } from './local-schema-registry';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'build-only': { type: 'boolean', default: false } } });
  if (values['build-only']) {
    const started = Date.now();
    const build = await ensureSchemaRegistryBuild();
    const how = build.cached ? 'already cached' : `built in ${Math.round((Date.now() - started) / 1000)} s`;
    console.error(`Schema Registry ${how}: ${build.dir}`);
    return;
  }
  const registry = await startLocalSchemaRegistry();
  console.log(`SCHEMA_REGISTRY_URL=${registry.url}`);
  console.error(`Schema Registry running (pid ${registry.pid}), log: ${registry.logFile}. Ctrl-C stops it.`);
  const reason = await untilSignalOrExit(() => registry.pid !== undefined);
  const log = reason === 'exited' ? tail(readFileSync(registry.logFile, 'utf8')) : undefined;
  await registry.destroy();
  if (log !== undefined) throw new Error(`The registry exited on its own. Its log ended with:\n${log}`);
  console.error('Schema Registry stopped');
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
