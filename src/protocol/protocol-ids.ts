// Protocol ids and the opcodes this package speaks (spec "Protocol IDs", "Secure Channel Protocol" and
// "Interaction Model Protocol").
export const ProtocolId = { secureChannel: 0x0000, interactionModel: 0x0001 } as const;

export const SecureChannelOpcode = {
  standaloneAck: 0x10,
  pbkdfParamRequest: 0x20,
  pbkdfParamResponse: 0x21,
  pake1: 0x22,
  pake2: 0x23,
  pake3: 0x24,
  sigma1: 0x30,
  sigma2: 0x31,
  sigma3: 0x32,
  sigma2Resume: 0x33,
  statusReport: 0x40,
} as const;
