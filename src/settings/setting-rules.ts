// The rules of every kafka-trigger, kafka-produce and kafka-broker setting: its flow JSON name, its default,
// its check and the mode that reads it (rules/*). The runtime's resolvers, the command line and the editor
// (bundled into the nodes' HTML) all read them from here, so a rule changes in one place only. The rules
// import nothing outside src/settings/rules: they run in the browser.
//
// Config node references (a trigger's or producer's `broker`, a broker's `tls`) are not in these tables: they name
// another node, which Node-RED's editor and the runtime's node lookup check.
export * from './rules/common';
export * from './rules/topic-selection';
export * from './rules/trigger-rules';
export * from './rules/produce-rules';
export * from './rules/broker-rules';
export * from './rules/admin-rules';
