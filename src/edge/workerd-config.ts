// The workerd edge's configuration: the Worker's environment (wrangler [vars] and secrets).
import type { RealmConfig } from './edge-realm.js';
import type { DurableObjectNamespaceLike } from './workerd-types.js';

export interface MatterWorkerEnv {
  /** The Durable Object namespace of MatterRealmObject: one object per realm, addressed by the realm's name. */
  REALMS: DurableObjectNamespaceLike;
  /**
   * The realms, as JSON text or a [vars] table: `{ "home": { "passcode": 20202021, "basicInformation":
   * { "vendorName": "Acme" }, "iterations": 1000 } }`. When set, REALM, REALM_PASSCODE and VENDOR_NAME are ignored.
   */
  MATTER_REALMS?: string | Record<string, unknown>;
  /** One realm without JSON: its name (default "home")... */
  REALM?: string;
  /** ...its setup passcode... */
  REALM_PASSCODE?: string | number;
  /** ...and the VendorName it answers. */
  VENDOR_NAME?: string;
  /** Bearer token for the admin endpoints; without it they answer 404. Set it as a secret. */
  ADMIN_TOKEN?: string;
}

/**
 * What the environment can say about a realm: everything but code (attribute tables, a node's endpoints) and storage
 * (the object's). `app: "light"` makes the realm a Matter node serving the default virtual On/Off light, with the
 * public TEST attestation credentials (development only; src/edge/default-light-app.ts).
 */
export type WorkerRealmConfig = Omit<RealmConfig, 'storage' | 'attributes' | 'node'> & { app?: 'light' };

export class RealmConfigError extends Error {
  override name = 'RealmConfigError';
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function realmConfig(name: string, value: unknown): WorkerRealmConfig {
  if (!isObject(value)) throw new RealmConfigError(`MATTER_REALMS.${name}: expected an object`);
  const { passcode, basicInformation, iterations, app } = value;
  if (app !== undefined && app !== 'light') throw new RealmConfigError(`MATTER_REALMS.${name}.app: expected "light", got ${JSON.stringify(app)}`);
  if (typeof passcode !== 'number' || !Number.isInteger(passcode)) {
    throw new RealmConfigError(`MATTER_REALMS.${name}.passcode: expected an integer`);
  }
  if (basicInformation !== undefined && !isObject(basicInformation)) {
    throw new RealmConfigError(`MATTER_REALMS.${name}.basicInformation: expected an object`);
  }
  if (iterations !== undefined && typeof iterations !== 'number') {
    throw new RealmConfigError(`MATTER_REALMS.${name}.iterations: expected a number`);
  }
  return {
    passcode,
    ...(basicInformation ? { basicInformation } : {}),
    ...(iterations !== undefined ? { iterations } : {}),
    ...(app === 'light' ? { app } : {}),
  };
}

/** The configured realms by name; throws a RealmConfigError naming the variable that is wrong. */
export function realmsFromEnv(env: MatterWorkerEnv): Record<string, WorkerRealmConfig> {
  if (env.MATTER_REALMS !== undefined) {
    let parsed: unknown = env.MATTER_REALMS;
    if (typeof parsed === 'string') {
      try {
        parsed = JSON.parse(parsed);
      } catch (error) {
        throw new RealmConfigError(`MATTER_REALMS: not JSON: ${(error as Error).message}`);
      }
    }
    if (!isObject(parsed)) throw new RealmConfigError('MATTER_REALMS: expected an object of realms by name');
    return Object.fromEntries(Object.entries(parsed).map(([name, value]) => [name, realmConfig(name, value)]));
  }
  if (env.REALM_PASSCODE === undefined) {
    throw new RealmConfigError('no realm configured: set MATTER_REALMS, or REALM_PASSCODE (with REALM and VENDOR_NAME)');
  }
  const passcode = Number(env.REALM_PASSCODE);
  if (!Number.isInteger(passcode)) throw new RealmConfigError('REALM_PASSCODE: expected an integer');
  return {
    [env.REALM ?? 'home']: { passcode, ...(env.VENDOR_NAME ? { basicInformation: { vendorName: env.VENDOR_NAME } } : {}) },
  };
}
