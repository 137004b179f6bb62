import type { Node, NodeAPI } from 'node-red';
import { kafkajsLevelFor, type LogSink } from '../client/kafkajs-logging';
import type { KafkaClientOptions } from '../client/kafka-client';

/**
 * kafkajs lines go to Node-RED's runtime log (info, or debug for the protocol and its errors),
 * prefixed with the node that owns the client, and kafkajs only builds the lines the runtime's
 * log level can show.
 */
export function kafkaLogOptions(RED: NodeAPI, owner: Node): KafkaClientOptions['log'] {
  const sink: LogSink = {
    info: (message) => RED.log.info(message),
    debug: (message) => RED.log.debug(message),
  };
  const settings = RED.settings as { logging?: { console?: { level?: string } } };
  return {
    sink,
    prefix: `[${owner.type}:${owner.name || owner.id}]`,
    level: kafkajsLevelFor(settings.logging?.console?.level),
  };
}
