// Java side of the harness: resolves a Kafka release's jars through Maven, caching the classpath so
// only the first run for a version needs Maven (and the network), and builds the JVM command lines.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { runCommand, tail } from './run-command';

export const DEFAULT_KAFKA_VERSION = '4.1.1';

const KAFKA_PURPOSE = 'run the test Kafka broker';
const POM_FILE = path.join(__dirname, 'pom.xml');
const LOG4J_CONFIG = path.join(__dirname, 'log4j2.xml');

/** A harness's cache dir: $<envVariable> when set, else the git-ignored .cache/<name> at the repo root. */
export function harnessCacheDir(name: string, envVariable: string): string {
  return process.env[envVariable] ?? path.resolve(__dirname, '..', '..', '.cache', name);
}

/** Returns the broker's classpath for `version`, resolving it with Maven only when no valid cache exists. */
export async function ensureKafkaClasspath(version: string = DEFAULT_KAFKA_VERSION): Promise<string> {
  assertVersionFormat(version);
  assertJavaInstalled(KAFKA_PURPOSE);
  const cacheFile = path.join(harnessCacheDir('kafka', 'KAFKA_HARNESS_CACHE'), `classpath-${version}.txt`);
  const cached = readCachedClasspath(cacheFile);
  if (cached) return cached;
  await resolveWithMaven(version, cacheFile);
  const resolved = readCachedClasspath(cacheFile);
  if (!resolved) throw new Error(`Maven resolved no usable classpath for Kafka ${version} (${cacheFile})`);
  return resolved;
}

/** JVM arguments shared by the broker and Kafka's command line tools. */
export function javaArgs(classpath: string, logLevel: 'INFO' | 'WARN'): string[] {
  return [
    '-cp',
    classpath,
    `-Dlog4j2.configurationFile=${LOG4J_CONFIG}`,
    `-Dkafka.harness.logLevel=${logLevel}`,
  ];
}

/** `purpose` completes "Java 17+ and Maven are needed to ...". */
export function assertJavaInstalled(purpose: string): void {
  const result = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (result.error || result.status !== 0) throw new Error(installHint(purpose));
  // `java -version` prints e.g. `openjdk version "17.0.15"` or `java version "1.8.0_402"` on stderr.
  const major = Number(/version "(?:1\.)?(\d+)/.exec(result.stderr)?.[1]);
  if (!(major >= 17)) throw new Error(`${installHint(purpose)} (found: ${result.stderr.split('\n')[0]})`);
}

export function assertMavenInstalled(purpose: string): void {
  const result = spawnSync('mvn', ['-v'], { encoding: 'utf8' });
  if (result.error || result.status !== 0) throw new Error(installHint(purpose));
}

function installHint(purpose: string): string {
  return `Java 17+ and Maven are needed to ${purpose}: apt-get install -y openjdk-17-jre-headless maven`;
}

function assertVersionFormat(version: string): void {
  if (!/^\d+\.\d+\.\d+$/.test(version)) {
    throw new Error(`Kafka version must look like 4.1.1, got "${version}"`);
  }
}

/** A cached classpath counts only while every jar in it still exists (e.g. ~/.m2 may have been wiped). */
function readCachedClasspath(cacheFile: string): string | undefined {
  if (!existsSync(cacheFile)) return undefined;
  const classpath = readFileSync(cacheFile, 'utf8').trim();
  const jars = classpath.split(path.delimiter).filter(Boolean);
  return jars.length > 0 && jars.every((jar) => existsSync(jar)) ? classpath : undefined;
}

async function resolveWithMaven(version: string, cacheFile: string): Promise<void> {
  assertMavenInstalled(KAFKA_PURPOSE);
  mkdirSync(path.dirname(cacheFile), { recursive: true });
  // Written aside then renamed, so a concurrent run never reads a half-written file.
  const partialFile = `${cacheFile}.${process.pid}.partial`;
  const args = [
    '-q',
    '-B',
    '-Dstyle.color=never',
    '-f',
    POM_FILE,
    'dependency:build-classpath',
    `-Dmdep.outputFile=${partialFile}`,
    `-Dkafka.version=${version}`,
  ];
  const result = await runCommand('mvn', args);
  if (result.code !== 0) {
    rmSync(partialFile, { force: true });
    const output = tail(result.stdout + result.stderr);
    throw new Error(`Maven could not resolve Kafka ${version} (mvn ${args.join(' ')}):\n${output}`);
  }
  renameSync(partialFile, cacheFile);
}
