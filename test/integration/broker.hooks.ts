// One real Kafka broker for the whole integration run (and the editor test), on the Kafka release
// KAFKA_VERSION names, if any.
import { brokerRootHooks } from '../support/shared-broker';

export const mochaHooks = brokerRootHooks({ version: process.env.KAFKA_VERSION || undefined });
