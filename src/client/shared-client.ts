/**
 * One client shared by every node that uses a config node, as Node-RED's MQTT broker node does:
 * made when the first user acquires it, dropped when the last one releases it.
 */
export class SharedClient<Client> {
  private client: Client | undefined;
  private readonly users = new Set<string>();

  constructor(private readonly create: () => Client) {}

  acquire(userId: string): Client {
    this.users.add(userId);
    this.client ??= this.create();
    return this.client;
  }

  release(userId: string): void {
    this.users.delete(userId);
    if (this.users.size === 0) this.client = undefined;
  }

  get userCount(): number {
    return this.users.size;
  }
}
