import type { Admin, Kafka } from 'kafkajs';
import type { Node, NodeDef, NodeMessage } from 'node-red';
import type { PooledClients } from '../client/connection-pool';
import type { BrokerConfig } from '../settings/broker-settings';
import type { TriggerData } from '../formats/trigger-data';
import type { SecuritySettings } from '../client/connection-security';
import type { RegistrySettings, SchemaRegistryClient } from '../formats/schema-registry';
import type { TriggerConfig } from '../settings/trigger-settings';
import type { ProduceConfig } from '../settings/produce-settings';
import type { AdminConfig } from '../settings/admin-settings';

/** kafka-broker properties as they stand in flow JSON. */
export interface KafkaBrokerConfig extends NodeDef, BrokerConfig {
  /** The id of a core tls-config node; blank for plain TCP. */
  tls?: string;
}

export interface KafkaBrokerCredentials {
  username?: string;
  password?: string;
  oauth_client_secret?: string;
  aws_access_key_id?: string;
  aws_secret_access_key?: string;
  aws_session_token?: string;
  schema_registry_username?: string;
  schema_registry_password?: string;
}

/** kafka-trigger properties as they stand in flow JSON. */
export interface KafkaTriggerConfig extends NodeDef, TriggerConfig {
  broker?: string;
}

/** kafka-produce properties as they stand in flow JSON. */
export interface KafkaProduceConfig extends NodeDef, ProduceConfig {
  broker?: string;
}

/** kafka-admin properties as they stand in flow JSON. */
export interface KafkaAdminConfig extends NodeDef, AdminConfig {
  broker?: string;
}

/** Where kafka-produce wrote a msg, added to the msg it sends on. `offset` is null with acks `none`. */
export interface KafkaProduceMetadata {
  topic: string;
  partition: number;
  offset: number | null;
}

/** What a trigger or producer gets from a kafka-broker node: the brokers it points at and the pooled clients. */
export interface KafkaConnection {
  brokers: string[];
  /** Undefined when no brokers are set anywhere, or when `problem` says what is wrong. */
  clients: PooledClients | undefined;
  /** A translated description of settings that keep the client from being made. */
  problem?: string;
  /** The broker node's Schema Registry, when it has a URL. */
  registry?: SchemaRegistryClient;
}

export interface KafkaBrokerNode extends Node<KafkaBrokerCredentials> {
  /** Registers a user node and hands it the pooled clients. */
  acquire(user: Node): KafkaConnection;
  /** Unregisters a user node; the last one out disconnects the pool. */
  release(user: Node): Promise<void>;
  readonly userCount: number;
  /** The pooled admin client, lent to the editor's Kafka sidebar; undefined when there is no connection. */
  lendAdmin(): AdminLoan | undefined;
}

/** The broker node's admin client on loan: give it back when done, so the pool can close. */
export interface AdminLoan {
  admin(): Promise<Admin>;
  /** The pool's client, for the sidebar's group-less peek at a topic. */
  kafka: Kafka;
  registry: SchemaRegistryClient | undefined;
  giveBack(): Promise<void>;
}

/** The msg a trigger sends: msg.payload is exactly the trigger data; extra metadata sits beside it. */
export interface KafkaTriggerMessage extends NodeMessage {
  topic: string;
  payload: TriggerData;
  kafka: { groupId: string; recordTimestamp: number };
}

/** The msg a trigger sends in batch output: records of one partition in offset order. */
export interface KafkaTriggerBatchMessage extends NodeMessage {
  topic: string;
  payload: TriggerData[];
  kafka: { groupId: string; partition: number; recordTimestamps: number[] };
}

/** A broker node's connection settings checked, or a translated message saying what is wrong. */
export type CheckedConnection =
  | {
      brokers: string[];
      clientId: string;
      security: SecuritySettings;
      registry: RegistrySettings | undefined;
    }
  | { problem: string };
