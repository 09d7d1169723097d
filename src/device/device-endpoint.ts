// An application endpoint (Matter Core spec §9.2 "Endpoint"): endpoint 1 and above, with device types and the
// clusters it serves (attributes and command handlers, as the InteractionServer takes them, plus each cluster's
// revision, feature map and response commands for the global attributes).
import type { InteractionServer, ServedCluster } from '../interaction/interaction-server.js';
import type { DeviceTypeRevision } from './descriptor-server.js';
import type { ClusterIdentity } from './global-attributes.js';

export type DeviceCluster = ServedCluster & ClusterIdentity;

export interface DeviceEndpoint {
  /** 1 to 65534 (0 is the root endpoint the node serves itself). */
  endpoint: number;
  deviceTypes: readonly DeviceTypeRevision[];
  /** Keyed by cluster id. A Descriptor is added unless given. */
  clusters: Record<number, DeviceCluster>;
  /** Called once the clusters are served, with the server (to report attribute changes). */
  attach?: (server: InteractionServer) => void;
}
