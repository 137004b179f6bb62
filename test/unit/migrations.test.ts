import should from 'should';
import {
  BROKER_MIGRATIONS,
  BROKER_VERSION,
  TRIGGER_MIGRATIONS,
  TRIGGER_VERSION,
  migrate,
  pinHandoffDelivery,
  recordFirstVersion,
  recordTlsInUse,
  recordedVersion,
} from '../../src/settings/migrations';
import { resolveTriggerSettings } from '../../src/settings/trigger-settings';
import { resolveBrokerSettings } from '../../src/settings/broker-settings';

/** A kafka-trigger as exported before versions existed (the examples at the time looked like this). */
const UNVERSIONED_TRIGGER = {
  id: 't1',
  type: 'kafka-trigger',
  broker: 'b1',
  topic: 'orders',
  consumer_group: '',
  start_from: 'newest',
  session_timeout: 10000,
  heartbeat_interval: '3000',
  wires: [['d1']],
};

/** A kafka-broker as exported before versions existed. */
const UNVERSIONED_BROKER = {
  id: 'b1',
  type: 'kafka-broker',
  name: '',
  brokers: 'kafka.example.com:9093',
  client_id: '',
  sasl_mechanism: 'scram-sha-512',
};

describe('migrations', () => {
  describe('each step', () => {
    it('0 to 1 records version 1 and keeps every setting as it was', () => {
      const migrated = recordFirstVersion(UNVERSIONED_TRIGGER);
      should(migrated).eql({ ...UNVERSIONED_TRIGGER, version: 1 });
      should(UNVERSIONED_TRIGGER).not.have.property('version');
    });

    it('1 to 2 pins a trigger without a delivery to hand-off, the default it was written for', () => {
      const atVersion1 = { ...UNVERSIONED_TRIGGER, version: 1 };
      should(pinHandoffDelivery(atVersion1)).eql({ ...atVersion1, delivery: 'handoff', version: 2 });
      should(atVersion1).not.have.property('delivery');
      // Blank in the dialog meant the default too.
      for (const blank of ['', null, undefined])
        should(pinHandoffDelivery({ ...atVersion1, delivery: blank })).containEql({
          delivery: 'handoff',
          version: 2,
        });
    });

    it('1 to 2 keeps a delivery that was written down, even one that is wrong', () => {
      for (const delivery of ['handoff', 'complete', '${DELIVERY}', 'later'])
        should(pinHandoffDelivery({ ...UNVERSIONED_TRIGGER, version: 1, delivery })).eql({
          ...UNVERSIONED_TRIGGER,
          delivery,
          version: 2,
        });
    });

    it('broker 1 to 2 turns use_tls on for a node with a TLS node, which ran over TLS', () => {
      const withTlsNode = { ...UNVERSIONED_BROKER, tls: 'tls1', version: 1 };
      should(recordTlsInUse(withTlsNode)).eql({ ...withTlsNode, use_tls: true, version: 2 });
      should(withTlsNode).not.have.property('use_tls');
    });

    it('broker 1 to 2 leaves use_tls alone on a node without a TLS node, which ran over plain TCP', () => {
      for (const tls of [undefined, '', ' ']) {
        const atVersion1 = { ...UNVERSIONED_BROKER, tls, version: 1 };
        should(recordTlsInUse(atVersion1)).eql({ ...atVersion1, version: 2 });
      }
      // A use_tls already written (by a dialog that opened the node before deploy) is kept.
      const ticked = { ...UNVERSIONED_BROKER, tls: '', use_tls: true, version: 1 };
      should(recordTlsInUse(ticked)).eql({ ...ticked, version: 2 });
    });

    it('is listed for each node type, one per version', () => {
      should(TRIGGER_MIGRATIONS).eql([recordFirstVersion, pinHandoffDelivery]);
      should(BROKER_MIGRATIONS).eql([recordFirstVersion, recordTlsInUse]);
      should(TRIGGER_VERSION).equal(2);
      should(BROKER_VERSION).equal(2);
    });

    it('takes version N to N + 1', () => {
      for (const steps of [TRIGGER_MIGRATIONS, BROKER_MIGRATIONS]) {
        steps.forEach((step, version) => {
          should(recordedVersion(step({ version }))).equal(version + 1);
        });
      }
    });
  });

  describe('migrate', () => {
    it('brings a node without a version to the current version', () => {
      should(migrate(UNVERSIONED_TRIGGER, TRIGGER_MIGRATIONS)).eql({
        ...UNVERSIONED_TRIGGER,
        delivery: 'handoff',
        version: TRIGGER_VERSION,
      });
      should(migrate({ id: 'b1', type: 'kafka-broker', brokers: '' }, BROKER_MIGRATIONS)).eql({
        id: 'b1',
        type: 'kafka-broker',
        brokers: '',
        version: BROKER_VERSION,
      });
    });

    it('leaves a current node, or one from a newer release, as it is', () => {
      const current = { ...UNVERSIONED_TRIGGER, version: TRIGGER_VERSION };
      should(migrate(current, TRIGGER_MIGRATIONS)).equal(current);
      const newer = { ...UNVERSIONED_TRIGGER, version: TRIGGER_VERSION + 1 };
      should(migrate(newer, TRIGGER_MIGRATIONS)).equal(newer);
    });

    it('runs the steps in order from the recorded version', () => {
      const seen: number[] = [];
      const step = (version: number) => (properties: Record<string, unknown>) => {
        seen.push(version);
        return { ...properties, version: version + 1 };
      };
      should(migrate({ version: 1 }, [step(0), step(1), step(2)])).eql({ version: 3 });
      should(seen).eql([1, 2]);
    });
  });

  describe('TLS of an older broker node', () => {
    const securityOf = (node: Record<string, unknown>): { tls: boolean; useTls: boolean } => {
      const migrated = migrate(node, BROKER_MIGRATIONS);
      const resolved = resolveBrokerSettings(migrated);
      if ('problem' in resolved) throw new Error(resolved.problem.key);
      return { tls: Boolean(migrated.tls), useTls: resolved.settings.useTls };
    };

    it('says TLS for every older node with a TLS node, and no TLS for one without', () => {
      should(securityOf({ ...UNVERSIONED_BROKER, tls: 'tls1' })).eql({ tls: true, useTls: true });
      should(securityOf({ ...UNVERSIONED_BROKER, tls: 'tls1', version: 1 })).eql({ tls: true, useTls: true });
      should(securityOf({ ...UNVERSIONED_BROKER, tls: '', version: 1 })).eql({ tls: false, useTls: false });
      should(securityOf(UNVERSIONED_BROKER)).eql({ tls: false, useTls: false });
    });

    it('keeps what a current node says', () => {
      // Turned off next to a TLS node: the TLS node still wins at runtime (connection-security).
      should(securityOf({ ...UNVERSIONED_BROKER, tls: 'tls1', use_tls: false, version: 2 })).eql({
        tls: true,
        useTls: false,
      });
      should(securityOf({ ...UNVERSIONED_BROKER, use_tls: true, version: 2 })).eql({
        tls: false,
        useTls: true,
      });
    });
  });

  describe('the default delivery', () => {
    const deliveryOf = (node: Record<string, unknown>): string => {
      const resolved = resolveTriggerSettings(migrate(node, TRIGGER_MIGRATIONS), String(node.id));
      if ('problem' in resolved) throw new Error(resolved.problem.key);
      return resolved.settings.delivery.mode;
    };

    it('stays hand-off for a trigger written before version 2 without one', () => {
      should(deliveryOf(UNVERSIONED_TRIGGER)).equal('handoff');
      should(deliveryOf({ ...UNVERSIONED_TRIGGER, version: 1 })).equal('handoff');
      should(deliveryOf({ ...UNVERSIONED_TRIGGER, version: '1', delivery: '' })).equal('handoff');
    });

    it('is complete for a trigger of version 2 without one, and a written delivery is kept', () => {
      should(deliveryOf({ ...UNVERSIONED_TRIGGER, version: 2 })).equal('complete');
      should(deliveryOf({ ...UNVERSIONED_TRIGGER, version: 1, delivery: 'complete' })).equal('complete');
      should(deliveryOf({ ...UNVERSIONED_TRIGGER, version: 2, delivery: 'handoff' })).equal('handoff');
    });
  });

  it('reads the recorded version as flow JSON may hold it', () => {
    should(recordedVersion({})).equal(0);
    should(recordedVersion({ version: 1 })).equal(1);
    should(recordedVersion({ version: '2' })).equal(2);
    should(recordedVersion({ version: '' })).equal(0);
    should(recordedVersion({ version: 'x' })).equal(0);
    should(recordedVersion({ version: true })).equal(0);
    should(recordedVersion({ version: 1.5 })).equal(0);
  });
});
