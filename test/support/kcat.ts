// kcat (librdkafka's command line client) as a producer nobody here wrote. The fault suite installs
// it from Debian when it is missing and the suite runs as root with apt-get available.
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export type KcatCompression = 'gzip' | 'snappy' | 'lz4' | 'zstd' | 'none';

async function kcatVersion(): Promise<string | undefined> {
  try {
    const { stdout } = await execFileAsync('kcat', ['-V']);
    const match = /Version (\S+).*librdkafka (\S+)/.exec(stdout);
    return match ? `kcat ${match[1]} (librdkafka ${match[2]})` : stdout.split('\n')[0].trim();
  } catch {
    return undefined;
  }
}

/** kcat's version line from `kcat -V`, installing the Debian package first when kcat is missing. */
export async function ensureKcat(): Promise<string> {
  const found = await kcatVersion();
  if (found) return found;
  if (process.getuid?.() !== 0) throw new Error('kcat is missing: apt-get install -y kcat');
  console.log('kcat is missing: installing the Debian package kcat with apt-get');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  await execFileAsync('apt-get', ['update', '-q'], { env, maxBuffer: 64 * 1024 * 1024 });
  await execFileAsync('apt-get', ['install', '-y', '-q', '--no-install-recommends', 'kcat'], {
    env,
    maxBuffer: 64 * 1024 * 1024,
  });
  const installed = await kcatVersion();
  if (!installed) throw new Error('kcat is still missing after apt-get install kcat');
  return installed;
}

export interface KcatProduceOptions {
  compression?: KcatCompression;
  /** Each `name=value` (or a bare `name` for a null value) becomes a header of every record. */
  headers?: string[];
  /** Records are separated by this delimiter on stdin (default newline). */
  delimiter?: string;
  /** When set, each record is split at its first `keyDelimiter` into key and value. */
  keyDelimiter?: string;
}

/** Writes the records with `kcat -P` and waits for every delivery report; rejects when kcat fails. */
export function produceWithKcat(
  bootstrap: string,
  topic: string,
  records: string[],
  options: KcatProduceOptions = {},
): Promise<void> {
  const delimiter = options.delimiter ?? '\n';
  const args = ['-P', '-b', bootstrap, '-t', topic, '-D', delimiter, '-X', 'message.timeout.ms=15000'];
  // A small linger lets librdkafka put several records in one compressed batch.
  args.push('-X', 'linger.ms=50');
  if (options.compression) args.push('-z', options.compression);
  if (options.keyDelimiter) args.push('-K', options.keyDelimiter);
  for (const header of options.headers ?? []) args.push('-H', header);
  return new Promise((resolve, reject) => {
    const child = spawn('kcat', args, { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code === 0 && !/ERROR|%3\|/.test(stderr)) resolve();
      else reject(new Error(`kcat exited with ${code}: ${stderr.trim()}`));
    });
    child.stdin.end(records.map((record) => record + delimiter).join(''));
  });
}
