// `npm start`'s Matter node settings from the environment (Matter Core spec §5.1.1.5 discriminator, §4.3.1 port
// 5540): UDP_PORT (default 5540, 'off' for none), UDP_HOST (default '::', IPv6 and IPv4), UDP_REALM (default the
// served realm) and DISCRIMINATOR (default 3840). A bad value is a RangeError naming the variable.
import { MATTER_UDP_PORT } from './udp-listener.js';

export interface NodeAppEnv {
  discriminator: number;
  /** Undefined when UDP_PORT=off. `optional`: the port was not asked for, so a busy default port is skipped. */
  udp: { realm: string; host: string; port: number; optional: boolean } | undefined;
}

export function nodeAppFromEnv(env: Record<string, string | undefined>, defaultRealm: string): NodeAppEnv {
  const integer = (name: string, fallback: number, max: number): number => {
    const text = env[name];
    if (text === undefined || text === '') return fallback;
    const value = Number(text);
    if (!/^\d+$/.test(text.trim()) || value > max) throw new RangeError(`${name}: expected an integer from 0 to ${max}, got "${text}"`);
    return value;
  };
  const discriminator = integer('DISCRIMINATOR', 3840, 0xfff);
  if (env.UDP_PORT?.trim().toLowerCase() === 'off') return { discriminator, udp: undefined };
  const port = integer('UDP_PORT', MATTER_UDP_PORT, 65535);
  return {
    discriminator,
    udp: { realm: env.UDP_REALM || defaultRealm, host: env.UDP_HOST || '::', port, optional: env.UDP_PORT === undefined || env.UDP_PORT === '' },
  };
}
