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
export {
  ConstraintError, describeInteractionPath, type InteractionPath,
} from './interaction-status-error.js';
export { type StatusIB, encodeStatusIB, decodeStatusIB } from './status-ib.js';
export { type CommandPath, encodeCommandPath, decodeCommandPath } from './command-path.js';
export {
  type CommandData, type CommandStatus, type InvokeResponseEntry, type InvokeRequest, type InvokeResponse,
  encodeInvokeRequest, decodeInvokeRequest, encodeInvokeResponse, decodeInvokeResponse,
} from './invoke-interaction.js';
export { encodeTimedRequest, decodeTimedRequest } from './timed-request.js';
export {
  type AttributeWrite, type AttributeWriteStatus, type WriteRequest, encodeWriteRequest, decodeWriteRequest,
  encodeWriteResponse, decodeWriteResponse,
} from './write-interaction.js';
export {
  type SubscribeRequest, type SubscribeResponse, type DataVersionFilter, encodeSubscribeRequest, decodeSubscribeRequest,
  encodeSubscribeResponse, decodeSubscribeResponse,
} from './subscribe-interaction.js';
export { UnexpectedInteractionMessageError } from './interaction-exchange.js';
export { invoke, invokeMany, type InvokeTarget, type InvokeOptions, type InvokeResult, type CommandOutcome } from './invoke-client.js';
export { writeAttributes, writeAttribute, type AttributeWriteTarget, type WriteOptions } from './write-client.js';
export {
  subscribe, SubscriptionLostError, type Subscription, type SubscribeOptions, type SubscriptionLossReason,
} from './subscribe-client.js';
export {
  InteractionServer, type InteractionServerOptions, type InteractionContext, type Privilege, type AccessPath,
  type Authorize, type ServedAttribute, type ServedCommand, type ServedCluster, type CommandReply,
} from './interaction-server.js';
export {
  ServerSubscriptions, type ServerSubscriptionOptions, type SubscriptionInfo, type SubscriptionEndReason,
} from './server-subscriptions.js';
export {
  selectMaxInterval, keepAliveIntervalMs, MAX_INTERVAL_PUBLISHER_LIMIT_S, type SubscriptionIntervalConfig,
} from './subscription-interval.js';
export { chunkReports, REPORT_PAYLOAD_BUDGET } from './report-chunks.js';
export { InteractionDispatcher, interactionDispatcher } from './interaction-dispatcher.js';
