// kafka-admin's one setting with a rule, allow_delete: the runtime and the editor read it with the
// rule, and a node from before versions migrates to version 1 changing nothing else.
import should from 'should';
import { resolveAdminSettings } from '../../src/settings/admin-settings';
import { ADMIN_MIGRATIONS, ADMIN_VERSION, migrate } from '../../src/settings/migrations';
import { ADMIN_RULES } from '../../src/settings/setting-rules';
import { editorDefinitions } from './editor-scripts';

describe('kafka-admin settings', () => {
  it('refuses delete-topic unless allow_delete is true', () => {
    should(resolveAdminSettings({})).eql({ settings: { allowDelete: false } });
    should(resolveAdminSettings({ allow_delete: 'false' })).eql({ settings: { allowDelete: false } });
    should(resolveAdminSettings({ allow_delete: true })).eql({ settings: { allowDelete: true } });
    should(resolveAdminSettings({ allow_delete: 'true' })).eql({ settings: { allowDelete: true } });
    should(resolveAdminSettings({ allow_delete: 'yes' })).eql({
      problem: { key: 'invalid-allow-delete', setting: 'allow_delete', params: { value: 'yes' } },
    });
  });

  it("the editor has the rule's default, validates with the rule and records the current version", () => {
    const { defaults } = editorDefinitions().get('kafka-admin')!;
    should(Object.keys(defaults).sort()).eql(['allow_delete', 'broker', 'name', 'version']);
    should(defaults.allow_delete.value).equal(ADMIN_RULES.allow_delete.defaultValue);
    should(defaults.version.value).equal(ADMIN_VERSION);
    const node = { id: 'n1', _: (key: string) => key };
    should(defaults.allow_delete.validate!.call(node, true, {})).equal(true);
    should(defaults.allow_delete.validate!.call(node, 'maybe', {})).equal(
      'kafka-admin.errors.invalid-allow-delete',
    );
  });

  it('migrates a node without a version to version 1, changing nothing else', () => {
    const before = { id: 'a1', type: 'kafka-admin', broker: 'b1', allow_delete: true };
    should(migrate(before, ADMIN_MIGRATIONS)).eql({ ...before, version: 1 });
    should(ADMIN_VERSION).equal(1);
  });
});
