// An On/Off Light endpoint (Matter Device Library "On/Off Light", device type 0x0100; On/Off cluster §1.5): the
// OnOff attribute and the Off, On and Toggle commands, for an app to serve on endpoint 1 and be told of changes.
import { tlv } from '../codec/tlv.js';
import { OnOffCluster } from '../clusters/on-off.js';
import type { InteractionServer } from '../interaction/interaction-server.js';
import type { DeviceEndpoint } from './device-endpoint.js';

export const ON_OFF_LIGHT_DEVICE_TYPE = { deviceType: 0x0100, revision: 3 } as const;

export class OnOffLight {
  #on: boolean;
  #server: InteractionServer | undefined;
  readonly endpoint: DeviceEndpoint;

  constructor(options: { endpoint?: number; on?: boolean; onChange?: (on: boolean) => void } = {}) {
    const id = options.endpoint ?? 1;
    this.#on = options.on ?? false;
    const set = (on: boolean) => {
      if (on === this.#on) return;
      this.#on = on;
      this.#server?.attributeChanged(id, OnOffCluster.id, OnOffCluster.attributes.onOff.id);
      options.onChange?.(on);
    };
    const { off, on, toggle } = OnOffCluster.commands;
    this.endpoint = {
      endpoint: id,
      deviceTypes: [ON_OFF_LIGHT_DEVICE_TYPE],
      clusters: {
        [OnOffCluster.id]: {
          revision: 6,
          attributes: { [OnOffCluster.attributes.onOff.id]: { value: () => tlv.bool(this.#on) } },
          commands: {
            [off.id]: { handler: () => set(false) },
            [on.id]: { handler: () => set(true) },
            [toggle.id]: { handler: () => set(!this.#on) },
          },
        },
      },
      attach: (server) => { this.#server = server; },
    };
    this.set = set;
  }

  /** Switches the light from the app's side (subscribers are told). */
  readonly set: (on: boolean) => void;

  get on(): boolean {
    return this.#on;
  }
}
