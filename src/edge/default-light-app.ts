// The edge's default app (Matter Device Library "On/Off Light", device type 0x0100): a virtual light on endpoint 1
// (On/Off cluster: OnOff, Off/On/Toggle) so any controller commissions and controls a realm out of the box. It runs
// with the public TEST attestation credentials (development only): production apps pass their own DAC/PAI/CD.
import { OnOffLight } from '../device/on-off-light.js';
import type { RealmNodeConfig } from './edge-node.js';

export interface DefaultLightApp {
  light: OnOffLight;
  node: RealmNodeConfig;
}

/** A virtual On/Off light for one realm; `onChange` hears it switch. */
export function defaultLightApp(options: { discriminator?: number; onChange?: (on: boolean) => void } = {}): DefaultLightApp {
  const light = new OnOffLight({ ...(options.onChange ? { onChange: options.onChange } : {}) });
  return {
    light,
    node: {
      endpoints: [light.endpoint], allowTestAttestation: true,
      ...(options.discriminator !== undefined ? { discriminator: options.discriminator } : {}),
      basicInformation: { productName: 'matter-sessions virtual light' },
    },
  };
}
