import { ADMIN_RULES, checkSettings, type AdminProblemKey, type SettingProblem } from './setting-rules';

/** kafka-admin properties as they stand in flow JSON. */
export interface AdminConfig {
  allow_delete?: boolean | string;
}

export interface AdminSettings {
  /** Whether delete-topic runs; refused otherwise. */
  allowDelete: boolean;
}

export type AdminSettingsResult = { settings: AdminSettings } | { problem: SettingProblem<AdminProblemKey> };

/** Checks a kafka-admin node's settings with their rules and applies the defaults. */
export function resolveAdminSettings(config: AdminConfig): AdminSettingsResult {
  const checked = checkSettings<AdminProblemKey, typeof ADMIN_RULES>(ADMIN_RULES, config);
  if ('problem' in checked) return checked;
  return { settings: { allowDelete: checked.values.allow_delete } };
}
