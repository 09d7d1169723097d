// What a Matter node advertises over DNS-SD at this moment (Matter Core spec §4.3): the commissionable service
// while its commissioning window is open (CM=1 for the initial passcode window, CM=2 for an administrator's
// OpenCommissioningWindow), and one operational service per fabric in its table. A fabric counts from AddNOC on:
// the commissioner reaches the node over CASE on the new fabric (operational discovery, §5.5 step 14) before it
// sends CommissioningComplete, and a fail-safe rollback or RemoveFabric takes the service away again.
import type { MatterDeviceNode } from '../device/matter-device-node.js';
import { WindowStatus } from '../device/commissioning-window.js';
import { CommissioningMode, commissionableService, randomInstanceId } from './commissionable-service.js';
import type { DnssdService } from './dnssd-service.js';
import { operationalService } from './operational-service.js';

export interface NodeDiscoveryOptions {
  /** DN: the device name to advertise (default: the node's product name, which Basic Information already bounds to 32 bytes). `null` leaves DN out. */
  deviceName?: string | null;
  /** PH (and PI when the hint needs it). Left out by default. */
  pairingHint?: number;
  pairingInstruction?: string;
}

/** The commissionable instance id is kept while a window stays open and drawn afresh for the next window. */
export class NodeDiscovery {
  #instanceId: Uint8Array | undefined;

  constructor(private readonly node: MatterDeviceNode, private readonly options: NodeDiscoveryOptions = {}) {}

  /** The services to advertise now. */
  services(): DnssdService[] {
    const node = this.node;
    const sessionParameters = node.sessions.parameters;
    const services: DnssdService[] = [];
    const status = node.window.status;
    if (status === WindowStatus.windowNotOpen) {
      this.#instanceId = undefined;
    } else {
      this.#instanceId ??= randomInstanceId();
      const info = node.basicInformation;
      const primary = [...node.deviceTypes.entries()].filter(([endpoint]) => endpoint !== 0).sort((a, b) => a[0] - b[0])[0];
      const name = this.options.deviceName === null ? undefined : this.options.deviceName ?? info.productName;
      services.push(commissionableService({
        discriminator: node.discriminator,
        mode: status === WindowStatus.enhancedWindowOpen ? CommissioningMode.enhanced : CommissioningMode.basic,
        vendorId: info.vendorId, productId: info.productId,
        deviceType: primary?.[1][0],
        deviceName: name || undefined,
        pairingHint: this.options.pairingHint,
        pairingInstruction: this.options.pairingInstruction,
        sessionParameters, instanceId: this.#instanceId,
      }));
    }
    for (const record of node.fabrics.records()) {
      const descriptor = node.fabrics.descriptor(record.fabricIndex);
      const compressed = node.fabrics.compressedFabricId(record.fabricIndex);
      if (!descriptor || !compressed) continue;
      services.push(operationalService({ compressedFabricId: compressed, nodeId: descriptor.nodeId, sessionParameters }));
    }
    return services;
  }
}
