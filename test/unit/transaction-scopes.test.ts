// TransactionScopes: which kafka-produce node finds a msg's transaction, by the msg's _msgid.
import should from 'should';
import type { TransactionScope } from '../../src/transactions/partition-transaction';
import { TransactionScopes } from '../../src/nodes/transaction-scopes';

const scope: TransactionScope = { write: () => undefined };

describe('transaction scopes', () => {
  it('gives a msg’s scope to a produce node of the trigger’s broker node, until the flow is done', () => {
    const scopes = new TransactionScopes();
    scopes.enter('m1', scope, 'broker-a');
    should(scopes.of({ _msgid: 'm1' }, 'broker-a')).equal(scope);
    scopes.leave('m1');
    should(scopes.of({ _msgid: 'm1' }, 'broker-a')).be.undefined();
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
