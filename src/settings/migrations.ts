// Each kafka-trigger, kafka-produce and kafka-broker node records in its flow JSON the `version` of its settings. The
// runtime and the command line bring an older node up to the current version with these steps before
// they read its settings, so flows written for an earlier release keep working. A flow exported before
// versions existed has none: it counts as version 0. Like the rules, this runs in the browser too.
//
// A step may rename or convert properties, never the generated group id: its prefix (GROUP_ID_PREFIX)
// is fixed for good, because committed offsets are stored under the group id.
//
// The editor only records the current version on new nodes; an older node keeps its version until
// the runtime migrates it at deploy. The editor keeps no property missing from its defaults, so a step
// that renames one needs the old name kept there and the step run in the dialog's oneditprepare; so
// does a step that fills in a value whose default changed (the dialog would show the new default).

/** A node's flow JSON properties. */
export type FlowProperties = Record<string, unknown>;

/** Turns the properties of a node at version N into those of version N + 1, recording N + 1. */
export type MigrationStep = (properties: Readonly<FlowProperties>) => FlowProperties;

/** 0 to 1: versions start. Every setting kept its meaning, so only the version is recorded. */
export function recordFirstVersion(properties: Readonly<FlowProperties>): FlowProperties {
  return { ...properties, version: 1 };
}

/**
 * kafka-trigger 1 to 2: `complete` becomes the default delivery ("lossless by default"). A node that
 * left `delivery` blank ran on hand-off, and keeps it: an upgrade changes no running flow's behaviour.
 */
export function pinHandoffDelivery(properties: Readonly<FlowProperties>): FlowProperties {
  const { delivery } = properties;
  const blank = delivery === undefined || delivery === null || delivery === '';
  return { ...properties, ...(blank ? { delivery: 'handoff' } : {}), version: 2 };
}

/**
 * kafka-broker 1 to 2: `use_tls` arrives (TLS with the system's CAs). A node with a tls-config node ran
 * over TLS and now says so, so its dialog shows TLS on; the tls-config node still wins, as before.
 */
export function recordTlsInUse(properties: Readonly<FlowProperties>): FlowProperties {
  const { tls } = properties;
  const withTlsNode = typeof tls === 'string' && tls.trim() !== '';
  return { ...properties, ...(withTlsNode ? { use_tls: true } : {}), version: 2 };
}

/** kafka-trigger's steps: the step at index N takes version N to N + 1. */
export const TRIGGER_MIGRATIONS: readonly MigrationStep[] = [recordFirstVersion, pinHandoffDelivery];
/** kafka-produce's steps: it was born at version 1, so a node without a version is a new one. */
export const PRODUCE_MIGRATIONS: readonly MigrationStep[] = [recordFirstVersion];
/** kafka-broker's steps: the step at index N takes version N to N + 1. */
export const BROKER_MIGRATIONS: readonly MigrationStep[] = [recordFirstVersion, recordTlsInUse];
/** kafka-admin's steps: it was born at version 1, so a node without a version is a new one. */
export const ADMIN_MIGRATIONS: readonly MigrationStep[] = [recordFirstVersion];

export const TRIGGER_VERSION = TRIGGER_MIGRATIONS.length;
export const PRODUCE_VERSION = PRODUCE_MIGRATIONS.length;
export const BROKER_VERSION = BROKER_MIGRATIONS.length;
export const ADMIN_VERSION = ADMIN_MIGRATIONS.length;

/**
 * The node's properties at the current version: a new object when a step ran, else the node as it
 * is. A version above the current one (a flow from a newer release) is left alone.
 */
export function migrate<Config extends object>(config: Config, steps: readonly MigrationStep[]): Config {
  let properties = config as FlowProperties;
  for (let version = recordedVersion(properties); version < steps.length; version++) {
    properties = steps[version](properties);
  }
  return properties as Config;
}

/** The version a node records (a number, or a numeric string as flow JSON allows); none is 0. */
export function recordedVersion(properties: Readonly<FlowProperties>): number {
  const { version } = properties;
  const parsed = typeof version === 'number' || typeof version === 'string' ? Number(version) : 0;
  return Number.isInteger(parsed) && parsed > 0 ? parsed : 0;
}
