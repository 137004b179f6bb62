// Builds the test Schema Registry (Apicurio Registry, rebuilt by Quarkus from Maven Central jars) once
// and caches the runnable result, so only the first run, or the first after the Maven project changes,
// needs Maven and the network.
import { createHash, randomBytes } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { assertJavaInstalled, assertMavenInstalled, harnessCacheDir } from '../kafka/java';
import { runCommand, tail } from '../kafka/run-command';

const PURPOSE = 'run the test Schema Registry';
/** The Maven project: its pom and Quarkus build settings are all that the cache key covers. */
const PROJECT_FILES = ['pom.xml', path.join('src', 'main', 'resources', 'application.properties')];
/** What `mvn package` writes: Quarkus's legacy-jar layout, a runner jar whose manifest names lib/*.jar. */
const BUILT_JAR = 'test-schema-registry-0-runner.jar';
const RUNNER_JAR = 'registry-runner.jar';
const CONTENTS_FILE = 'contents.json';

export interface SchemaRegistryBuild {
  /** The cached build: the runner jar, lib/ beside it and a list of its contents. */
  dir: string;
  runnerJar: string;
  /** False when this call ran Maven. */
  cached: boolean;
}

/** Where builds are cached: $SCHEMA_REGISTRY_CACHE, else the git-ignored .cache/schema-registry at the repo root. */
export function schemaRegistryCacheDir(): string {
  return harnessCacheDir('schema-registry', 'SCHEMA_REGISTRY_CACHE');
}

/** Returns the cached build for the current Maven project, building it with Maven when there is none. */
export async function ensureSchemaRegistryBuild(): Promise<SchemaRegistryBuild> {
  assertJavaInstalled(PURPOSE);
  const dir = path.join(schemaRegistryCacheDir(), `build-${projectHash()}`);
  const runnerJar = path.join(dir, RUNNER_JAR);
  if (isCompleteBuild(dir)) return { dir, runnerJar, cached: true };
  await buildWithMaven(dir);
  if (!isCompleteBuild(dir)) throw new Error(`Maven built no usable Schema Registry in ${dir}`);
  return { dir, runnerJar, cached: false };
}

/** A changed pom or application.properties gives another key, hence another build. */
function projectHash(): string {
  const hash = createHash('sha256');
  for (const file of PROJECT_FILES) {
    hash
      .update(file)
      .update('\0')
      .update(readFileSync(path.join(__dirname, file)))
      .update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

/** Complete while the contents list, written last, exists and every file it names is still there. */
function isCompleteBuild(dir: string): boolean {
  const contentsFile = path.join(dir, CONTENTS_FILE);
  if (!existsSync(contentsFile)) return false;
  try {
    const files = JSON.parse(readFileSync(contentsFile, 'utf8')) as string[];
    return files.length > 1 && files.every((file) => existsSync(path.join(dir, file)));
  } catch {
    return false;
  }
}

async function buildWithMaven(dir: string): Promise<void> {
  assertMavenInstalled(PURPOSE);
  const cacheRoot = path.dirname(dir);
  const scratch = path.join(cacheRoot, `.building-${process.pid}-${randomBytes(4).toString('hex')}`);
  // Built in a scratch copy of the project, so target/ never lands in the source tree, and inside the
  // cache dir, so the result moves into place by rename (same file system).
  mkdirSync(scratch, { recursive: true });
  try {
    for (const file of PROJECT_FILES) {
      const copy = path.join(scratch, 'project', file);
      mkdirSync(path.dirname(copy), { recursive: true });
      copyFileSync(path.join(__dirname, file), copy);
    }
    const pom = path.join(scratch, 'project', 'pom.xml');
    const args = ['-q', '-B', '-Dstyle.color=never', '-DskipTests', '-f', pom, 'package'];
    const result = await runCommand('mvn', args);
    const target = path.join(scratch, 'project', 'target');
    if (result.code !== 0 || !existsSync(path.join(target, BUILT_JAR))) {
      throw new Error(
        `Maven could not build the Schema Registry (mvn ${args.join(' ')}):\n${tail(result.stdout + result.stderr)}`,
      );
    }
    const staged = path.join(scratch, 'build');
    mkdirSync(staged);
    renameSync(path.join(target, BUILT_JAR), path.join(staged, RUNNER_JAR));
    renameSync(path.join(target, 'lib'), path.join(staged, 'lib'));
    const files = [RUNNER_JAR, ...readdirSync(path.join(staged, 'lib')).map((jar) => path.join('lib', jar))];
    writeFileSync(path.join(staged, CONTENTS_FILE), JSON.stringify(files, null, 1));
    moveIntoPlace(staged, dir);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** A concurrent run may have finished the same build first; then its copy stays and ours goes. */
function moveIntoPlace(staged: string, dir: string): void {
  if (existsSync(dir) && !isCompleteBuild(dir)) rmSync(dir, { recursive: true, force: true });
  try {
    renameSync(staged, dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (!((code === 'ENOTEMPTY' || code === 'EEXIST') && isCompleteBuild(dir))) throw error;
  }
}
