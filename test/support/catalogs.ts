// Message catalogs as the i18n tests read them: nested JSON flattened to dotted keys.

export type Catalog = { [key: string]: string | Catalog };

/** Every message of `catalog` under its dotted key (`prefix` before each). */
export function flatten(catalog: Catalog, prefix = ''): Map<string, string> {
  const keys = new Map<string, string>();
  for (const [name, value] of Object.entries(catalog)) {
    if (typeof value === 'string') keys.set(prefix + name, value);
    else for (const [key, text] of flatten(value, `${prefix}${name}.`)) keys.set(key, text);
  }
  return keys;
}
