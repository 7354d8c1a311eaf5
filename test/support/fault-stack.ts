import mqtt, { type MqttClient } from 'mqtt';
import pg from 'pg';
import { createDatabase, type Db } from '../../server/src/platform/db/database.js';
import { demo } from '../../server/src/demo/seed.js';
import { ApiClient } from './http-client.js';
import { freePort, startInstance, startMosquitto, startPostgres, waitFor, type Instance, type MosquittoServer, type PostgresServer } from './processes.js';

/**
 * A production-shaped tonari for a fault test: its own PostgreSQL and Mosquitto (set up
 * as docs/operations.md says) and any number of tonari instances (main.js), each on a
 * port of its own, restartable on the same port. The first instance seeds the demo
 * association, whose officer registers the test's speakers through the API.
 */
export class FaultStack {
  readonly instances = new Map<string, Instance>();
  private readonly ports = new Map<string, number>();
  db!: Db;

  private constructor(
    readonly postgres: PostgresServer,
    readonly mosquitto: MosquittoServer,
    readonly env: Record<string, string>,
  ) {}

  static async start(env: Record<string, string> = {}): Promise<FaultStack> {
    const [postgres, mosquitto] = await Promise.all([startPostgres(), startMosquitto()]);
    const stack = new FaultStack(postgres, mosquitto, {
      DATABASE_URL: postgres.url(),
      MQTT_URL: mosquitto.adminUrl,
      MQTT_DYNSEC: 'true',
      SEED_DEMO: 'true',
      ...env,
    });
    stack.db = createDatabase(postgres.url(), { max: 4 });
    return stack;
  }

  /** Starts (or restarts, on its old port) the instance of this name. */
  async startInstance(name: string, env: Record<string, string> = {}): Promise<Instance> {
    const port = this.ports.get(name) ?? (await freePort());
    this.ports.set(name, port);
    const instance = await startInstance({ name, port, env: { ...this.env, ...env } });
    this.instances.set(name, instance);
    return instance;
  }

  instance(name: string): Instance {
    const instance = this.instances.get(name);
    if (!instance) throw new Error(`no instance ${name}`);
    return instance;
  }

  async officer(name?: string): Promise<ApiClient> {
    const client = new ApiClient((name ? this.instance(name) : [...this.instances.values()][0]!).baseUrl);
    await client.login(demo.logins[0]!.identifier, demo.password);
    return client;
  }

  /** Registers a speaker in each of `count` demo households that have none, through the API. */
  async registerSpeakers(count: number): Promise<{ id: string; password: string; householdId: string; associationId: string }[]> {
    const officer = await this.officer();
    const homes = await this.db
      .selectFrom('households')
      .select('id')
      .where('association_id', '=', demo.associationId)
      .where('id', 'not in', this.db.selectFrom('devices').select('household_id').where('household_id', 'is not', null).$narrowType<{ household_id: string }>())
      .orderBy('household_number')
      .limit(count)
      .execute();
    if (homes.length < count) throw new Error(`only ${homes.length} demo households without a speaker`);
    const speakers = [];
    for (const [i, home] of homes.entries()) {
      const created = await officer.post('/api/devices', { label: `fault test speaker ${i + 1}`, householdId: home.id });
      if (created.status !== 201) throw new Error(`device registration failed: ${created.status} ${created.text}`);
      speakers.push({ id: created.body.credentials.username as string, password: created.body.credentials.password as string, householdId: home.id, associationId: demo.associationId });
    }
    return speakers;
  }

  /** A speaker's MQTT connection, reconnecting by itself as a real device does. */
  async connectSpeaker(speaker: { id: string; password: string }): Promise<MqttClient> {
    return mqtt.connectAsync(this.mosquitto.deviceUrl, {
      username: speaker.id,
      password: speaker.password,
      clientId: speaker.id, // brokers bind a device's login to its id as client id
      reconnectPeriod: 300,
      connectTimeout: 5_000,
    });
  }

  /**
   * The worst moment, made to order: holds a lock on `table` (EXCLUSIVE: reads go on,
   * writes wait; ACCESS EXCLUSIVE: reads wait too), so a step that touches it stops there.
   * `killWaiter` waits for a tonari session to queue behind the lock — one that already
   * wrote `holding` in its open transaction, when given: a step past its once-only marker,
   * before its commit — kills that instance with SIGKILL (tonari names its database
   * sessions `tonari <host>:<port>`), releases the lock and says which instance it killed.
   */
  async lockTable(table: string, mode: 'exclusive' | 'access exclusive' = 'exclusive') {
    const locker = new pg.Client({ connectionString: this.postgres.url() });
    await locker.connect();
    await locker.query('begin');
    await locker.query(`lock table ${pg.escapeIdentifier(table)} in ${mode} mode`);
    const release = async () => {
      await locker.query('rollback').catch(() => undefined);
      await locker.end().catch(() => undefined);
    };
    return {
      release,
      killWaiter: async (timeoutMs: number, options: { holding?: string } = {}): Promise<string> => {
        try {
          const port = await waitFor(
            `a step waiting on ${table}${options.holding ? ` with ${options.holding} written` : ''}`,
            async () => {
              // pg_stat_activity is a snapshot per transaction: read it outside the locker's.
              await locker.query('select pg_stat_clear_snapshot()');
              const { rows } = await locker.query<{ application_name: string }>(
                `select a.application_name from pg_stat_activity a
                  where a.pid <> pg_backend_pid() and a.application_name like 'tonari %'
                    and exists (select 1 from pg_locks l where l.pid = a.pid and not l.granted and l.relation = $1::regclass)
                    and ($2::text is null or exists (
                      select 1 from pg_locks l where l.pid = a.pid and l.granted and l.mode = 'RowExclusiveLock' and l.relation = $2::regclass))`,
                [table, options.holding ?? null],
              );
              return rows[0] ? Number(rows[0].application_name.split(':').pop()) : undefined;
            },
            timeoutMs,
            50,
          ).catch(async (error: Error) => {
            // Say what the sessions were doing instead, so a failure explains itself.
            await locker.query('select pg_stat_clear_snapshot()');
            const { rows } = await locker.query(`select application_name, state, wait_event_type, left(query, 120) as query from pg_stat_activity where application_name like 'tonari %' and state <> 'idle'`);
            throw new Error(`${error.message}; busy tonari sessions: ${JSON.stringify(rows)}`);
          });
          const victim = [...this.instances.values()].find((instance) => instance.port === port);
          if (!victim) throw new Error(`no instance on port ${port}`);
          await victim.kill('SIGKILL');
          return victim.name;
        } finally {
          await release();
        }
      },
    };
  }

  async destroy(): Promise<void> {
    for (const instance of this.instances.values()) await instance.kill('SIGKILL').catch(() => undefined);
    await this.db?.destroy().catch(() => undefined);
    await this.mosquitto.destroy();
    await this.postgres.destroy();
  }
}
