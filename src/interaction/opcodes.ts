// Interaction Model protocol (protocol id 0x0001, ProtocolId.interactionModel): the message opcodes (spec
// "Interaction Model Protocol", Protocol Opcodes) and the revision this package writes into every message.

export const InteractionOpcode = {
  statusResponse: 0x01,
  readRequest: 0x02,
  subscribeRequest: 0x03,
  subscribeResponse: 0x04,
  reportData: 0x05,
  writeRequest: 0x06,
  writeResponse: 0x07,
  invokeRequest: 0x08,
  invokeResponse: 0x09,
  timedRequest: 0x0a,
} as const;
export type InteractionOpcode = (typeof InteractionOpcode)[keyof typeof InteractionOpcode];

/**
 * InteractionModelRevision, written under tag 0xFF of every message. 12 is what connectedhomeip
 * (kInteractionModelRevision) and matter.js 0.17 (Specification.INTERACTION_MODEL_REVISION) send; revision 13 only
 * adds the provisional WildcardFilterConfigurationVersion path field.
 */
export const INTERACTION_MODEL_REVISION = 12;

/** The context tag of InteractionModelRevision in every Interaction Model message. */
export const INTERACTION_MODEL_REVISION_TAG = 0xff;
