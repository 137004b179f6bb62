// Consumer groups: the list, and one group's state, members, committed offsets and lag per partition.
import { AssignerProtocol, type Admin, type GroupDescription as KafkaGroupDescription } from 'kafkajs';
import { classifyFailure } from '../client/failure';
import { DEFAULT_ADMIN_LIMITS, bounded, timedAdmin, type AdminLimits } from './broker-calls';
import { committedOffset, partitionLag, totalLag } from './lag';

export interface GroupSummary {
  group: string;
  /** 'consumer' for consumer groups; Kafka Connect and others have their own. */
  protocolType: string;
}

export interface GroupList {
  groups: GroupSummary[];
  truncated: boolean;
}

export interface GroupMember {
  memberId: string;
  clientId: string;
  host: string;
  /** The partitions the member holds, by topic (consumer groups only). */
  assignment: Record<string, number[]>;
}

export interface GroupOffset {
  topic: string;
  partition: number;
  /** The next offset the group reads; null where it has committed nothing. */
  committed: number | null;
  /** The partition's end offset; null when the topic is gone. */
  end: number | null;
  lag: number | null;
}

export interface GroupDescription {
  group: string;
  /** Kafka's state: Stable, PreparingRebalance, CompletingRebalance, Empty, or Dead for a group it does not know. */
  state: string;
  protocolType: string;
  members: GroupMember[];
  /** By topic and partition. */
  offsets: GroupOffset[];
  /** The sum of the known lags. */
  lag: number;
  /** Whether members or offsets were left out. */
  truncated: boolean;
}

export async function listGroups(
  admin: Admin,
  limits: AdminLimits = DEFAULT_ADMIN_LIMITS,
): Promise<GroupList> {
  const { groups } = await timedAdmin(admin, limits.timeoutMs).listGroups();
  const summaries = groups
    .map(({ groupId, protocolType }) => ({ group: groupId, protocolType }))
    .sort((a, b) => a.group.localeCompare(b.group));
  const { items, truncated } = bounded(summaries, limits.maxItems);
  return { groups: items, truncated };
}

export async function describeGroup(
  admin: Admin,
  group: string,
  limits: AdminLimits = DEFAULT_ADMIN_LIMITS,
): Promise<GroupDescription> {
  const calls = timedAdmin(admin, limits.timeoutMs);
  const [{ groups }, committed] = await Promise.all([
    calls.describeGroups([group]),
    calls.fetchOffsets({ groupId: group }),
  ]);
  const description = groups[0];
  const offered = committed.flatMap(({ topic, partitions }) =>
    partitions.map(({ partition, offset }) => ({ topic, partition, committed: committedOffset(offset) })),
  );
  offered.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
  const shown = bounded(offered, limits.maxItems);
  const ends = await endOffsets(calls, [...new Set(shown.items.map(({ topic }) => topic))]);
  const offsets = shown.items.map((entry) => {
    const end = ends.get(entry.topic)?.get(entry.partition) ?? null;
    return { ...entry, end, lag: partitionLag(entry.committed, end) };
  });
  const members = bounded((description?.members ?? []).map(memberOf), limits.maxItems);
  return {
    group,
    state: description?.state ?? 'Dead',
    protocolType: description?.protocolType ?? '',
    members: members.items,
    offsets,
    lag: totalLag(offsets.map(({ lag }) => lag)),
    truncated: shown.truncated || members.truncated,
  };
}

/** Whether the group has members: Kafka refuses to move the offsets of such a group. */
export async function activeMembers(admin: Admin, group: string): Promise<number> {
  const { groups } = await admin.describeGroups([group]);
  return groups[0]?.members.length ?? 0;
}

/** The end offset of each partition of each topic; a topic that is gone has none. */
async function endOffsets(admin: Admin, topics: string[]): Promise<Map<string, Map<number, number>>> {
  const ends = new Map<string, Map<number, number>>();
  await Promise.all(
    topics.map(async (topic) => {
      const offsets = await admin.fetchTopicOffsets(topic).catch((error: unknown) => {
        if (classifyFailure(error) === 'topic-missing') return [];
        throw error;
      });
      ends.set(topic, new Map(offsets.map(({ partition, high }) => [partition, Number(high)])));
    }),
  );
  return ends;
}

function memberOf(member: KafkaGroupDescription['members'][number]): GroupMember {
  return {
    memberId: member.memberId,
    clientId: member.clientId,
    host: member.clientHost,
    assignment: assignmentOf(member.memberAssignment),
  };
}

/** The consumer protocol's assignment; a group of another protocol (or none yet) shows none. */
function assignmentOf(encoded: Buffer): Record<string, number[]> {
  try {
    const { assignment = {} } = AssignerProtocol.MemberAssignment.decode(encoded) ?? {};
    return Object.fromEntries(
      Object.entries(assignment).map(([topic, partitions]) => [topic, [...partitions].sort((a, b) => a - b)]),
    );
  } catch {
    return {};
  }
}
