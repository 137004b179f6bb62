// One real Kafka broker for the whole integration run (and the editor test), on the Kafka release
// KAFKA_VERSION names, if any.
// As in a Node-RED process, where the package's nodes load before kafkajs: the tests load kafkajs
// themselves first, so the fixes the nodes put in place before kafkajs loads go in here.
import '../../dist/client/kafkajs-fixes';
import { brokerRootHooks } from '../support/shared-broker';

export const mochaHooks = brokerRootHooks({ version: process.env.KAFKA_VERSION || undefined });
