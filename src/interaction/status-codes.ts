// Interaction Model status codes (spec "Status Codes" of the Interaction Model; connectedhomeip
// protocols/interaction_model/StatusCodeList.h). They travel in StatusResponse and in StatusIB, one byte each.

export const InteractionModelStatus = {
  success: 0x00,
  failure: 0x01,
  invalidSubscription: 0x7d,
  unsupportedAccess: 0x7e,
  unsupportedEndpoint: 0x7f,
  invalidAction: 0x80,
  unsupportedCommand: 0x81,
  invalidCommand: 0x85,
  unsupportedAttribute: 0x86,
  constraintError: 0x87,
  unsupportedWrite: 0x88,
  resourceExhausted: 0x89,
  notFound: 0x8b,
  unreportableAttribute: 0x8c,
  invalidDataType: 0x8d,
  unsupportedRead: 0x8f,
  dataVersionMismatch: 0x92,
  timeout: 0x94,
  unsupportedNode: 0x9b,
  busy: 0x9c,
  accessRestricted: 0x9d,
  unsupportedCluster: 0xc3,
  noUpstreamSubscription: 0xc5,
  needsTimedInteraction: 0xc6,
  unsupportedEvent: 0xc7,
  pathsExhausted: 0xc8,
  timedRequestMismatch: 0xc9,
  failsafeRequired: 0xca,
  invalidInState: 0xcb,
  noCommandResponse: 0xcc,
  termsAndConditionsChanged: 0xcd,
  maintenanceRequired: 0xce,
  dynamicConstraintError: 0xcf,
  alreadyExists: 0xd0,
  invalidTransportType: 0xd1,
} as const;

const NAMES = new Map<number, string>(Object.entries(InteractionModelStatus).map(([name, code]) => [code, name]));

/** The status's name for printing, e.g. "unsupportedAttribute (0x86)"; codes this table lacks print as hex only. */
export function describeInteractionModelStatus(code: number): string {
  const hex = `0x${code.toString(16).padStart(2, '0')}`;
  const name = NAMES.get(code);
  return name === undefined ? hex : `${name} (${hex})`;
}
