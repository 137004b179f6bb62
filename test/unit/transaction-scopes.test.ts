// TransactionScopes: which kafka-produce node finds a msg's transaction, by the msg's _msgid.
import should from 'should';
import { CompressionTypes } from 'kafkajs';
import { TransactionEnded, type TransactionScope } from '../../src/transactions/transaction-scope';
import { TransactionScopes } from '../../src/nodes/transaction-scopes';

const scope: TransactionScope = { write: () => undefined };

describe('transaction scopes', () => {
  it('gives a msg’s scope to a produce node of the trigger’s broker node, until the flow is done', () => {
    const scopes = new TransactionScopes();
    scopes.enter('m1', scope, 'broker-a');
    should(scopes.of({ _msgid: 'm1' }, 'broker-a')).equal(scope);
    scopes.leave('m1', true);
    should(scopes.of({ _msgid: 'm1' }, 'broker-a')).be.undefined();
  });

  it('refuses the later writes of a msg that failed or was dropped, for the trigger’s broker node only', () => {
    const scopes = new TransactionScopes();
    scopes.enter('m1', scope, 'broker-a');
    scopes.leave('m1', false);
    const ended = scopes.of({ _msgid: 'm1' }, 'broker-a');
    should(ended).not.be.undefined();
    should(ended).not.equal(scope);
    let refused: unknown;
    ended!.write(
      { topic: 't', message: { value: 'v' }, size: 1 },
      CompressionTypes.None,
      (error) => (refused = error),
    );
    should(refused).be.instanceOf(TransactionEnded);
    should(scopes.of({ _msgid: 'm1' }, 'broker-b')).be.undefined();
  });

  it('gives no scope to a produce node of another broker node (another cluster)', () => {
    const scopes = new TransactionScopes();
    scopes.enter('m1', scope, 'broker-a');
    should(scopes.of({ _msgid: 'm1' }, 'broker-b')).be.undefined();
  });

  it('gives no scope to a msg of no exactly-once trigger, or without a usable _msgid', () => {
    const scopes = new TransactionScopes();
    scopes.enter('m1', scope, 'broker-a');
    should(scopes.of({ _msgid: 'm2' }, 'broker-a')).be.undefined();
    should(scopes.of({}, 'broker-a')).be.undefined();
    should(scopes.of({ _msgid: 42 }, 'broker-a')).be.undefined();
  });
});
