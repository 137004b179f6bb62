// docker-compose.yml is only checked statically (no Docker engine in CI): well-formed YAML, Node-RED
// pointed at the Kafka service by its service name, and KRaft listeners that agree with each other.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import should from 'should';
import { parse } from 'yaml';

interface Service {
  image?: string;
  environment?: Record<string, string | number> | string[];
  ports?: string[];
  depends_on?: Record<string, { condition?: string }> | string[];
}

const file = path.resolve(__dirname, '..', '..', 'docker-compose.yml');

function environment(service: Service): Record<string, string> {
  const env = service.environment ?? {};
  if (Array.isArray(env)) {
    return Object.fromEntries(env.map((entry) => [entry.split('=')[0], entry.split('=').slice(1).join('=')]));
  }
  return Object.fromEntries(Object.entries(env).map(([name, value]) => [name, String(value)]));
}

/** `NAME://host:port` entries of a listener list, by listener name. */
function listeners(list: string): Map<string, { host: string; port: number }> {
  const result = new Map<string, { host: string; port: number }>();
  for (const entry of list.split(',')) {
    const match = /^([A-Z_]+):\/\/([^:]*):(\d+)$/.exec(entry.trim());
    should.exist(match, `listener ${entry} is not NAME://host:port`);
    result.set(match![1], { host: match![2], port: Number(match![3]) });
  }
  return result;
}

describe('docker-compose.yml', () => {
  const compose = parse(readFileSync(file, 'utf8'), { strict: true, uniqueKeys: true }) as {
    services: Record<string, Service>;
  };
  const services = compose.services;
  const kafkaName = Object.keys(services).find((name) => services[name].image?.startsWith('apache/kafka:'));
  const nodeRedName = Object.keys(services).find((name) =>
    services[name].image?.startsWith('nodered/node-red:'),
  );

  it('has a Kafka service and a Node-RED 4.1 service', () => {
    should.exist(kafkaName, 'no apache/kafka service');
    should.exist(nodeRedName, 'no nodered/node-red service');
    should(services[nodeRedName!].image).equal('nodered/node-red:4.1');
    should(services[nodeRedName!].ports).containEql('1880:1880');
  });

  it('points KAFKA_BROKERS at the Kafka service, on its advertised listener', () => {
    const brokers = environment(services[nodeRedName!]).KAFKA_BROKERS;
    should.exist(brokers, 'Node-RED has no KAFKA_BROKERS');
    const kafkaEnv = environment(services[kafkaName!]);
    const advertised = listeners(kafkaEnv.KAFKA_ADVERTISED_LISTENERS);
    for (const broker of brokers.split(',')) {
      const [host, port] = broker.trim().split(':');
      should(host).equal(kafkaName, `${broker} does not name the ${kafkaName} service`);
      should([...advertised.values()].some((l) => l.host === host && l.port === Number(port))).be.true(
        `${broker} is not an advertised listener`,
      );
    }
    const dependsOn = services[nodeRedName!].depends_on;
    should(Array.isArray(dependsOn) ? dependsOn : Object.keys(dependsOn ?? {})).containEql(kafkaName);
  });

  it('runs Kafka in KRaft mode with consistent listener names', () => {
    const env = environment(services[kafkaName!]);
    should(env.KAFKA_PROCESS_ROLES.split(',').sort()).eql(['broker', 'controller']);
    should(Object.keys(env).some((name) => name.includes('ZOOKEEPER'))).be.false();
    const declared = listeners(env.KAFKA_LISTENERS);
    const advertised = listeners(env.KAFKA_ADVERTISED_LISTENERS);
    const protocols = new Map(
      env.KAFKA_LISTENER_SECURITY_PROTOCOL_MAP.split(',').map((pair) => pair.split(':') as [string, string]),
    );
    const controller = env.KAFKA_CONTROLLER_LISTENER_NAMES;
    for (const name of [...declared.keys(), ...advertised.keys()]) {
      should(protocols.has(name)).be.true(`listener ${name} has no security protocol`);
    }
    for (const [name, listener] of advertised) {
      should(declared.get(name)?.port).equal(listener.port, `advertised ${name} is not a declared listener`);
    }
    should(declared.has(controller)).be.true('the controller listener is not declared');
    should(advertised.has(controller)).be.false('the controller listener must not be advertised');
    should(declared.has(env.KAFKA_INTER_BROKER_LISTENER_NAME)).be.true();
    const [voterId, voterAddress] = env.KAFKA_CONTROLLER_QUORUM_VOTERS.split('@');
    should(voterId).equal(env.KAFKA_NODE_ID);
    should(voterAddress).equal(`${kafkaName}:${declared.get(controller)!.port}`);
  });
});
