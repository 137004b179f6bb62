// The Node-RED plugin of the editor's Kafka sidebar: its runtime part, the admin routes and the
// polling behind its live updates. Its editor part is dist/plugins/kafka-sidebar.html.
// Before anything loads kafkajs.
import '../client/kafkajs-fixes';
import type { NodeAPI } from 'node-red';
import { serveSidebar } from '../sidebar/sidebar-routes';

interface PluginApi {
  plugins: { registerPlugin(id: string, definition: { type: string }): void };
}

export = function register(RED: NodeAPI & PluginApi): void {
  RED.plugins.registerPlugin('kafka-sidebar', { type: 'kafka-sidebar' });
  serveSidebar(RED);
};
