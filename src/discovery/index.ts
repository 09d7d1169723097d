// DNS-SD discovery data (Matter Core spec §4.3): what a node advertises, as pure data. The mDNS responder that
// publishes it is Node-only (matter-sessions/node: advertiseNode, MdnsAdvertiser).
export {
  COMMISSIONABLE_SERVICE_TYPE, OPERATIONAL_SERVICE_TYPE, MAX_MRP_INTERVAL_MS, MAX_MRP_THRESHOLD_MS, mrpTxt, type DnssdService,
} from './dnssd-service.js';
export {
  commissionableService, randomInstanceId, CommissioningMode, MAX_DEVICE_NAME_BYTES, MAX_PAIRING_INSTRUCTION_BYTES,
  type CommissionableServiceInput,
} from './commissionable-service.js';
export { operationalService, operationalInstanceName, type OperationalServiceInput } from './operational-service.js';
export { NodeDiscovery, type NodeDiscoveryOptions } from './node-discovery.js';
