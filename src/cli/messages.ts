import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

type Catalog = { [key: string]: string | Catalog };

/** Turns a message key and its parameters into text, as Node-RED's `RED._` does. */
export type Messages = (key: string, params?: Record<string, string | number>) => string;

/**
 * The runtime's English messages for the given catalogs (`kafka-trigger`, ...): the package's en-US
 * files, read where the build puts them or from the sources. An unknown key stays as it is.
 */
export function loadMessages(catalogs: readonly string[]): Messages {
  const folders = [
    path.join(__dirname, '..', 'nodes', 'locales', 'en-US'), // dist/cli -> dist/nodes/locales
    path.join(__dirname, '..', '..', 'locales', 'en-US'), // src/cli -> locales
  ];
  const catalog: Catalog = {};
  for (const set of catalogs) {
    const folder = folders.find((candidate) => existsSync(path.join(candidate, `${set}.json`)));
    if (folder) Object.assign(catalog, JSON.parse(readFileSync(path.join(folder, `${set}.json`), 'utf8')));
  }
  return (key, params = {}) => {
    let value: string | Catalog | undefined = catalog;
    for (const part of key.split('.')) value = typeof value === 'object' ? value[part] : undefined;
    if (typeof value !== 'string') return key;
    return value.replace(/__([a-zA-Z0-9_]+)__/g, (whole, name: string) =>
      name in params ? String(params[name]) : whole,
    );
  };
}
