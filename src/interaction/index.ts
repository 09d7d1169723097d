// Interaction Model messages for reading attributes (spec "Interaction Model"; protocol id 0x0001).
export { InteractionOpcode, INTERACTION_MODEL_REVISION } from './opcodes.js';
export { InteractionModelStatus, describeInteractionModelStatus } from './status-codes.js';
export { type AttributePath, encodeAttributePath, decodeAttributePath } from './attribute-path.js';
export {
  type ConcreteAttributePath, type AttributePathPart, InvalidAttributePathError, parseAttributePath,
} from './attribute-path-syntax.js';
export {
  type ReadRequest, type ReportData, type AttributeReport, type AttributeStatus, encodeReadRequest, decodeReportData,
  expectsStatusResponse, encodeStatusResponse, decodeStatusResponse, decodeReadRequest, encodeReportData,
} from './read-interaction.js';
export { readAttributes, readAttribute, InteractionStatusError } from './read-client.js';
export {
  AttributeServer, basicInformationAttributes, BASIC_INFORMATION_CLUSTER, type AttributeTable, type AttributeValue,
  type BasicInformation,
} from './attribute-server.js';
export { type PlainValue, tlvToPlainValue } from './plain-value.js';
